"""Records to archives (issue 20 item 4): retention counted from 31 December of the end year; a
hand-over package of a record with three documents validates against the METS, EAD and PREMIS
XSDs kept in the repository and its checksums match; a broken one is refused with nothing left;
the destruction workflow (list, review, approval by the head, minutes, deletion) leaves the list
and minutes and no file of the records, each step audited and checked for permission."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select

from engine.archives import mets, premis, retention, schema
from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import AuditEntry, DocumentFile, Record
from tests.conftest import Api
from tests.flows import issue_via_deputy
from tests.pdfs import minimal_pdf

NS = {"m": mets.NS, "x": mets.XLINK, "p": premis.NS}


def _document(api: Api, n: int, text: str) -> tuple[int, bytes]:
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": {
        "doc_type": "CV", "subject": f"Về việc phòng chống dịch đợt {n}", "number_symbol": f"{n:02d}/SYT-NVY",
        "issuer_name": "Sở Y tế Hà Nội", "document_date": f"2015-0{n}-10"}})
    assert r.status_code == 201, r.get_json()
    doc_id: int = r.get_json()["document"]["id"]
    content = minimal_pdf(text)
    assert api.upload("btl_clerk", doc_id, content).status_code == 201
    return doc_id, content


def _record(api: Api, notation: str, retention_period: str, closed_on: str, docs: list[int]) -> int:
    r = api.post("btl_clerk", "/api/v1/records", {"notation": notation, "title": f"Hồ sơ {notation} phòng chống dịch",
                                                   "retention": retention_period, "year": int(closed_on[:4])})
    assert r.status_code == 201, r.get_json()
    record_id: int = r.get_json()["id"]
    for doc_id in docs:
        assert api.post("btl_clerk", f"/api/v1/records/{record_id}/documents",
                        {"document_id": doc_id}).status_code == 201
    r = api.client.patch(f"/api/v1/records/{record_id}", json={"closed_on": closed_on},
                         headers={"Authorization": f"Bearer {api.token('btl_clerk')}"})
    assert r.status_code == 200, r.get_json()
    return record_id


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _actions(platform: Platform) -> list[str]:
    with platform.db.read() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_retention_runs_to_31_december_of_the_end_year_plus_the_period() -> None:
    record = Record(retention="10 năm", closed_on=date(2020, 5, 10))
    assert retention.period(record) == retention.Period(10, 2020, date(2030, 12, 31))
    assert retention.period(Record(retention="Vĩnh viễn", closed_on=date(2020, 5, 10))).until is None
    assert retention.period(Record(retention="5 năm", closed_on=None)).until is None


def test_a_hand_over_package_of_three_documents_validates_against_the_xsds_and_its_checksums_match(
    api: Api, platform: Platform
) -> None:
    docs = [_document(api, n, f"Van ban so {n}") for n in (1, 2)]
    signed = issue_via_deputy(api)["document"]["id"]  # issued under the deputy's and the agency's PAdES signatures
    shown = api.get("btl_clerk", f"/api/v1/documents/{signed}").get_json()
    assert shown["signature_status"] == "valid"
    signed_content = FileStore(platform.settings.files_dir).path(shown["files"][0]["sha256"]).read_bytes()
    record_id = _record(api, "05.PCD", "10 năm", "2024-06-30", [d for d, _ in docs] + [signed])
    due = api.get("btl_clerk", "/api/v1/archives/due").get_json()
    listed = next(r for r in due["handover"] if r["id"] == record_id)
    assert (listed["retention_until"], listed["end_year"]) == ("2034-12-31", 2024)
    assert api.get("btl_spec_khnv", f"/api/v1/archives/records/{record_id}/package").status_code == 403

    r = api.get("btl_clerk", f"/api/v1/archives/records/{record_id}/package")
    assert r.status_code == 200, r.get_json()
    assert r.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    names = archive.namelist()
    root = names[0].split("/")[0]
    assert names[0] == f"{root}/METS.xml" and root == "000.99.01.H26.2024.05.PCD"
    read = {name[len(root) + 1:]: archive.read(name) for name in names}
    for kind, href in (("mets", "METS.xml"), ("ead", "metadata/descriptive/ead.xml"),
                       ("premis", "metadata/preservation/premis.xml")):
        assert schema.errors(kind, read[href]) == [], kind

    tree = etree.fromstring(read["METS.xml"])
    assert tree.get("OBJID") == root and tree.get("PROFILE") == mets.PROFILE
    assert tree.get(f"{{{mets.CSIP}}}CONTENTINFORMATIONTYPE") == "MIXED"
    assert tree.find("m:metsHdr", NS).get(f"{{{mets.CSIP}}}OAISPACKAGETYPE") == "SIP"
    declared = {}
    for node in tree.xpath("//m:file", namespaces=NS):
        href = node.find("m:FLocat", NS).get(f"{{{mets.XLINK}}}href")
        declared[href] = node.get("CHECKSUM")
        assert _sha(read[href]) == node.get("CHECKSUM") and len(read[href]) == int(node.get("SIZE"))
    for node in tree.xpath("//m:mdRef", namespaces=NS):
        assert _sha(read[node.get(f"{{{mets.XLINK}}}href")]) == node.get("CHECKSUM")
    assert set(declared) | {"METS.xml", "metadata/descriptive/ead.xml", "metadata/preservation/premis.xml"} \
        == set(read)  # nothing in the zip that METS does not account for
    originals = sorted(h for h in declared if h.startswith("representations/rep1/"))
    copies = sorted(h for h in declared if h.startswith("representations/rep2/"))
    # The stored files unchanged, in date order (the signed one, issued in 2026, last).
    assert [read[h] for h in originals] == [content for _, content in docs] + [signed_content]
    assert all(b"pdfaid:part" in read[h] for h in copies)
    fixity = {etree.fromstring(read["metadata/preservation/premis.xml"]).xpath(
        "//p:object[p:objectIdentifier/p:objectIdentifierValue=$h]//p:messageDigest/text()", namespaces=NS, h=h)[0]
        for h in declared}
    assert fixity == set(declared.values())
    preservation = etree.fromstring(read["metadata/preservation/premis.xml"])
    validation = preservation.xpath("//p:event[p:eventType='validation']", namespaces=NS)
    assert len(validation) == 1
    assert validation[0].xpath("p:eventOutcomeInformation/p:eventOutcome/text()", namespaces=NS) == ["success"]
    assert validation[0].xpath("p:linkingObjectIdentifier/p:linkingObjectIdentifierValue/text()",
                               namespaces=NS) == [originals[2]]
    migrated = preservation.xpath(
        "//p:event[p:eventType='migration'][p:linkingObjectIdentifier/p:linkingObjectIdentifierValue=$h]"
        "//p:eventOutcomeDetailNote/text()", namespaces=NS, h=originals[2])
    assert len(copies) == 3 and migrated and "bản gốc không thay đổi" in migrated[0]
    ead = etree.fromstring(read["metadata/descriptive/ead.xml"])
    assert [u.text for u in ead.iter("{urn:isbn:1-931666-22-9}unitid")][1:3] == ["01/SYT-NVY", "02/SYT-NVY"]
    assert "archive_package_made" in _actions(platform)


def test_a_package_is_refused_whole_when_a_stored_file_changed_or_the_record_is_open(
    api: Api, platform: Platform
) -> None:
    docs = [_document(api, n, f"Van ban so {n}") for n in (1, 2)]
    record_id = _record(api, "06.PCD", "10 năm", "2024-06-30", [d for d, _ in docs])
    FileStore(platform.settings.files_dir).path(_sha(docs[1][1])).write_bytes(minimal_pdf("Da bi sua"))
    before = set(Path(tempfile.gettempdir()).glob("qlvb-handover-*"))
    r = api.get("btl_clerk", f"/api/v1/archives/records/{record_id}/package")
    assert r.status_code == 422 and "mã băm không khớp" in r.get_json()["error"]
    assert set(Path(tempfile.gettempdir()).glob("qlvb-handover-*")) == before
    assert "archive_package_made" not in _actions(platform)
    open_record = api.post("btl_clerk", "/api/v1/records", {"notation": "07.MO", "title": "Hồ sơ đang mở",
                                                             "retention": "5 năm"}).get_json()["id"]
    assert api.get("btl_clerk", f"/api/v1/archives/records/{open_record}/package").status_code == 422


def _step(api: Api, username: str, list_id: int, step: str, body: dict[str, Any]) -> Any:
    return api.post(username, f"/api/v1/archives/destructions/{list_id}/{step}", body)


def test_the_destruction_workflow_leaves_the_list_and_minutes_and_no_file_of_the_records(
    api: Api, platform: Platform, tmp_path: Path
) -> None:
    store = FileStore(platform.settings.files_dir)
    docs = [_document(api, n, f"Van ban so {n}") for n in (1, 2, 3)]
    kept_doc, kept_content = _document(api, 4, "Van ban con giu")
    twin, _ = _document(api, 5, "Van ban so 3")  # same bytes as document 3, in no record: its file must stay
    expired = _record(api, "01.HH", "5 năm", "2015-06-30", [d for d, _ in docs])
    young = _record(api, "02.CH", "20 năm", "2015-06-30", [kept_doc])
    due = api.get("btl_clerk", "/api/v1/archives/due").get_json()
    assert [r["id"] for r in due["expired"]] == [expired]  # 31/12/2020 passed; 31/12/2035 not

    assert api.post("btl_clerk", "/api/v1/archives/destructions",
                    {"record_ids": [young], "reason": "Hết hạn"}).status_code == 422
    assert api.post("btl_spec_khnv", "/api/v1/archives/destructions",
                    {"record_ids": [expired], "reason": "Hết thời hạn bảo quản"}).status_code == 403
    r = api.post("btl_clerk", "/api/v1/archives/destructions", {"record_ids": [expired],
                                                                "reason": "Hết thời hạn bảo quản"})
    assert r.status_code == 201, r.get_json()
    list_id = r.get_json()["id"]
    assert r.get_json()["status"] == "proposed" and r.get_json()["entries"][0]["documents"] == 3
    assert api.get("btl_clerk", "/api/v1/archives/due").get_json()["expired"] == []  # listed once only

    assert _step(api, "btl_director", list_id, "approve", {"agree": True}).status_code == 409  # not reviewed yet
    assert _step(api, "btl_clerk", list_id, "review", {"agree": True}).status_code == 403
    assert _step(api, "btl_office_chief", list_id, "review", {"agree": True, "note": "Đồng ý"}).status_code == 200
    assert _step(api, "btl_office_chief", list_id, "review", {"agree": True}).status_code == 409
    assert _step(api, "btl_office_chief", list_id, "approve", {"agree": True}).status_code == 403  # not the head
    assert _step(api, "btl_clerk", list_id, "carry-out", {"backups_note": "Băng từ 2025"}).status_code == 409
    assert _step(api, "btl_director", list_id, "approve", {"agree": True}).status_code == 200
    assert _step(api, "btl_clerk", list_id, "carry-out", {"backups_note": ""}).status_code == 422
    r = _step(api, "btl_clerk", list_id, "carry-out",
              {"backups_note": "Bản sao lưu đêm 01/03/2026 trên máy chủ dự phòng: hủy theo lịch xoay vòng 30 ngày"})
    assert r.status_code == 200, r.get_json()
    done = r.get_json()
    assert done["status"] == "destroyed" and done["entries"][0]["files_deleted"] == 2  # document 3's bytes stay

    for _, content in docs[:2]:
        assert not store.path(_sha(content)).exists()
    assert store.path(_sha(docs[2][1])).exists() and store.path(_sha(kept_content)).exists()
    with platform.db.read() as session:
        assert session.scalars(select(DocumentFile).where(
            DocumentFile.document_id.in_([d for d, _ in docs]))).all() == []
        assert session.scalars(select(DocumentFile.document_id).where(DocumentFile.document_id == twin)).one()
    # The metadata stays: the record and its documents, the list and the minutes.
    shown = api.get("btl_clerk", f"/api/v1/records/{expired}").get_json()
    assert shown["documents"] == 3 and shown["code"] == "000.99.01.H26.2015.01.HH"
    assert api.get("btl_auditor", f"/api/v1/archives/destructions/{list_id}").get_json()["status"] == "destroyed"
    pdf = api.get("btl_clerk", f"/api/v1/archives/destructions/{list_id}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    (tmp_path / "minutes.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "minutes.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "BIÊN BẢN" in text and "000.99.01.H26.2015.01.HH" in text and "Trần Minh Quang" in text
    assert api.get("btl_spec_khnv", f"/api/v1/archives/destructions/{list_id}").status_code == 404
    actions = _actions(platform)
    assert [a for a in actions if a.startswith("destruction_")] == [
        "destruction_proposed", "destruction_reviewed", "destruction_approved", "destruction_carried_out",
        "destruction_minutes_read"]


def test_a_record_sharing_a_document_with_a_kept_record_cannot_be_listed(api: Api) -> None:
    shared, _ = _document(api, 1, "Van ban dung chung")
    expired = _record(api, "03.HH", "5 năm", "2015-06-30", [shared])
    _record(api, "04.CH", "Vĩnh viễn", "2015-06-30", [shared])
    r = api.post("btl_clerk", "/api/v1/archives/destructions", {"record_ids": [expired], "reason": "Hết hạn"})
    assert r.status_code == 422 and "04.CH" in r.get_json()["error"]
    assert datetime.now().year >= 2026  # the clock of the suite: 2026, past 31/12/2020
