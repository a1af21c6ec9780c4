"""The inbox page's tabs, counts, filters, order and pages, and its refusals, through the
Flask test client (the browser tests cover the pages' scripts)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from tests.conftest import Api
from tests.flows import DRAFT, complete, only_task, start
from webui import create_app


def _login(client: FlaskClient, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token[1]})
    assert r.status_code == 302


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*" data-task="([^"]+)"', html)


def _counts(html: str) -> dict[str, int]:
    return {t: int(n) for t, n in re.findall(r'data-tab="(\w+)"[^>]*>[^<]*<span class="count[^"]*">(\d+)</span>', html)}


def test_tabs_filters_order_and_pages(api: Api, platform: Platform, clock: FakeClock) -> None:
    subjects = [f"Báo cáo công tác tiêm chủng tuần {i:02d}" for i in range(20)]
    subjects.append("Kế hoạch kiểm tra an toàn thực phẩm")
    for subject in subjects:
        case = start(api, data={**DRAFT, "subject": subject})
        complete(api, "btl_spec_khnv", only_task(case), {**DRAFT, "subject": subject})
        clock.advance(timedelta(minutes=1))
    client = create_app(platform).test_client()
    _login(client, "btl_head_khnv")

    first = client.get("/inbox").get_data(as_text=True)
    assert _counts(first) == {"todo": 21, "following": 0, "done": 0, "overdue": 0}
    assert len(_rows(first)) == 20 and "Trang 1 / 2" in first
    second = client.get("/inbox?page=2").get_data(as_text=True)
    assert len(_rows(second)) == 1
    assert set(_rows(first)).isdisjoint(_rows(second))
    assert "Kế hoạch kiểm tra an toàn thực phẩm" in first.split("<tbody>")[1].split("</tr>")[0]  # newest first

    oldest = client.get("/inbox?sort=oldest").get_data(as_text=True)
    assert "tuần 00" in oldest.split("<tbody>")[1].split("</tr>")[0]
    folded = client.get("/inbox?q=an+toan+thuc+pham").get_data(as_text=True)  # without diacritics
    assert len(_rows(folded)) == 1
    assert len(_rows(client.get("/inbox?q=tuần 05").get_data(as_text=True))) == 1
    assert _rows(client.get("/inbox?process=laichau_outgoing").get_data(as_text=True)) == []

    clock.advance(timedelta(days=3))  # past the head's two days, and past the session's 12 hours
    assert client.get("/inbox").status_code == 302
    _login(client, "btl_head_khnv")
    overdue = client.get("/inbox?tab=overdue&sort=due").get_data(as_text=True)
    assert _counts(overdue)["overdue"] == 21 and 'class="overdue"' in overdue

    for bad in ("/inbox?tab=nope", "/inbox?sort=nope", "/inbox?page=0", "/inbox?page=x"):
        r = client.get(bad)
        assert r.status_code == 422, bad
        assert "Dữ liệu chưa hợp lệ" in r.get_data(as_text=True)


def test_pages_need_a_login_and_come_back(platform: Platform) -> None:
    client = create_app(platform).test_client()
    r = client.get("/inbox?tab=done")
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=%2Finbox%3Ftab%3Ddone"
    page = client.get("/login?next=//evil.example/").get_data(as_text=True)
    assert 'name="next" value="/"' in page  # only a path of this site
    assert client.get("/api/v1/tasks").status_code == 401  # the API still answers JSON
    assert client.get("/api/v1/tasks").get_json()["error"]

