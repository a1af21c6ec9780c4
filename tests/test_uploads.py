"""Uploads are real PDFs and nothing more, their names safe (issue 12, item 6): an HTML/PDF
polyglot, PDFs with JavaScript, a Launch action, an embedded file or an XFA form, and a Flate
bomb are refused with a Vietnamese message naming the file field, nothing stored; a CR/LF file
name (once a 500 on every download) and ``../../x.pdf`` (once a member of the audit dossier
outside its folder) are stored made safe; a name stored before is sent safely all the same.
Every download says ``nosniff``, a PDF is sandboxed, and its name travels as RFC 6266's
``filename*``."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select, update

from engine.audit import dossier
from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import DocumentFile, User
from tests.conftest import Api
from tests.flows import issue_via_deputy
from tests.pdfs import flate_bomb, minimal_pdf

CLERK = "btl_clerk"
_EMBEDDED = (b"/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>] >> >>",
             b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream")

REFUSED = {
    "HTML before the PDF header": (b"<html><body><script>alert(document.cookie)</script></body></html>\n"
                                   + minimal_pdf(), "%PDF-"),
    "JavaScript on opening": (minimal_pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "),
                              "JavaScript"),
    "JavaScript with an escaped name": (minimal_pdf(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (x) >> "),
                                        "JavaScript"),
    "a Launch action": (minimal_pdf(catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >> "), "Launch"),
    "an embedded file": (minimal_pdf(catalog=_EMBEDDED[0] + b" ", extra=_EMBEDDED[1]), "tệp đính kèm"),
    "an XFA form": (minimal_pdf(catalog=b"/AcroForm << /Fields [] /XFA 6 0 R >> ",
                                extra=b"<< /Length 7 >>\nstream\n<xdp/>\nendstream"), "XFA"),
    "a Flate bomb": (flate_bomb(), "bom nén"),
}


def _incoming(api: Api) -> int:
    r = api.post(CLERK, "/api/v1/documents", {"direction": "incoming", "data": {
        "doc_type": "CV", "subject": "Công văn về lịch trực Tết", "number_symbol": "12/CV-SYT",
        "issuer_name": "Sở Y tế Hà Nội", "document_date": "2026-02-20"}})
    assert r.status_code == 201, r.get_json()
    doc_id: int = r.get_json()["document"]["id"]
    return doc_id


def _stored(platform: Platform) -> set[Path]:
    return {p for p in platform.settings.files_dir.rglob("*") if p.is_file()}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_dangerous_pdfs_are_refused_at_upload(api: Api, platform: Platform, kind: str) -> None:
    doc_id = _incoming(api)
    content, words = REFUSED[kind]
    before = _stored(platform)
    r = api.upload(CLERK, doc_id, content)
    assert r.status_code == 422, (kind, r.get_json())
    assert words in r.get_json()["error"] and list(r.get_json()["fields"]) == ["file"], r.get_json()
    assert _stored(platform) == before
    with platform.db.read() as session:
        assert session.scalars(select(DocumentFile).where(DocumentFile.document_id == doc_id)).all() == []
    # The same file through a message's attachment.
    conversation = api.post(CLERK, "/api/v1/conversations", {"members": ["btl_spec_khnv"]})
    assert conversation.status_code == 201, conversation.get_json()
    sent = api.client.post(f"/api/v1/conversations/{conversation.get_json()['id']}/messages",
                           headers={"Authorization": f"Bearer {api.token(CLERK)}"},
                           data={"text": "Gửi tệp", "file": (io.BytesIO(content), "a.pdf")},
                           content_type="multipart/form-data")
    assert sent.status_code == 422 and words in sent.get_json()["error"], sent.get_json()
    assert _stored(platform) == before


def test_an_ordinary_pdf_is_accepted(api: Api) -> None:
    r = api.upload(CLERK, _incoming(api), minimal_pdf())
    assert r.status_code == 201, r.get_json()


def _download(api: Api, doc_id: int, file_id: int) -> tuple[int, dict[str, str]]:
    r = api.get(CLERK, f"/api/v1/documents/{doc_id}/files/{file_id}")
    return r.status_code, dict(r.headers)


def test_unsafe_names_are_made_safe_at_upload_and_sent_with_filename_star(api: Api, platform: Platform) -> None:
    doc_id = _incoming(api)
    # RFC 5987's filename* carries control characters that a plain multipart header cannot.
    name = quote("Công văn\r\nSet-Cookie: x=1\x00.pdf", safe="")
    raw = (b"--B\r\nContent-Disposition: form-data; name=\"role\"\r\n\r\nmain\r\n--B\r\n"
           b"Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''" + name.encode() + b"\r\n"
           b"Content-Type: application/pdf\r\n\r\n" + minimal_pdf() + b"\r\n--B--\r\n")
    r = api.client.post(f"/api/v1/documents/{doc_id}/files", data=raw, content_type="multipart/form-data; boundary=B",
                        headers={"Authorization": f"Bearer {api.token(CLERK)}"})
    assert r.status_code == 201, r.get_json()
    stored = r.get_json()
    with platform.db.read() as session:
        assert session.get(DocumentFile, stored["id"]).filename == "Công vănSet-Cookie_ x=1.pdf"  # type: ignore[union-attr]
    status, headers = _download(api, doc_id, stored["id"])
    assert status == 200
    assert headers["Content-Disposition"] == ("inline; filename=\"Cong vanSet-Cookie_ x=1.pdf\"; "
                                              "filename*=UTF-8''C%C3%B4ng%20v%C4%83nSet-Cookie_%20x%3D1.pdf")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "sandbox"
    assert headers["Cache-Control"] == "no-store"
    # A name stored by an older version, control characters and all, is sent safely all the same.
    with platform.db.write() as session:
        session.execute(update(DocumentFile).where(DocumentFile.id == stored["id"]).values(filename="a\r\nb.pdf"))
    status, headers = _download(api, doc_id, stored["id"])
    assert (status, headers["Content-Disposition"]) == (200, "inline; filename=\"ab.pdf\"; filename*=UTF-8''ab.pdf")


def test_the_dossier_keeps_uploaded_names_inside_its_folder(api: Api, platform: Platform) -> None:
    case = issue_via_deputy(api)
    doc_id = case["document"]["id"]
    with platform.db.read() as session:
        main = session.scalars(select(DocumentFile).where(DocumentFile.document_id == doc_id)).first()
    assert main is not None
    # An appendix named to climb out of the archive's folder, and a stored name of an older version.
    with platform.db.write() as session:
        session.execute(update(DocumentFile).where(DocumentFile.id == main.id).values(filename="../../../etc/x.pdf"))
    store = FileStore(platform.settings.files_dir)
    with platform.db.write() as session:
        auditor = session.scalars(select(User).where(User.username == "btl_auditor")).one()
        _, content = dossier.export(session, auditor, case["id"], store, platform.clock.now())
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert all(".." not in n.split("/") and "\\" not in n and not n.startswith("/") for n in names), names
    assert all(n.count("/") == 1 for n in names if n.startswith("tep/")), names
