"""Documents: registration of incoming ones with duplicate warnings, secret entries,
file checks, and gapless numbering under concurrency."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from engine.core.clock import FakeClock
from engine.core.db import Database
from engine.core.platform import Platform
from engine.models import Agency, Document, DocumentFile, RegisterBook
from engine.registry import registers
from tests.conftest import Api
from tests.flows import DRAFT, complete, only_task, start
from tests.pdfs import minimal_pdf

INCOMING = {"doc_type": "CV", "subject": "Về việc tăng cường phòng chống dịch sốt xuất huyết",
            "number_symbol": "125/SYT-NVY", "issuer_name": "Sở Y tế Hà Nội", "issuer_organ_id": "000.00.12.H26",
            "document_date": "2026-02-27", "urgency": "khan"}


def _enter(api: Api, data: dict[str, Any], user: str = "btl_clerk", **extra: Any) -> Any:
    return api.post(user, "/api/v1/documents", {"direction": "incoming", "data": data, **extra})


def test_incoming_registration_numbers_in_order_and_warns_on_duplicates_before_numbering(api: Api) -> None:
    first = _enter(api, INCOMING)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert (body["document"]["number"], body["document"]["status"], body["duplicates"]) == (1, "registered", [])
    assert body["document"]["arrival_date"] == "2026-03-02"
    second = _enter(api, {**INCOMING, "number_symbol": "126/SYT-NVY"}).get_json()
    assert second["document"]["number"] == 2
    warned = _enter(api, INCOMING)
    assert warned.status_code == 409  # before the number: nothing entered, nothing numbered
    assert warned.get_json()["needs"] == ["confirm_duplicates"]
    [earlier] = warned.get_json()["duplicates"]
    assert (earlier["id"], earlier["arrival_number"], earlier["arrival_date"], earlier["url"]) == (
        body["document"]["id"], 1, "2026-03-02", f"/documents/{body['document']['id']}")
    assert "số đến 1 ngày 02/03/2026" in warned.get_json()["error"]
    again = _enter(api, INCOMING, confirm_duplicates=True).get_json()
    assert again["document"]["number"] == 3  # the warning took no number
    assert [d["id"] for d in again["duplicates"]] == [body["document"]["id"]]


def test_only_a_clerk_registers_and_bad_metadata_is_refused(api: Api) -> None:
    assert _enter(api, INCOMING, user="btl_spec_khnv").status_code == 403
    r = _enter(api, {**INCOMING, "doc_type": "XYZ", "document_date": "27/02/2026", "issuer_organ_id": "abc"})
    assert r.status_code == 422
    assert set(r.get_json()["fields"]) == {"doc_type", "document_date", "issuer_organ_id"}
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "outgoing", "data": INCOMING})
    assert r.status_code == 422


def test_secret_entry_is_metadata_only_in_its_own_series_and_hidden(api: Api, platform: Platform) -> None:
    ordinary = _enter(api, INCOMING).get_json()["document"]
    secret = _enter(api, {**INCOMING, "secrecy": "mat", "number_symbol": "07/M-SYT"}).get_json()["document"]
    assert (ordinary["number"], secret["number"]) == (1, 1)  # its own series
    refused = api.upload("btl_clerk", secret["id"], minimal_pdf())
    assert refused.status_code == 422
    assert "mật" in refused.get_json()["error"]
    assert list((platform.settings.files_dir).glob("*/*")) == []  # nothing stored
    with platform.db.read() as s:
        assert s.scalars(select(DocumentFile)).all() == []
    assert api.get("btl_director", f"/api/v1/documents/{secret['id']}").status_code == 200
    for outsider in ("btl_admin", "btl_spec_khnv", "btl_head_khnv"):
        assert api.get(outsider, f"/api/v1/documents/{secret['id']}").status_code == 403, outsider
    out = api.post("btl_clerk", "/api/v1/documents",
                   {"direction": "outgoing", "data": {"doc_type": "CV", "subject": "Báo cáo mật về công tác",
                                                      "secrecy": "toi_mat"}})
    assert out.status_code == 201, out.get_json()
    assert out.get_json()["document"]["number_symbol"] == "01/TTYT-VT"


def test_files_must_be_pdf_within_the_size_limit(api: Api, platform: Platform) -> None:
    doc = _enter(api, INCOMING).get_json()["document"]
    assert api.upload("btl_clerk", doc["id"], b"MZ\x90\x00 not a pdf", "virus.pdf").status_code == 422
    assert api.upload("btl_clerk", doc["id"], minimal_pdf(), "scan.docx").status_code == 422
    none = api.post("btl_clerk", f"/api/v1/documents/{doc['id']}/files", {})
    assert none.status_code == 422 and none.get_json()["fields"] == {"file": "Bắt buộc."}
    big = b"%PDF-1.4\n" + b"0" * platform.settings.max_upload_bytes
    r = api.upload("btl_clerk", doc["id"], big)
    assert r.status_code == 422 and "quá lớn" in r.get_json()["error"]
    assert [p.name for p in platform.settings.files_dir.rglob("*") if p.is_file()] == []
    ok = api.upload("btl_clerk", doc["id"], minimal_pdf())
    assert ok.status_code == 201
    sha = ok.get_json()["sha256"]
    assert (platform.settings.files_dir / sha[:2] / sha).is_file()
    got = api.get("btl_clerk", f"/api/v1/documents/{doc['id']}/files/{ok.get_json()['id']}")
    assert got.status_code == 200 and got.data == minimal_pdf()
    assert api.get("btl_spec_ksdb", f"/api/v1/documents/{doc['id']}/files/{ok.get_json()['id']}").status_code == 403


def test_numbers_are_distinct_and_gapless_under_concurrency(platform: Platform) -> None:
    with platform.db.read() as s:
        agency_id = s.scalar(select(Agency.id).where(Agency.code == "btl"))
        book_id = s.scalar(select(RegisterBook.id).where(RegisterBook.agency_id == agency_id,
                                                         RegisterBook.code == "incoming"))
    taken: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8, timeout=300)  # a failed thread fails the test, never hangs it

    def work() -> None:
        db = Database(platform.settings.database_url)
        barrier.wait()
        mine = []
        for _ in range(200):
            with db.write() as session:
                mine.append(registers.take_number(session, book_id, 2026))
        db.dispose()
        with lock:
            taken.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == list(range(1, 1601))


def test_a_draft_resubmitted_unchanged_keeps_its_time_and_an_edit_moves_it(
    api: Api, platform: Platform, clock: FakeClock
) -> None:
    def updated_at(document_id: int) -> datetime:
        with platform.db.read() as s:
            moment = s.scalar(select(Document.updated_at).where(Document.id == document_id))
            assert moment is not None
            return moment

    case = start(api)
    document_id = case["document"]["id"]
    created = updated_at(document_id)
    clock.advance(timedelta(hours=1))
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    assert updated_at(document_id) == created
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "return", "note": "Sửa lại số liệu"})
    clock.advance(timedelta(hours=1))
    edited = {**DRAFT, "subject": DRAFT["subject"] + " (sửa)"}
    case = complete(api, "btl_spec_khnv", only_task(case), edited)
    assert case["document"]["subject"] == edited["subject"]
    assert updated_at(document_id) == created + timedelta(hours=2)
