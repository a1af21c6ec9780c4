"""The home page's figures and the reports after real work (issue 17 item 7): a Bắc Từ Liêm
incoming document registered, directed and handled to the end, and an outgoing one drafted,
approved, signed and issued, all through the procedures. The reports count them as received,
issued and processed (they read only exceptions before: all zeros after this work), with months
as people write them; the dashboard shows each person their own counts."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.core.platform import Platform
from tests.conftest import START, Api
from tests.flows import complete, issue_via_deputy, only_task, to_director
from tests.test_btl_incoming import _start, _task
from tests.test_ui_inbox import _login
from webui import create_app


def _client(platform: Platform, username: str) -> FlaskClient:
    client = create_app(platform).test_client()
    _login(client, username)
    return client


def _tiles(html: str) -> dict[str, int]:
    return {name: int(count) for name, count in
            re.findall(r'data-testid="tile-([\w-]+)">\s*<span class="tile-count">(\d+)<', html)}


def _incoming_handled(api: Api) -> None:
    case = _start(api)
    case = complete(api, "btl_clerk", only_task(case), {"decision": "register", "leader": "director"})
    case = complete(api, "btl_director", only_task(case), {"main_unit": "KSDB", "main_deadline": "2026-03-06",
                                                           "note": "Khoa KSDB chủ trì"})
    case = complete(api, "btl_head_ksdb", _task(case, "unit_assign", "btl_head_ksdb"), {"assignee": "btl_spec_ksdb"})
    case = complete(api, "btl_spec_ksdb", only_task(case), {"decision": "finish", "note": "Đã lập kế hoạch"})
    assert case["document"]["status"] == "finished"


def test_reports_and_dashboard_after_real_work(api: Api, platform: Platform) -> None:
    _incoming_handled(api)
    issued = issue_via_deputy(api)
    assert issued["document"]["status"] == "issued"
    to_director(api)  # a draft waiting for the Director's signature

    month = f"{START.year}-{START.month:02d}"
    html = _client(platform, "btl_clerk").get("/reports").get_data(as_text=True)
    cells = re.search(rf'data-month="{month}">(.*?)</tr>', html, re.S)
    assert cells is not None
    figures = {m: int(n) for m, n in re.findall(r'data-measure="(\w+)">(\d+)<', cells[1])}
    assert figures == {"incoming": 1, "outgoing": 1, "processed": 1, "overdue": 0, "unsigned": 0}
    assert f"<td>Tháng {START.month}/{START.year}</td>" in html
    ksdb = re.search(r'data-unit="KSDB">(.*?)</tr>', html, re.S)
    assert ksdb is not None and 'data-measure="incoming">1<' in ksdb[1] and 'data-measure="outgoing">1<' in ksdb[1]

    clerk = _client(platform, "btl_clerk")
    assert clerk.get("/").headers["Location"].endswith("/dashboard")
    page = clerk.get("/dashboard").get_data(as_text=True)
    assert _tiles(page) == {"todo": 0, "overdue": 0, "following": 1, "received": 1, "issued": 1}
    assert f"Tháng {START.month}/{START.year}" in page

    director = _tiles(_client(platform, "btl_director").get("/dashboard").get_data(as_text=True))
    assert director["to-sign"] == 1 and director["todo"] == 1 and director["issued"] == 1

    specialist = _tiles(_client(platform, "btl_spec_khnv").get("/dashboard").get_data(as_text=True))
    assert "to-sign" not in specialist and "issued" not in specialist  # neither a leader nor a keeper
