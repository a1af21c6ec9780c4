"""Each notification kind reaches the right users, in the app and through a local SMTP
server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.models import User
from engine.office import notifications
from tests.conftest import Api
from tests.flows import DRAFT, attach_pdf, complete, issue_via_deputy, only_task, start, to_head


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _mine(api: Api, user: str) -> list[tuple[str, str]]:
    items = api.get(user, "/api/v1/notifications?per_page=100").get_json()["items"]
    return [(n["kind"], n["title"]) for n in reversed(items)]


def test_new_task_and_return_with_note_reach_the_right_people(api: Api) -> None:
    task = to_head(api)
    assert _mine(api, "btl_head_khnv") == [("task", "Công việc mới: Lãnh đạo phòng duyệt")]
    assert ("task", "Công việc mới: Soạn thảo, trình văn bản") in _mine(api, "btl_spec_khnv")
    assert _mine(api, "btl_head_ksdb") == []
    complete(api, "btl_head_khnv", task, {"decision": "return", "note": "Bổ sung số liệu quý I"})
    returned = api.get("btl_spec_khnv", "/api/v1/notifications?unread=1").get_json()["items"][0]
    assert (returned["kind"], returned["body"]) == ("returned", "Bổ sung số liệu quý I")
    count = api.get("btl_spec_khnv", "/api/v1/notifications/count").get_json()["unread"]
    assert count == 2  # the draft task at the start, then the return
    r = api.post("btl_spec_khnv", "/api/v1/notifications/read", {"ids": [returned["id"]]})
    assert r.get_json() == {"marked": 1, "unread": 1}
    assert api.post("btl_spec_khnv", "/api/v1/notifications/read", {"ids": "all"}).get_json()["unread"] == 0
    assert api.post("btl_spec_khnv", "/api/v1/notifications/read", {"ids": "x"}).status_code == 422


def test_deadline_soon_and_passed_are_announced_once(api: Api, platform: Platform, clock: FakeClock) -> None:
    to_head(api)  # the head's review is due in two days
    clock.advance(timedelta(days=1, hours=2))
    for _ in range(2):
        with platform.db.write() as session:
            notifications.sweep_deadlines(session, clock.now())
    clock.advance(timedelta(days=1))
    with platform.db.write() as session:
        notifications.sweep_deadlines(session, clock.now())
    kinds = [k for k, _ in _mine(api, "btl_head_khnv")]
    assert kinds == ["task", "deadline_soon", "overdue"]


def test_document_issued_to_a_unit_reaches_its_people(api: Api) -> None:
    case = start(api)
    attach_pdf(api, "btl_spec_khnv", case)
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    recipients = [{"name": "Khoa Kiểm soát dịch bệnh", "unit": "KSDB", "delivery": "electronic"}]
    complete(api, "btl_clerk", only_task(case), {"decision": "issue", "recipients": recipients})
    for user in ("btl_head_ksdb", "btl_spec_ksdb"):
        assert _mine(api, user)[-1][0] == "issued_to_unit"
        assert "01/KH-TTYT" in _mine(api, user)[-1][1]
    assert all(k != "issued_to_unit" for k, _ in _mine(api, "btl_head_tyt1"))
    # ... and the document itself in their "để biết" list, unread, which opens it for them.
    for user in ("btl_head_ksdb", "btl_spec_ksdb"):
        items = api.get(user, "/api/v1/info-items").get_json()["items"]
        assert [(i["number_symbol"], i["read"]) for i in items] == [("01/KH-TTYT", False)]
        assert api.get(user, f"/api/v1/documents/{items[0]['document_id']}").status_code == 200
    assert api.get("btl_head_tyt1", "/api/v1/info-items").get_json()["items"] == []
    # The drafter is told that their document went out, with its number.
    kind, title = _mine(api, "btl_spec_khnv")[-1]
    assert (kind, title.startswith("Văn bản bạn soạn đã phát hành: 01/KH-TTYT")) == ("issued", True)


def test_email_goes_only_to_those_who_turned_it_on(api: Api, platform: Platform, smtp: tuple[_Inbox, int]) -> None:
    inbox, port = smtp
    assert api.client.patch("/api/v1/me", json={"email_notifications": "yes"},
                            headers={"Authorization": f"Bearer {api.token('btl_head_khnv')}"}).status_code == 422
    r = api.client.patch("/api/v1/me", json={"email_notifications": True},
                         headers={"Authorization": f"Bearer {api.token('btl_head_khnv')}"})
    assert r.get_json()["email_notifications"] is True
    issue_via_deputy(api)  # notifies btl_head_ksdb and others, none of whom turned e-mail on
    to_head(api)
    mailer = notifications.SmtpMailer("127.0.0.1", port, "qlvb@demo.invalid")
    with platform.db.write() as session:
        sent = notifications.send_emails(session, mailer, platform.clock.now())
    assert sent == 1
    assert [(m["To"], m["Subject"]) for m in inbox.messages] == [
        ("btl_head_khnv@demo.invalid", "[QLVB] Công việc mới: Lãnh đạo phòng duyệt")]
    assert "Kế hoạch tiêm chủng" in inbox.messages[0].get_content()
    with platform.db.write() as session:
        assert notifications.send_emails(session, mailer, platform.clock.now()) == 0  # not twice
        session.execute(update(User).values(email_notifications=False))
