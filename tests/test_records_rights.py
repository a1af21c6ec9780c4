"""Records respect document rights: a record shows, counts and exports only the documents
its reader may open (the document page's rule), for every position of the agency; page
counts are stored at upload, so a crafted PDF (its page tree in a 512 MiB object stream),
refused at upload now (engine/documents/pdf_check.py) but stored by an older version, has an unknown
count and never breaks a list or an export."""

from __future__ import annotations

import functools
import io
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from lxml import etree
from sqlalchemy import select, update

from engine.core.clock import VIETNAM
from engine.core.errors import Forbidden
from engine.core.platform import Platform
from engine.demo import AGENCIES
from engine.documents import pdf_pages
from engine.documents.storage import FileStore
from engine.models import AuditEntry, Document, DocumentFile, User
from engine.org import permissions
from qlvb.cli import main
from tests.conftest import Api
from tests.flows import DRAFT, attach_pdf, start
from tests.pdfs import minimal_pdf, page_tree_bomb
from tests.test_route_matrix import _login
from webui import create_app

BTL_STAFF = [s[0] for a in AGENCIES if a.code == "btl" for s in a.staff]


@functools.cache
def _bomb() -> bytes:
    return page_tree_bomb()


def _incoming(api: Api, subject: str, number: str, **extra: Any) -> int:
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": {
        "doc_type": "CV", "subject": subject, "number_symbol": number, "issuer_name": "Sở Y tế Hà Nội",
        "document_date": "2026-02-20", **extra}})
    assert r.status_code == 201, r.get_json()
    doc_id: int = r.get_json()["document"]["id"]
    return doc_id


def _stored_before_uploads_were_checked(api: Api, doc_id: int, content: bytes) -> None:
    """The crafted file as an installation may hold it from before uploads were checked:
    stored, and counted at once as an upload was."""
    platform: Platform = api.client.application.extensions["qlvb"]
    store = FileStore(platform.settings.files_dir)
    sha, size = store.put(io.BytesIO(content), len(content), lambda _head: None)
    with platform.db.write() as session:
        clerk = session.scalars(select(User).where(User.username == "btl_clerk")).one()
        session.add(DocumentFile(document_id=doc_id, role="main", filename="hong.pdf", sha256=sha, size=size,
                                 content_type="application/pdf", uploaded_by=clerk.id,
                                 uploaded_at=platform.clock.now(), page_count=pdf_pages.count(store.path(sha))))


def _setup(api: Api) -> tuple[int, dict[int, str]]:
    """A public record of the clerk's holding a secret document, another unit's draft with
    its PDF, an ordinary incoming document and one whose PDF is the crafted one."""
    secret = _incoming(api, "Công văn mật về phương án phòng chống dịch", "01/CV-MAT", secrecy="mat")
    ordinary = _incoming(api, "Công văn về lịch tiêm chủng tháng ba", "02/CV-SYT")
    assert api.upload("btl_clerk", ordinary, minimal_pdf("Lich tiem chung")).status_code == 201
    bombed = _incoming(api, "Công văn kèm tệp PDF bị làm hỏng", "03/CV-SYT")
    refused = api.upload("btl_clerk", bombed, _bomb())  # engine/documents/pdf_check.py: a decompression bomb
    assert (refused.status_code, "bom nén" in refused.get_json()["error"]) == (422, True), refused.get_json()
    _stored_before_uploads_were_checked(api, bombed, _bomb())
    case = start(api, "btl_spec_khnv", DRAFT)
    attach_pdf(api, "btl_spec_khnv", case)
    draft = case["document"]["id"]
    r = api.post("btl_clerk", "/api/v1/records", {"notation": "01.PCD", "title": "Hồ sơ phòng chống dịch năm 2026",
                                                   "retention": "10 năm", "access": "Công khai"})
    assert r.status_code == 201, r.get_json()
    record_id: int = r.get_json()["id"]
    subjects = {secret: "Công văn mật về phương án phòng chống dịch", ordinary: "Công văn về lịch tiêm chủng tháng ba",
                bombed: "Công văn kèm tệp PDF bị làm hỏng", draft: DRAFT["subject"]}
    for doc_id in subjects:
        r = api.post("btl_clerk", f"/api/v1/records/{record_id}/documents", {"document_id": doc_id})
        assert r.status_code == 201, r.get_json()
    return record_id, subjects


def _may_open(platform: Platform, username: str, doc_ids: list[int]) -> set[int]:
    """The documents ``username`` may open on the document page."""
    allowed = set()
    with platform.db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        today = platform.clock.now().astimezone(VIETNAM).date()
        for doc_id in doc_ids:
            doc = session.get(Document, doc_id)
            assert doc is not None
            try:
                permissions.ensure_can_view_document(session, user, doc, today)
                allowed.add(doc_id)
            except Forbidden:
                pass
    return allowed


