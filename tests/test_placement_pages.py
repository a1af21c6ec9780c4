"""The pages of issue 10 item 1 through the Flask test client: the drafter places the number and
date boxes on page 1 (the form the page's clicks fill), the clerk's issue task shows the preview
of page 1 as it will be printed, and the agency administrator sets the place name."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import Agency
from tests.conftest import Api
from tests.drafts import CORPUS, make
from tests.flows import complete, only_task, start, to_director
from tests.test_ui_inbox import _login
from webui import create_app


def _client(platform: Platform, username: str) -> tuple[FlaskClient, str]:
    client = create_app(platform).test_client()
    _login(client, username)
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inbox").get_data(as_text=True))
    assert found is not None
    return client, found[1]


def test_the_drafter_places_the_boxes_on_the_page(api: Api, platform: Platform) -> None:
    case = start(api)
    doc_id = case["document"]["id"]
    assert api.upload("btl_spec_khnv", doc_id, make(CORPUS[5])).status_code == 201
    drafter, csrf = _client(platform, "btl_spec_khnv")
    assert f'href="/documents/{doc_id}/placement"' in drafter.get(f"/documents/{doc_id}").get_data(as_text=True)
    page = drafter.get(f"/documents/{doc_id}/placement").get_data(as_text=True)
    assert f'src="/documents/{doc_id}/page-one.png"' in page and "Đặt vị trí số và ngày trên trang 1" in page
    picture = drafter.get(f"/documents/{doc_id}/page-one.png")
    assert picture.status_code == 200 and picture.mimetype == "image/png"

    form = {"csrf_token": csrf, "number_x1": "60", "number_y1": "735", "number_x2": "250", "number_y2": "755",
            "date_x1": "320", "date_y1": "735", "date_x2": "abc", "date_y2": "755"}
    refused = drafter.post(f"/documents/{doc_id}/placement", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-error-for="date"' in html and 'value="abc"' in html
    assert drafter.post(f"/documents/{doc_id}/placement", data={**form, "csrf_token": ""}).status_code in (400, 403)
    done = drafter.post(f"/documents/{doc_id}/placement", data={**form, "date_x2": "560,5"})
    assert done.status_code == 302
    assert 'value="560.5"' in drafter.get(f"/documents/{doc_id}/placement").get_data(as_text=True)

    assert 'data-testid="own-placeholders"' not in page
    stranger, _ = _client(platform, "btl_spec_ksdb")
    assert stranger.get(f"/documents/{doc_id}/placement").status_code == 403


def test_a_draft_with_its_own_lines_says_so_on_the_placement_page(api: Api, platform: Platform) -> None:
    case = start(api)
    doc_id = case["document"]["id"]
    assert api.upload("btl_spec_khnv", doc_id, make(CORPUS[0])).status_code == 201
    drafter, _ = _client(platform, "btl_spec_khnv")
    assert 'data-testid="own-placeholders"' in drafter.get(f"/documents/{doc_id}/placement").get_data(as_text=True)


def test_the_clerk_sees_the_preview_on_the_issue_task(api: Api, platform: Platform) -> None:
    case = complete(api, "btl_director", only_task(to_director(api)), {"decision": "sign"})
    doc_id = case["document"]["id"]
    clerk, _ = _client(platform, "btl_clerk")
    task = clerk.get(f"/tasks/{only_task(case)['id']}").get_data(as_text=True)
    assert f'src="/documents/{doc_id}/issue-preview.png"' in task
    preview = clerk.get(f"/documents/{doc_id}/issue-preview.png")
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    specialist, _ = _client(platform, "btl_spec_khnv")
    assert specialist.get(f"/documents/{doc_id}/issue-preview.png").status_code == 403


def test_the_administrator_sets_the_place_name(api: Api, platform: Platform) -> None:
    admin, csrf = _client(platform, "btl_admin")
    page = admin.get("/admin/seal?agency=btl").get_data(as_text=True)
    assert 'value="Bắc Từ Liêm"' in page
    refused = admin.post("/admin/place-name", data={"csrf_token": csrf, "agency": "btl", "place_name": "Hà Nội, 2"})
    assert refused.status_code == 422 and 'data-error-for="place_name"' in refused.get_data(as_text=True)
    assert admin.post("/admin/place-name", data={"csrf_token": csrf, "agency": "btl",
                                                 "place_name": " Quận Bắc Từ Liêm "}).status_code == 302
    with platform.db.read() as session:
        assert session.scalar(select(Agency.place_name).where(Agency.code == "btl")) == "Quận Bắc Từ Liêm"
    clerk, csrf = _client(platform, "btl_clerk")
    assert clerk.post("/admin/place-name", data={"csrf_token": csrf, "agency": "btl",
                                                 "place_name": "Hà Nội"}).status_code == 403
