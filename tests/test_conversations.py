"""Internal messages: a message with a file reaches only its recipients; outsiders get 403
on the message and its file; nothing crosses agencies unless the sender's agency allows it."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import update

from engine.core.platform import Platform
from engine.models import Agency
from tests.conftest import Api
from tests.flows import start
from tests.pdfs import minimal_pdf


def _auth(api: Api, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token(user)}"}


def _send_file(api: Api, user: str, conversation: int, text: str) -> Any:
    return api.client.post(f"/api/v1/conversations/{conversation}/messages", headers=_auth(api, user),
                           data={"text": text, "file": (io.BytesIO(minimal_pdf("bao cao")), "bao-cao.pdf")},
                           content_type="multipart/form-data")


def test_a_message_with_a_file_reaches_only_its_recipients(api: Api) -> None:
    r = api.post("btl_spec_khnv", "/api/v1/conversations", {"members": ["btl_head_khnv", "btl_spec_ksdb"],
                                                            "title": "Số liệu tiêm chủng"})
    assert r.status_code == 201, r.get_json()
    conversation = r.get_json()["id"]
    sent = _send_file(api, "btl_spec_khnv", conversation, "Gửi anh chị bảng tổng hợp")
    assert sent.status_code == 201, sent.get_json()
    file_id = sent.get_json()["files"][0]["id"]
    message_id = sent.get_json()["id"]

    mine = api.get("btl_head_khnv", "/api/v1/conversations").get_json()
    assert (mine["unread"], mine["items"][0]["title"]) == (1, "Số liệu tiêm chủng")
    assert api.get("btl_spec_khnv", "/api/v1/conversations").get_json()["unread"] == 0  # the sender's own
    page = api.get("btl_head_khnv", f"/api/v1/conversations/{conversation}/messages").get_json()
    assert [(m["sender"], m["text"]) for m in page["items"]] == [("btl_spec_khnv", "Gửi anh chị bảng tổng hợp")]
    path = f"/api/v1/conversations/{conversation}/messages/{message_id}/files/{file_id}"
    got = api.get("btl_spec_ksdb", path)
    assert got.status_code == 200 and got.data == minimal_pdf("bao cao")
    assert api.get("btl_head_khnv", "/api/v1/notifications").get_json()["items"][0]["kind"] == "message"

    for outsider in ("btl_director", "btl_clerk"):
        assert api.get(outsider, f"/api/v1/conversations/{conversation}/messages").status_code == 403
        assert api.get(outsider, path).status_code == 403
        assert api.post(outsider, f"/api/v1/conversations/{conversation}/messages", {"text": "x"}).status_code == 403
    api.post("btl_head_khnv", f"/api/v1/conversations/{conversation}/read", {})
    assert api.get("btl_head_khnv", "/api/v1/conversations").get_json()["unread"] == 0


def test_files_are_checked_like_documents_and_links_must_be_visible_to_all(api: Api) -> None:
    conversation = api.post("btl_spec_khnv", "/api/v1/conversations", {"members": ["btl_spec_ksdb"]}).get_json()["id"]
    bad = api.client.post(f"/api/v1/conversations/{conversation}/messages", headers=_auth(api, "btl_spec_khnv"),
                          data={"text": "x", "file": (io.BytesIO(b"MZ not a pdf"), "x.pdf")},
                          content_type="multipart/form-data")
    assert bad.status_code == 422
    case = start(api)  # btl_spec_ksdb has nothing to do with it
    r = api.post("btl_spec_khnv", f"/api/v1/conversations/{conversation}/messages",
                 {"text": "Xem hồ sơ này", "case_id": case["id"]})
    assert r.status_code == 422 and "case_id" in r.get_json()["fields"]
    ok = api.post("btl_spec_khnv", f"/api/v1/conversations/{conversation}/messages", {"text": "Chào chị"})
    assert ok.status_code == 201
    # One-to-one conversations are not duplicated.
    again = api.post("btl_spec_ksdb", "/api/v1/conversations", {"members": ["btl_spec_khnv"]}).get_json()["id"]
    assert again == conversation


def test_nothing_crosses_agencies_unless_the_senders_agency_allows_it(api: Api, platform: Platform) -> None:
    r = api.post("btl_spec_khnv", "/api/v1/conversations", {"members": ["qn_spec_nvy"]})
    assert r.status_code == 403
    with platform.db.write() as session:
        session.execute(update(Agency).where(Agency.code == "btl").values(cross_agency_messages=True))
    assert api.post("btl_spec_khnv", "/api/v1/conversations", {"members": ["qn_spec_nvy"]}).status_code == 201
    assert api.post("qn_spec_nvy", "/api/v1/conversations", {"members": ["laichau_clerk"]}).status_code == 403
