"""Printouts that can be checked (bản in, Law on Electronic Transactions 2023 Art. 12.2; Decree
137/2024 Art. 5): a printed register, report or document carries the system's name, the owner,
the print time and person and a lookup code with a QR code; the QR code, read back from the
printed page with zbarimg, opens a public page that shows what was printed and nothing else. A
record exported as PDF is such a printout too, the mark on its cover and its documents' pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from engine import demo
from engine.core.platform import Platform
from engine.models import Agency, AuditEntry, Document, Printout, User
from tests.conftest import Api
from tests.flows import issue_via_deputy
from tests.test_records import INCOMING, _document, _record
from webui import create_app


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: run scripts/system-deps.sh"
    return path


def _qr_of_page(pdf: bytes, tmp_path: Path, page: int = 1) -> str:
    """The URL in the QR code of ``page``, read from the page drawn at 200 dpi as a printer would."""
    source = tmp_path / "printed.pdf"
    source.write_bytes(pdf)
    subprocess.run([_tool("pdftoppm"), "-r", "200", "-f", str(page), "-l", str(page), "-png", "-singlefile",
                    str(source), str(tmp_path / "page")], check=True, capture_output=True)
    read = subprocess.run([_tool("zbarimg"), "--raw", "-q", str(tmp_path / "page.png")], capture_output=True,
                          check=False)
    assert read.returncode == 0, "no QR code found on the printed page"
    return read.stdout.decode().strip()


def _text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "text.pdf"
    source.write_bytes(pdf)
    out = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode().split())


def _anonymous_lookup(api: Api, url: str) -> tuple[int, str]:
    api.client.delete_cookie("session")
    r = api.client.get(urlsplit(url).path)
    return r.status_code, r.get_data(as_text=True)


def test_a_printed_register_page_carries_the_mark_and_its_qr_code_finds_the_register(
        api: Api, platform: Platform, tmp_path: Path) -> None:
    issue_via_deputy(api)
    r = api.get("btl_director", "/api/v1/registers/outgoing/print?year=2026")
    assert r.status_code == 200, r.get_json()
    text = _text(r.data, tmp_path)
    assert "Bản in từ văn bản điện tử – Hệ thống quản lý văn bản và điều hành" in text
    with platform.db.read() as s:
        printout = s.scalars(select(Printout)).one()
        code = printout.code
        assert printout.kind == "register" and printout.document_id is None
        audited = s.scalars(select(AuditEntry.payload).where(AuditEntry.action == "printout_issued")).one()
    assert code in audited
    grouped = "-".join(code[i:i + 4] for i in range(0, 12, 4))
    assert f"Mã tra cứu: {grouped}" in text
    url = _qr_of_page(r.data, tmp_path)
    assert url.endswith(f"/tra-cuu/{code}")
    status, page = _anonymous_lookup(api, url)
    assert status == 200
    assert "Sổ văn bản đi năm 2026" in page and "Bản in không ký số" in page


def test_a_document_printout_shows_its_number_date_issuer_and_signature_status_and_nothing_else(
        api: Api, platform: Platform, tmp_path: Path) -> None:
    case = issue_via_deputy(api)
    document_id = case["document"]["id"]
    r = api.get("btl_clerk", f"/api/v1/documents/{document_id}/printout")
    assert r.status_code == 200, r.get_json()
    assert r.mimetype == "application/pdf"
    text = _text(r.data, tmp_path)
    with platform.db.read() as s:
        doc = s.get(Document, document_id)
        assert doc is not None and doc.number_symbol and doc.document_date
        number, day, subject = doc.number_symbol, doc.document_date.strftime("%d/%m/%Y"), doc.subject
        owner = s.get(Agency, doc.agency_id)
        assert owner is not None
        clerk = s.scalars(select(User.full_name).where(User.username == "btl_clerk")).one()
    # Every page of the printout carries the mark: the owner and the person who printed it.
    pages = int(subprocess.run([_tool("pdfinfo"), "-"], input=r.data, capture_output=True, check=True)
                .stdout.decode().split("Pages:")[1].split()[0])
    assert text.count("Bản in từ văn bản điện tử") == pages >= 1
    assert text.count(f"người in: {clerk}") == pages
    assert text.count(owner.name) >= pages
    url = _qr_of_page(r.data, tmp_path, page=pages)
    status, page = _anonymous_lookup(api, url)
    assert status == 200
    assert number in page and day in page and "Chữ ký số hợp lệ" in page and owner.name in page
    # Nothing else: not the subject, not who printed it.
    assert subject not in page and clerk not in page


def test_an_unknown_or_malformed_code_shows_nothing(api: Api) -> None:
    for path in ("/tra-cuu/ABCD2345EFGH", "/tra-cuu/not-a-code", "/tra-cuu?ma=abcd-2345-efg"):
        r = api.client.get(path)
        assert r.status_code == 404, path
        body = r.get_data(as_text=True)
        assert "Không tìm thấy bản in nào có mã tra cứu này." in body
        assert 'data-testid="lookup-result"' not in body


def test_a_code_typed_from_paper_with_dashes_lower_case_and_o_for_zero_is_found(
        api: Api, platform: Platform, tmp_path: Path) -> None:
    issue_via_deputy(api)
    assert api.get("btl_director", "/api/v1/registers/outgoing/print?year=2026").status_code == 200
    with platform.db.read() as s:
        code = s.scalars(select(Printout.code)).one()
    typed = "-".join(code[i:i + 4] for i in range(0, 12, 4)).lower().replace("0", "o")
    r = api.client.get(f"/tra-cuu?ma={typed}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/tra-cuu/{code}")


@pytest.mark.parametrize("who", ["qn_clerk", "laichau_clerk"])
def test_who_may_not_see_the_document_gets_no_printout_and_no_code_is_issued(api: Api, platform: Platform,
                                                                            who: str) -> None:
    case = issue_via_deputy(api)
    r = api.get(who, f"/api/v1/documents/{case['document']['id']}/printout")
    assert r.status_code in (401, 403, 404)
    with platform.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Printout)) == 0


def test_the_document_page_links_its_printout_for_whoever_sees_it(api: Api, platform: Platform,
                                                                  tmp_path: Path) -> None:
    case = issue_via_deputy(api)
    document_id = case["document"]["id"]
    client = create_app(platform).test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token is not None
    assert client.post("/login", data={"username": "btl_clerk", "password": demo.DEMO_PASSWORD,
                                       "csrf_token": token[1]}).status_code == 302
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="printout"', page)
    assert link is not None and link[1] == f"/documents/{document_id}/ban-in.pdf"
    r = client.get(link[1])
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "Bản in từ văn bản điện tử" in _text(r.data, tmp_path)


def test_a_record_exported_as_pdf_is_a_printout_with_the_mark_and_qr_code_on_every_page(
        api: Api, platform: Platform, tmp_path: Path) -> None:
    """The record's PDF (cover list, then its documents) is paper printed from the platform too:
    the cover and each document page carry the footer, and every QR code finds the record."""
    record = _record(api, "01.YTDP")
    for doc_id in [_document(api, *d) for d in INCOMING]:
        assert api.post("btl_clerk", f"/api/v1/records/{record['id']}/documents",
                        {"document_id": doc_id}).status_code == 201
    r = api.get("btl_clerk", f"/api/v1/records/{record['id']}/export.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf", r.get_data(as_text=True)[:300]
    text = _text(r.data, tmp_path)
    with platform.db.read() as s:
        printout = s.scalars(select(Printout)).one()
        assert (printout.kind, printout.document_id) == ("record", None)
        code, title = printout.code, printout.title
        clerk = s.scalars(select(User.full_name).where(User.username == "btl_clerk")).one()
        actions = s.scalars(select(AuditEntry.action).where(
            AuditEntry.action.in_(("printout_issued", "record_exported")))).all()
    assert sorted(actions) == ["printout_issued", "record_exported"]
    assert record["code"] in title
    pages = int(subprocess.run([_tool("pdfinfo"), "-"], input=r.data, capture_output=True, check=True)
                .stdout.decode().split("Pages:")[1].split()[0])
    assert pages == 3  # the cover, then the two one-page documents
    assert text.count("Bản in từ văn bản điện tử") == pages
    assert text.count(f"người in: {clerk}") == pages
    grouped = "-".join(code[i:i + 4] for i in range(0, 12, 4))
    assert text.count(f"Mã tra cứu: {grouped}") == pages
    assert "MỤC LỤC VĂN BẢN" in text and text.index("Van ban thu nhat") < text.index("Van ban thu hai")
    for page in range(1, pages + 1):  # the cover's footer and the one laid over each document's pages
        assert _qr_of_page(r.data, tmp_path, page=page).endswith(f"/tra-cuu/{code}")
    status, found = _anonymous_lookup(api, _qr_of_page(r.data, tmp_path, page=pages))
    assert status == 200 and "Hồ sơ" in found and "Bản in không ký số" in found
