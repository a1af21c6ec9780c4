"""Liên thông through the outbox and the import inside one process (issue 15 items 2–4): Bắc Từ
Liêm sends to Vạn Ninh as if Vạn Ninh were another installation (each has the other in its
directory; a transport hands the package to the receiving side's import). The same package
twice makes one document; other content under the same DocumentId is refused with nothing
stored; the clerk registers (03) or refuses (02); a recall freezes the copy (15 back)."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import AuditEntry, Document, OutboxItem, Partner, Received, StatusEntry
from exchange import codec, edxml, inbound, outbox
from exchange.received import Incoming
from tests.conftest import Api
from tests.exchange_support import (  # noqa: F401
    BTL,
    TO_VANNINH,
    VANNINH,
    Loopback,
    built_package,
    issue_to,
    linked,
    sweep,
)
from tests.flows import complete


def _count(platform: Platform, model: Any, *where: Any) -> int:
    with platform.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _statuses(platform: Platform, document_id: int) -> list[str]:
    with platform.db.read() as session:
        return list(session.scalars(select(StatusEntry.code).where(StatusEntry.document_id == document_id)
                                    .order_by(StatusEntry.id)))


def test_send_receive_register_and_statuses_back(api: Api, linked: Platform) -> None:  # noqa: F811
    platform = linked
    case = issue_to(api, [TO_VANNINH])
    sent = case["document"]
    assert _count(platform, OutboxItem, OutboxItem.document_id == sent["id"]) == 1
    loop = Loopback(platform, down=True)
    assert sweep(platform, loop) == 0  # the receiver is down: tried again later, nothing lost
    with platform.db.read() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.document_id == sent["id"])).one()
        assert (item.state, item.attempts, item.last_error) == ("pending", 1, "Không kết nối được")
    clock = platform.clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(seconds=2))
    loop.down = False
    assert sweep(platform, loop) == 1
    # Vạn Ninh: one electronic incoming document waiting for its clerk, the same files.
    items = api.get("vn_clerk", "/api/v1/exchange/incoming").get_json()["items"]
    assert len(items) == 1 and items[0]["last_status"] == "01"
    arrived = items[0]["document"]
    assert (arrived["direction"], arrived["status"], arrived["number_symbol"], arrived["subject"]) == (
        "incoming", "draft", sent["number_symbol"], sent["subject"])
    assert [f["sha256"] for f in arrived["files"]] == [f["sha256"] for f in sent["files"]]
    assert arrived["signature_status"] == "valid"
    # The same package again (a retry after a lost answer): one document, answered with its status.
    with platform.db.read() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.document_id == sent["id"])).one()
        package = FileStore(platform.settings.files_dir).path(item.package_sha256 or "").read_bytes()
        entry = session.scalars(select(Partner).where(Partner.organ_id == BTL)).one()
        session.expunge(entry)
    again = inbound.receive(platform, entry.agency_id, entry, VANNINH, package, codec.parse)
    assert (again.http, again.body["status"], again.body["duplicate"]) == (200, "01", True)
    assert _count(platform, Received) == 1
    documents_before = _count(platform, Document)
    # Changed on the way: the signature no longer holds. Refused with 02, audited, nothing stored.
    tampered = package.replace(sent["subject"].encode(), "Nội dung khác hẳn".encode())
    refused = inbound.receive(platform, entry.agency_id, entry, VANNINH, tampered, codec.parse)
    assert (refused.http, refused.body["status"]) == (422, "02") and "Chữ ký số" in refused.body["description"]
    # The sender signs other content under the same DocumentId: a replay, refused the same way.
    original = edxml.parse_any(package, trust=None)
    assert isinstance(original, edxml.Package)
    key = codec.signer(platform.settings.pki_dir, platform.settings.exchange_key_password_file, "btl")
    other = edxml.build(dataclasses.replace(original, subject="Nội dung khác hẳn"), key)
    refused = inbound.receive(platform, entry.agency_id, entry, VANNINH, other, codec.parse)
    assert (refused.http, refused.body["status"]) == (422, "02") and "nội dung khác" in refused.body["description"]
    # Signed anew with the same content (another signing time): the same package, not a replay.
    again = inbound.receive(platform, entry.agency_id, entry, VANNINH, edxml.build(original, key), codec.parse)
    assert (again.http, again.body["status"], again.body["duplicate"]) == (200, "01", True)
    assert _count(platform, Document) == documents_before and _count(platform, Received) == 1
    assert _count(platform, AuditEntry, AuditEntry.action == "exchange_refused") == 2
    # The clerk registers it in the incoming procedure: 03 back with the number.
    r = api.post("vn_clerk", f"/api/v1/exchange/incoming/{items[0]['id']}/register", {"process": "vn_five_step"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["number"] == 1
    sweep(platform, loop)  # Vạn Ninh's statuses 01 and 03 go back to Bắc Từ Liêm
    assert _statuses(platform, sent["id"]) == ["01", "03"]
    delivery = api.get("btl_clerk", f"/api/v1/exchange/documents/{sent['id']}/statuses").get_json()["items"]
    assert [(d["organ_id"], d["latest"]["code"]) for d in delivery] == [(VANNINH, "03")]
    # The outgoing register's "Nơi nhận" shows the delivery.
    book = api.get("btl_clerk", "/api/v1/registers/outgoing?year=2026").get_json()
    entry_row = next(i for i in book["items"] if i["id"] == sent["id"])
    assert entry_row["recipients"] == ["Ủy ban nhân dân huyện Vạn Ninh (03 Đã tiếp nhận (vào sổ))"]
    # Recall: Vạn Ninh's copy is frozen, 15 back; Bắc Từ Liêm recorded 13 itself.
    r = api.post("btl_clerk", f"/api/v1/documents/{sent['id']}/recall", {"reason": "Sai số liệu"})
    assert r.status_code == 200, r.get_json()
    sweep(platform, loop)
    sweep(platform, loop)
    assert api.get("vn_clerk", f"/api/v1/documents/{arrived['id']}").get_json()["status"] == "recalled"
    assert _statuses(platform, sent["id"]) == ["01", "03", "13", "15"]


def test_the_clerk_refuses_with_a_reason_the_sender_reads(api: Api, linked: Platform) -> None:  # noqa: F811
    platform = linked
    sent = issue_to(api, [TO_VANNINH])["document"]
    loop = Loopback(platform)
    sweep(platform, loop)
    item = api.get("vn_clerk", "/api/v1/exchange/incoming").get_json()["items"][0]
    # Only the agency's clerks (and, to read, its administrators): others neither see nor decide.
    assert api.get("vn_spec_vp", "/api/v1/exchange/incoming").status_code == 403
    assert api.post("vn_spec_vp", f"/api/v1/exchange/incoming/{item['id']}/refuse", {"reason": "x"}).status_code == 404
    assert api.post("btl_clerk", f"/api/v1/exchange/incoming/{item['id']}/refuse", {"reason": "x"}).status_code == 404
    r = api.post("vn_clerk", f"/api/v1/exchange/incoming/{item['id']}/refuse", {"reason": "Không đúng thẩm quyền"})
    assert r.status_code == 200, r.get_json()
    sweep(platform, loop)
    delivery = api.get("btl_clerk", f"/api/v1/exchange/documents/{sent['id']}/statuses").get_json()["items"]
    assert delivery[0]["latest"]["code"] == "02"
    assert "Không đúng thẩm quyền" in delivery[0]["latest"]["description"]


def test_the_pages_directory_electronic_incoming_and_delivery(api: Api, linked: Platform) -> None:  # noqa: F811
    from tests.test_admin import Admin

    platform = linked
    admin = Admin(platform, "btl_admin")
    page = admin.get("/admin/exchange/partners?agency=btl")
    assert "Danh bạ cơ quan liên thông" in page and VANNINH in page
    form = {"agency": "btl", "organ_id": "000.00.00.G22", "name": "Văn phòng Chính phủ", "transport": "folder",
            "endpoint": "relative/folder", "active": "1"}
    assert "Cần đường dẫn tuyệt đối." in admin.post("/admin/exchange/partners", form, status=422)
    admin.post("/admin/exchange/partners", {**form, "endpoint": "/srv/truc-lien-thong/vpcp"})
    assert "Văn phòng Chính phủ" in admin.get("/admin/exchange/partners?agency=btl")
    r = admin.client.post("/admin/exchange/partners", data={**form, "name": "Không có mã CSRF"})
    assert r.status_code in (400, 403)
    assert Admin(platform, "btl_clerk").get("/admin/exchange/partners?agency=btl", status=403)
    with platform.db.read() as session:
        saved = session.scalars(select(AuditEntry).where(AuditEntry.action == "exchange_partner_saved")).all()
        assert len(saved) == 2  # the API's in the fixture, and the page's; the refused forms wrote nothing

    sent = issue_to(api, [TO_VANNINH], "Công văn về việc rà soát danh mục thuốc thiết yếu")["document"]
    loop = Loopback(platform)
    sweep(platform, loop)
    clerk = Admin(platform, "vn_clerk")
    page = clerk.get("/exchange/incoming")
    assert "Văn bản đến điện tử" in page and sent["subject"] in page
    assert Admin(platform, "vn_spec_vp").get("/exchange/incoming", status=403)
    received = api.get("vn_clerk", "/api/v1/exchange/incoming").get_json()["items"][0]["id"]
    assert "Cần nêu lý do từ chối tiếp nhận." in clerk.post(f"/exchange/incoming/{received}/refuse", {"reason": ""},
                                                            status=422)
    clerk.post(f"/exchange/incoming/{received}/register", {"process": "vn_five_step"})
    sweep(platform, loop)
    page = Admin(platform, "btl_clerk").get(f"/documents/{sent['id']}")
    assert "Gửi liên thông" in page and "03" in page and "Đã tiếp nhận (vào sổ)" in page


def _audited(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.db.read() as session:
        return [json.loads(e.payload) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq))]


def test_each_status_is_audited_when_queued_and_when_sent(api: Api, linked: Platform) -> None:  # noqa: F811
    platform = linked
    issue_to(api, [TO_VANNINH])
    loop = Loopback(platform)
    assert sweep(platform, loop) == 1
    item = api.get("vn_clerk", "/api/v1/exchange/incoming").get_json()["items"][0]
    arrived = item["document"]["id"]
    r = api.post("vn_clerk", f"/api/v1/exchange/incoming/{item['id']}/register", {"process": "vn_five_step"})
    assert r.status_code == 200, r.get_json()
    case = api.get("vn_chairman", f"/api/v1/cases/{r.get_json()['case_id']}").get_json()
    assign = next(t for t in case["open_tasks"] if t["task"] == "leader_assign")
    # One step, two milestones: the assignment completed (04) and the official's drafting opened (05).
    case = complete(api, "vn_chairman", assign, {"assignee": "vn_spec_vp"})
    assert [t["task"] for t in case["open_tasks"]] == ["official_draft"]
    queued = _audited(platform, "exchange_status_queued")
    assert [(q["document"], q["organ_id"], q["code"]) for q in queued] == [
        (arrived, BTL, "01"), (arrived, BTL, "03"), (arrived, BTL, "04"), (arrived, BTL, "05")]
    assert len({q["outbox"] for q in queued}) == 4
    assert sweep(platform, loop) == 4
    sent = [s for s in _audited(platform, "exchange_sent") if s["kind"] == "status"]
    assert sorted((s["document"], s["organ_id"], s["status_code"]) for s in sent) == [
        (arrived, BTL, "01"), (arrived, BTL, "03"), (arrived, BTL, "04"), (arrived, BTL, "05")]


def test_a_package_of_an_issued_document_reads_back_to_its_metadata_and_files(api: Api,
                                                                             linked: Platform) -> None:  # noqa: F811
    platform = linked
    sent, package = built_package(api, platform)
    with platform.db.read() as session:
        certificate = session.scalars(select(Partner.certificate_pem).where(Partner.organ_id == BTL)).one()
    incoming = codec.parse(package, certificate)
    assert isinstance(incoming, Incoming)
    assert (incoming.sender_organ, incoming.recipients, incoming.business_type) == (BTL, (VANNINH,), 0)
    fields = ("doc_type", "subject", "number_symbol", "document_date", "signer_authority", "signer_position",
              "signer_name", "due_date", "urgency", "page_amount")
    assert {k: incoming.metadata[k] for k in fields} == {k: sent[k] for k in fields}
    store = FileStore(platform.settings.files_dir)
    assert [(f.role, f.filename, f.data) for f in incoming.files] == [
        (f["role"], f["filename"], store.path(f["sha256"]).read_bytes()) for f in sent["files"]]


def test_a_worker_killed_after_its_post_loses_nothing_and_doubles_nothing(api: Api,
                                                                          linked: Platform) -> None:  # noqa: F811
    platform = linked
    clock = platform.clock
    assert isinstance(clock, FakeClock)
    sent = issue_to(api, [TO_VANNINH])["document"]
    loop = Loopback(platform)
    store = FileStore(platform.settings.files_dir)
    # A worker leases the item, builds and POSTs the package, the receiver takes it, and the worker
    # is killed before it records the answer: the item stays leased, neither sent nor failed.
    [item_id] = outbox._lease(platform.db, clock.now(), outbox.BATCH)
    sha = outbox._build(platform.db, lambda data: store.put(io.BytesIO(data), 1 << 30, lambda _h: None)[0],
                        codec.preparer(platform), item_id)
    partner, envelope = outbox._envelope(platform.db, item_id, store.path(sha).read_bytes())
    assert loop.send(partner, envelope).delivered
    sweep(platform, loop)  # Vạn Ninh's 01 goes; the package is leased: no other worker sends it meanwhile
    with platform.db.read() as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None and (item.state, item.attempts) == ("pending", 0)
    clock.advance(outbox.LEASE + timedelta(seconds=1))
    assert sweep(platform, loop) == 1  # the lease over, the same bytes again; the receiver knows them
    with platform.db.read() as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None and (item.state, item.package_sha256, item.document_id) == ("sent", sha, sent["id"])
    answers = [a["answer"] for a in _audited(platform, "exchange_sent") if a["kind"] == "edoc"]
    assert [(a["status"], a["duplicate"]) for a in answers] == [("01", True)]
    assert _count(platform, Received) == 1
    assert len(api.get("vn_clerk", "/api/v1/exchange/incoming").get_json()["items"]) == 1
