"""Two installations on 127.0.0.1 exchanging edXML over HTTP (issue 15 items 2–4): Bắc Từ Liêm on
installation A sends to the People's Committee of Vạn Ninh on installation B. Each runs `qlvb
serve` and `qlvb worker` on its own database and data folder; the partners authenticate with a
shared secret (HMAC) and check each other's package signatures against their directories.

The receiving server is killed before the document is sent and the sending one before the
statuses come back: the outboxes retry until the other side answers, and the import is
idempotent, so each side ends with exactly one document and one of each status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import OutboxItem
from tests.drafts import open_draft
from tests.exchange_support import BTL, VANNINH
from tests.flows import DRAFT
from tests.installations import (
    Entry,
    Installation,
    finish_outgoing,
    issue,
    linked,
    replays_and_verifies,
    running,
    wait_for,
)


@pytest.fixture
def installations(database_url: str, second_database_url: str, demo_pki: Path,
                  tmp_path: Path) -> Iterator[tuple[Installation, Installation]]:
    yield from linked(database_url, second_database_url, demo_pki, tmp_path,
                      Entry("btl", VANNINH, "UBND huyện Vạn Ninh", "vanninh"),
                      Entry("vanninh", BTL, "Trung tâm Y tế quận Bắc Từ Liêm", "btl"))


def _codes(a: Installation, document_id: int) -> list[str]:
    items = a.get("btl_clerk", f"/api/v1/exchange/documents/{document_id}/statuses")["items"]
    return [h["code"] for h in reversed(items[0]["history"])] if items else []


def _waiting(b: Installation, subject: str) -> dict[str, Any] | None:
    return next((i for i in b.get("vn_clerk", "/api/v1/exchange/incoming")["items"]
                 if i["document"]["subject"] == subject), None)


def _failed_attempts(platform: Platform, kind: str) -> int:
    with platform.db.read() as session:
        return sum(i.attempts for i in session.scalars(select(OutboxItem).where(OutboxItem.kind == kind,
                                                                                OutboxItem.state == "pending")))


def _task(case: dict[str, Any], name: str) -> dict[str, Any]:
    task: dict[str, Any] = next(t for t in case["open_tasks"] if t["task"] == name)
    return task


def test_send_statuses_recall_and_replace_between_two_installations(
        installations: tuple[Installation, Installation]) -> None:
    a, b = installations
    with running(a, b):
        # B is down when A issues: A's outbox keeps the package and tries again.
        b.server.kill()
        sent = issue(a, "Kế hoạch phòng chống dịch sốt xuất huyết năm 2026")
        wait_for("a failed delivery to B", lambda: _failed_attempts(a.platform, "edoc") >= 1)
        b.server.start()
        item = wait_for("the document at B", lambda: _waiting(b, sent["subject"]))
        arrived = item["document"]
        assert (arrived["number_symbol"], arrived["issuer_organ_id"], arrived["signature_status"]) == (
            sent["number_symbol"], BTL, "valid")
        assert [f["sha256"] for f in arrived["files"]] == [f["sha256"] for f in sent["files"]]
        wait_for("01 at A", lambda: _codes(a, sent["id"]) == ["01"])

        # A is down while B registers and assigns: B's outbox retries the statuses.
        a.server.kill()
        registered = b.post("vn_clerk", f"/api/v1/exchange/incoming/{item['id']}/register", {"process": "vn_five_step"})
        case = b.get("vn_chairman", f"/api/v1/cases/{registered['case_id']}")
        case = b.complete("vn_chairman", _task(case, "leader_assign"), {"assignee": "vn_spec_vp"})  # 04, then 05
        wait_for("a failed status delivery to A", lambda: _failed_attempts(b.platform, "status") >= 1)
        a.server.start()
        reply = {"subject": "Báo cáo kết quả triển khai kế hoạch phòng chống dịch", "doc_type": "BC"}
        case = b.complete("vn_spec_vp", _task(case, "official_draft"), reply)
        b.upload("vn_spec_vp", case["document"]["id"], open_draft())
        # The draft's file came after the leader's task opened: back once, so that it is the one signed.
        case = b.complete("vn_chairman", _task(case, "leader_sign"), {"decision": "return", "note": "Ký lại"})
        case = b.complete("vn_spec_vp", _task(case, "official_draft"), reply)
        case = b.complete("vn_chairman", _task(case, "leader_sign"), {"decision": "sign"})
        case = b.complete("vn_clerk", _task(case, "clerk_issue"), {"decision": "issue", "recipients": [
            {"name": "Trung tâm Y tế quận Bắc Từ Liêm", "delivery": "paper"}]})  # 06
        assert case["status"] == "completed"
        wait_for("01 03 04 05 06 at A", lambda: _codes(a, sent["id"]) == ["01", "03", "04", "05", "06"])
        assert len(b.get("vn_clerk", "/api/v1/exchange/incoming?state=registered")["items"]) == 1

        # Recall: B's copy is frozen and its clerk told; A records 13, then B's 15.
        recalled = issue(a, "Công văn về việc tổ chức tập huấn phòng chống dịch")
        copy = wait_for("the second document at B", lambda: _waiting(b, recalled["subject"]))
        a.post("btl_clerk", f"/api/v1/documents/{recalled['id']}/recall", {"reason": "Ban hành nhầm"})
        wait_for("15 at A", lambda: _codes(a, recalled["id"]) == ["01", "13", "15"])
        assert b.get("vn_clerk", f"/api/v1/documents/{copy['document']['id']}")["status"] == "recalled"

        # Replace: the new document arrives linked to the old copy, which is frozen; 15 for the old one.
        old = issue(a, "Thông báo lịch tiêm chủng mở rộng tháng 4")
        old_copy = wait_for("the third document at B", lambda: _waiting(b, old["subject"]))
        case = a.post("btl_clerk", f"/api/v1/documents/{old['id']}/successor",
                      {"kind": "replace", "reason": "Sai ngày tiêm"}, expect=201)
        draft = {"subject": case["document"]["subject"], "doc_type": DRAFT["doc_type"]}
        new = finish_outgoing(a, case, draft)
        new_copy = wait_for("the replacement at B", lambda: _waiting(b, new["subject"]))
        assert new_copy["business_type"] == 3
        wait_for("15 for the replaced document at A", lambda: _codes(a, old["id"])[-1:] == ["15"])
        assert b.get("vn_clerk", f"/api/v1/documents/{old_copy['document']['id']}")["status"] == "replaced"
        links = b.get("vn_clerk", f"/api/v1/documents/{new_copy['document']['id']}")["links"]
        assert [(link["kind"], link["document_id"]) for link in links] == [("replaces", old_copy["document"]["id"])]
        wait_for("01 for the replacement at A", lambda: _codes(a, new["id"]) == ["01"])
    # Nothing doubled: one incoming entry per document sent.
    with b.platform.db.read() as session:
        from engine.models import Received
        assert len(list(session.scalars(select(Received).where(Received.business_type == 0)))) == 3
    for i in (a, b):
        replays_and_verifies(i.platform)