def _exported(platform: Platform) -> list[int]:
    with platform.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "record_exported")
                                .order_by(AuditEntry.id.desc()).limit(1)).one()
        found: list[int] = json.loads(entry.payload)["documents"]
        return found


def test_no_position_sees_in_a_record_what_it_may_not_open(api: Api, platform: Platform, tmp_path: Path) -> None:
    record_id, subjects = _setup(api)
    leaks: list[tuple[str, str, int]] = []
    hidden_somewhere = 0
    for username in BTL_STAFF:
        allowed = _may_open(platform, username, list(subjects))
        hidden_somewhere += len(subjects) - len(allowed)
        listed = api.get(username, "/api/v1/records")
        assert listed.status_code == 200, (username, listed.get_json())
        row = next(r for r in listed.get_json()["items"] if r["id"] == record_id)
        shown = api.get(username, f"/api/v1/records/{record_id}").get_json()
        assert shown["documents"] == row["documents"] == len(allowed), (username, shown)
        leaks += [(username, "get", i["id"]) for i in shown["items"] if i["id"] not in allowed]

        pdf = api.get(username, f"/api/v1/records/{record_id}/export.pdf")
        assert pdf.status_code == 200, username
        leaks += [(username, "pdf", d) for d in _exported(platform) if d not in allowed]
        (tmp_path / "record.pdf").write_bytes(pdf.data)
        text = subprocess.run(["pdftotext", str(tmp_path / "record.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        leaks += [(username, "pdf text", d) for d, s in subjects.items() if d not in allowed and s[:30] in text]

        xml = api.get(username, f"/api/v1/records/{record_id}/export.xml")
        assert xml.status_code == 200, username
        in_xml = [d.findtext("Subject") for d in etree.fromstring(xml.data).iter("Document")]
        leaks += [(username, "xml", d) for d, s in subjects.items() if d not in allowed and s in in_xml]
        assert len(in_xml) == len(allowed)
    assert leaks == []
    assert hidden_somewhere > 0  # the matrix did test something: some positions may not open some documents


def test_a_crafted_pdf_gets_no_page_count_and_lists_stay_200(api: Api, platform: Platform) -> None:
    record_id, subjects = _setup(api)
    with platform.db.read() as session:
        counts = {f.document_id: f.page_count for f in session.scalars(select(DocumentFile))}
    bombed = next(d for d, s in subjects.items() if "làm hỏng" in s)
    ordinary = next(d for d, s in subjects.items() if "lịch tiêm" in s)
    assert counts[bombed] is None and counts[ordinary] == 1
    began = time.monotonic()
    for path in ("/api/v1/records", f"/api/v1/records/{record_id}", "/api/v1/records/stats",
                 f"/api/v1/records/{record_id}/export.xml", f"/api/v1/records/{record_id}/export.pdf"):
        r = api.get("btl_clerk", path)
        assert r.status_code == 200, (path, r.get_data(as_text=True)[:200])
    assert time.monotonic() - began < 30
    shown = api.get("btl_clerk", f"/api/v1/records/{record_id}").get_json()
    assert {i["id"]: i["pages"] for i in shown["items"]}[bombed] is None
    assert (shown["pages"], shown["pages_unknown"]) == (2, 1)  # the ordinary one and the draft; the crafted one
    client = create_app(platform).test_client()
    _login(client, "btl_clerk")
    for path in ("/records", f"/records/{record_id}"):
        page = client.get(path)
        assert page.status_code == 200, path
    assert "1 văn bản chưa rõ số trang" in page.get_data(as_text=True)


def test_count_pages_fills_in_files_stored_before_the_column(api: Api, platform: Platform) -> None:
    doc_id = _incoming(api, "Công văn về lịch tiêm chủng tháng ba", "02/CV-SYT")
    assert api.upload("btl_clerk", doc_id, minimal_pdf("Lich tiem chung")).status_code == 201
    with platform.db.write() as session:
        session.execute(update(DocumentFile).values(page_count=None))
    env = {"QLVB_DATABASE_URL": platform.settings.database_url, "QLVB_DATA_DIR": str(platform.settings.data_dir)}
    result = CliRunner().invoke(main, ["count-pages"], env=env)
    assert result.exit_code == 0 and "Đã đếm số trang của 1 tệp; 0 tệp" in result.output, result.output
    with platform.db.read() as session:
        assert session.scalars(select(DocumentFile.page_count)).all() == [1]
