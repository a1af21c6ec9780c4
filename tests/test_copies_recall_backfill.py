"""Copies (sao lục) with their own series, recall (thu hồi) of an issued document, and
entries made after an outage (nhập bù) with their real dates."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from PIL import Image

from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests.conftest import Api
from tests.flows import DRAFT, assignees, attach_pdf, complete, only_task, start
from tests.pdfs import minimal_pdf, pages_pdf, scanned_pdf
from tests.signing_support import fully_signed, pdf_text, render

INCOMING = {"doc_type": "CV", "subject": "Về việc tăng cường phòng chống dịch sốt xuất huyết",
            "number_symbol": "125/BYT-DP", "issuer_name": "Bộ Y tế", "document_date": "2026-02-27"}


def _incoming_with_pdf(api: Api, clerk: str, content: bytes | None = None) -> dict[str, Any]:
    r = api.post(clerk, "/api/v1/documents", {"direction": "incoming", "data": INCOMING})
    assert r.status_code == 201, r.get_json()
    doc: dict[str, Any] = r.get_json()["document"]
    assert api.upload(clerk, doc["id"], content or minimal_pdf()).status_code == 201
    return doc


def test_copy_sao_luc_numbered_in_its_own_series_sharing_the_stored_file(api: Api) -> None:
    source = _incoming_with_pdf(api, "qn_clerk")
    r = api.post("qn_clerk", "/api/v1/cases", {"process": "qn_copy",
                                                "data": {"source_document": source["id"], "copy_kind": "SL"}})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    copy = case["document"]
    assert copy["subject"].startswith("Bản sao lục văn bản số 125/BYT-DP")
    assert [f["sha256"] for f in copy["files"]] == [api.get("qn_clerk", f"/api/v1/documents/{source['id']}")
                                                     .get_json()["files"][0]["sha256"]]
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("cvp_review", ["qn_cvp"])
    case = complete(api, "qn_cvp", task, {"decision": "return", "note": "Ghi rõ nơi nhận"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("clerk_revise", ["qn_clerk"])
    case = complete(api, "qn_clerk", task, {"decision": "approve"})
    case = complete(api, "qn_cvp", only_task(case), {"decision": "approve"})
    case = complete(api, "qn_clerk", only_task(case), {"decision": "register"})
    assert case["document"]["number_symbol"] == "01/SL-SYT"
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("leader_sign", ["qn_director"])
    case = complete(api, "qn_director", task, {"decision": "return", "note": "Kiểm tra lại trích yếu"})
    case = complete(api, "qn_cvp", only_task(case), {"decision": "approve"})
    case = complete(api, "qn_clerk", only_task(case), {"decision": "register"})
    assert case["document"]["number_symbol"] == "01/SL-SYT"  # keeps its number
    case = complete(api, "qn_director", only_task(case), {"decision": "sign"})
    recipients = [{"name": "Phòng Nghiệp vụ Y", "unit": "NVY", "delivery": "electronic"}]
    case = complete(api, "qn_clerk", only_task(case), {"decision": "return", "note": "Chưa đóng dấu"})
    case = complete(api, "qn_director", only_task(case), {"decision": "sign"})
    case = complete(api, "qn_clerk", only_task(case), {"decision": "issue", "recipients": recipients})
    assert case["status"] == "completed"
    assert (case["document"]["status"], case["document"]["copy_kind"]) == ("issued", "SL")
    # The outgoing series is untouched by copies.
    outgoing = api.post("qn_clerk", "/api/v1/documents", {"direction": "outgoing", "backfilled": True, "data": {
        "doc_type": "TB", "subject": "Thông báo lịch trực tết", "document_date": "2026-02-20"}}).get_json()
    assert outgoing["document"]["number_symbol"] == "01/TB-SYT"


def test_copy_of_a_draft_or_unknown_document_is_refused(api: Api) -> None:
    r = api.post("qn_clerk", "/api/v1/cases", {"process": "qn_copy", "data": {"source_document": 999999,
                                                                              "copy_kind": "SY"}})
    assert r.status_code == 422 and "source_document" in r.get_json()["fields"]


def _issued_btl(api: Api) -> dict[str, Any]:
    case = start(api)
    attach_pdf(api, "btl_spec_khnv", case)
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    case = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    doc: dict[str, Any] = case["document"]
    return doc


def test_recall_freezes_the_issued_document_and_is_logged(api: Api) -> None:
    doc = _issued_btl(api)
    path = f"/api/v1/documents/{doc['id']}/recall"
    assert api.post("btl_spec_khnv", path, {"reason": "Sai số liệu"}).status_code == 403
    assert api.post("btl_clerk", path, {"reason": " "}).status_code == 422
    r = api.post("btl_director", path, {"reason": "Sai số liệu ở mục 2"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "recalled"
    assert api.post("btl_clerk", path, {"reason": "lần nữa"}).status_code == 409
    assert api.upload("btl_clerk", doc["id"], minimal_pdf("moi")).status_code == 409


def test_backfilled_entries_keep_their_real_dates(api: Api) -> None:
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "backfilled": True,
                                                     "data": {**INCOMING, "arrival_date": "2026-02-25"}})
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()["document"]
    assert (doc["backfilled"], doc["arrival_date"], doc["number"], doc["status"]) == (
        True, "2026-02-25", 1, "registered")
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "outgoing", "backfilled": True, "data": {
        "doc_type": "QĐ", "subject": "Quyết định thành lập tổ phòng chống dịch", "document_date": "2026-02-24"}})
    doc = r.get_json()["document"]
    assert (doc["backfilled"], doc["document_date"], doc["number_symbol"], doc["status"]) == (
        True, "2026-02-24", "01/QĐ-TTYT", "issued")
    missing = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "backfilled": True,
                                                           "data": INCOMING})
    assert missing.status_code == 422 and "arrival_date" in missing.get_json()["fields"]
    future = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "backfilled": True,
                                                          "data": {**INCOMING, "arrival_date": "2026-12-31"}})
    assert future.status_code == 422


def _copy_issued(api: Api, source: dict[str, Any], kind: str, **more: str) -> dict[str, Any]:
    r = api.post("qn_clerk", "/api/v1/cases", {"process": "qn_copy",
                                                "data": {"source_document": source["id"], "copy_kind": kind, **more}})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    for name, user, data in (("cvp_review", "qn_cvp", {"decision": "approve"}),
                             ("clerk_register", "qn_clerk", {"decision": "register"}),
                             ("leader_sign", "qn_director", {"decision": "sign"}),
                             ("clerk_issue", "qn_clerk", {"decision": "issue", "recipients": [
                                 {"name": "Phòng Nghiệp vụ Y", "unit": "NVY", "delivery": "electronic"}]})):
        task = only_task(case)
        assert (task["task"], assignees(task)) == (name, [user])
        case = complete(api, user, task, data)
        if name == "leader_sign":  # the leader's own signature, in the copy form
            assert [s["field"] for s in case["document"]["signatures"]] == ["LanhDao"]
    assert (case["status"], case["document"]["status"], case["document"]["signature_status"]) == (
        "completed", "issued", "valid")
    return case


def _last_page(pdf: bytes) -> tuple[str, Image.Image]:
    """The copy form's page: its text (pdftotext) and its picture (pdftoppm, 72 dpi)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "copy.pdf")
        path.write_bytes(pdf)
        last = subprocess.run(["qpdf", "--show-npages", str(path)], capture_output=True, text=True).stdout.strip()
        text = subprocess.run(["pdftotext", "-layout", "-f", last, "-l", last, str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
        subprocess.run(["pdftoppm", "-r", "72", "-f", last, "-l", last, "-png", "-singlefile", str(path),
                        str(Path(folder, "page"))], check=True, capture_output=True)
        picture = Image.open(Path(folder, "page.png")).convert("RGB")
        picture.load()
    return " ".join(text.split()), picture


@pytest.mark.parametrize(("kind", "title", "original"), [("SL", "SAO LỤC", "paper"), ("SY", "SAO Y", "electronic")])
def test_a_copy_carries_the_decree_30_copy_form_the_leaders_and_the_agencys_signatures(
    api: Api, demo_pki: Path, kind: str, title: str, original: str
) -> None:
    """Decree 30 Art. 25–27 and Appendix I: the copy form (kind, agency, number in the copies
    series, place and date, authority and position, signer), signed by the leader and the agency,
    for a scanned paper original and for an electronically signed one."""
    content = scanned_pdf() if original == "paper" else fully_signed()
    case = _copy_issued(api, _incoming_with_pdf(api, "qn_clerk", content), kind)
    doc = case["document"]
    assert doc["number_symbol"] == f"01/{kind}-SYT"
    main = next(f for f in doc["files"] if f["role"] == "main")
    pdf = bytes(api.get("qn_clerk", f"/api/v1/documents/{doc['id']}/files/{main['id']}").data)
    roots = [x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())]
    # Only the copy's signatures: the original's are part of the page it reproduces.
    assert [(r.field, r.signer, r.valid, r.trusted, r.intact) for r in verify_pdf(pdf, roots)] == [
        ("LanhDao", "Huỳnh Tấn Lộc", True, True, True), ("CoQuan", "Sở Y tế tỉnh Quảng Ngãi", True, True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)] * 2
    form, picture = _last_page(pdf)
    for shown in (title, "SỞ Y TẾ TỈNH QUẢNG NGÃI", f"Số: 01/{kind}-SYT", "Quảng Ngãi, ngày", "GIÁM ĐỐC",
                  "Huỳnh Tấn Lộc"):
        assert shown in form, (shown, form)
    red = [(x, y) for x in range(0, 595, 3) for y in range(0, 842, 3) if _is_red(picture.getpixel((x, y)))]
    assert red and min(y for _, y in red) > 842 - 700  # the seal drawn, in the signer's block under the heading
    assert render(pdf).convert("L").getextrema()[0] < 128  # page 1: the original reproduced, its ink kept


def _is_red(pixel: Any) -> bool:
    r, g, b = pixel
    return bool(r > 150 and g < 100 and b < 100)


def test_a_trich_sao_copies_only_its_extract_with_the_copy_form(api: Api, demo_pki: Path) -> None:
    """Trích sao (Decree 30 Art. 25): only the pages chosen at the start, then the copy form
    "TRÍCH SAO" with its number in the copies series, signed by the leader and the agency."""
    source = _incoming_with_pdf(api, "qn_clerk", pages_pdf("Trang so mot", "Trang so hai", "Trang so ba",
                                                           "Trang so bon"))
    r = api.post("qn_clerk", "/api/v1/cases", {"process": "qn_copy",
                                                "data": {"source_document": source["id"], "copy_kind": "TrS"}})
    assert r.status_code == 422 and "extract_pages" in r.get_json()["fields"]  # which pages is not optional
    doc = _copy_issued(api, source, "TrS", extract_pages="1-2,4")["document"]
    assert doc["number_symbol"] == "01/TrS-SYT"
    main = next(f for f in doc["files"] if f["role"] == "main")
    pdf = bytes(api.get("qn_clerk", f"/api/v1/documents/{doc['id']}/files/{main['id']}").data)
    pages = pdf_text(pdf).split("\f")
    assert ["Trang so mot" in pages[0], "Trang so hai" in pages[1], "Trang so bon" in pages[2]] == [True] * 3
    assert "Trang so ba" not in pdf_text(pdf)
    form, _ = _last_page(pdf)
    for shown in ("TRÍCH SAO", "SỞ Y TẾ TỈNH QUẢNG NGÃI", "Số: 01/TrS-SYT", "Quảng Ngãi, ngày", "GIÁM ĐỐC",
                  "Huỳnh Tấn Lộc"):
        assert shown in form, (shown, form)
    roots = [x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())]
    assert [(r.field, r.valid, r.trusted, r.intact) for r in verify_pdf(pdf, roots)] == [
        ("LanhDao", True, True, True), ("CoQuan", True, True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)] * 2
