"""Records (hồ sơ): a document in two records is stored once and appears in both exports;
the record PDF lists its documents in date order with correct Vietnamese text; records
due for archiving are flagged 30 days ahead; personal records stay private."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from lxml import etree

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from tests.conftest import Api
from tests.pdfs import minimal_pdf

INCOMING = [
    ("2026-02-20", "Quyết định về tiêm chủng mở rộng năm 2026", "Van ban thu hai", "12/QĐ-SYT"),
    ("2026-01-15", "Kế hoạch phòng chống dịch sốt xuất huyết", "Van ban thu nhat", "05/KH-SYT"),
]


def _document(api: Api, date: str, subject: str, text: str, number: str) -> int:
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": {
        "doc_type": "QĐ" if "QĐ" in number else "KH", "subject": subject, "number_symbol": number,
        "issuer_name": "Sở Y tế Hà Nội", "document_date": date}})
    assert r.status_code == 201, r.get_json()
    doc_id: int = r.get_json()["document"]["id"]
    assert api.upload("btl_clerk", doc_id, minimal_pdf(text)).status_code == 201
    return doc_id


def _record(api: Api, notation: str, **extra: Any) -> dict[str, Any]:
    r = api.post("btl_clerk", "/api/v1/records", {"notation": notation, "title": f"Hồ sơ {notation} về y tế dự phòng",
                                                   "retention": "10 năm", **extra})
    assert r.status_code == 201, r.get_json()
    record: dict[str, Any] = r.get_json()
    return record


def test_a_document_in_two_records_is_stored_once_and_exported_in_date_order(
    api: Api, platform: Platform, tmp_path: Path
) -> None:
    later, earlier = (_document(api, *d) for d in INCOMING)
    first, second = _record(api, "01.YTDP"), _record(api, "02.TC")
    assert first["code"] == "000.99.01.H26.2026.01.YTDP"
    for record, docs in ((first, [later, earlier]), (second, [later])):
        for doc_id in docs:
            r = api.post("btl_clerk", f"/api/v1/records/{record['id']}/documents", {"document_id": doc_id})
            assert r.status_code == 201, r.get_json()
    assert api.post("btl_clerk", f"/api/v1/records/{second['id']}/documents",
                    {"document_id": later}).status_code == 409
    shown = api.get("btl_clerk", f"/api/v1/records/{first['id']}").get_json()
    assert [(i["ordinal"], i["id"]) for i in shown["items"]] == [(1, earlier), (2, later)]
    assert (shown["documents"], shown["pages"]) == (2, 2)
    stored = [p for p in platform.settings.files_dir.rglob("*") if p.is_file()]
    assert len(stored) == 2  # two documents, each stored once though one is in two records

    pdf = api.get("btl_clerk", f"/api/v1/records/{first['id']}/export.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    (tmp_path / "record.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "record.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "MỤC LỤC VĂN BẢN" in text and "Trích yếu nội dung văn bản" in text
    assert text.index("Kế hoạch phòng chống dịch sốt xuất huyết") < text.index("Quyết định về tiêm chủng mở rộng")
    assert text.index("Van ban thu nhat") < text.index("Van ban thu hai")  # the documents follow, in date order
    for record, count in ((first, 2), (second, 1)):
        xml = api.get("btl_clerk", f"/api/v1/records/{record['id']}/export.xml")
        root = etree.fromstring(xml.data)
        assert root.findtext("FileCode/FileNotation") == record["notation"]
        assert root.findtext("DocTotal") == str(count)
        assert "Quyết định về tiêm chủng mở rộng năm 2026" in [d.findtext("Subject") for d in root.iter("Document")]
    stats = {s["username"]: s for s in api.get("btl_clerk", "/api/v1/records/stats").get_json()["items"]}
    assert stats["btl_clerk"] == {"username": "btl_clerk", "records": 2, "documents": 3, "pages": 3,
                                  "person": stats["btl_clerk"]["person"]}
    assert (stats["btl_clerk"]["person"]["full_name"], stats["btl_clerk"]["person"]["position"]) == ("Đỗ Thị Mai",
                                                                                                     "clerk")


def test_records_due_for_archiving_are_flagged_thirty_days_ahead(api: Api, clock: FakeClock) -> None:
    record = _record(api, "03.LT")
    r = api.client.patch(f"/api/v1/records/{record['id']}", json={"closed_on": "2025-04-15"},
                         headers={"Authorization": f"Bearer {api.token('btl_clerk')}"})
    assert r.get_json()["archive_due"] == "2026-04-15"
    assert r.get_json()["due_for_archiving"] is False  # 2 March: more than 30 days ahead
    clock.advance(timedelta(days=15))
    api.tokens.clear()  # the sessions of two weeks ago have expired
    listed = api.get("btl_clerk", "/api/v1/records?year=2026").get_json()["items"]
    assert [(x["notation"], x["due_for_archiving"]) for x in listed] == [("03.LT", True)]
    bad = api.client.patch(f"/api/v1/records/{record['id']}", json={"closed_on": "15/04/2025"},
                           headers={"Authorization": f"Bearer {api.token('btl_clerk')}"})
    assert bad.status_code == 422


def test_personal_records_stay_private_and_bad_input_is_refused(api: Api) -> None:
    mine = api.post("btl_spec_khnv", "/api/v1/records", {"notation": "CN.01", "title": "Hồ sơ công việc cá nhân",
                                                         "retention": "5 năm", "personal": True}).get_json()
    assert api.get("btl_clerk", f"/api/v1/records/{mine['id']}").status_code == 404
    assert api.get("btl_spec_khnv", f"/api/v1/records/{mine['id']}").status_code == 200
    r = api.post("btl_clerk", "/api/v1/records", {"notation": "bad notation!", "title": "x", "retention": "mãi"})
    assert r.status_code == 422 and set(r.get_json()["fields"]) == {"notation", "title", "retention"}
    _record(api, "04.A")
    assert api.post("btl_clerk", "/api/v1/records", {"notation": "04.A", "title": "Trùng ký hiệu",
                                                     "retention": "5 năm"}).status_code == 409
