"""Shared material of the edXML tests: agencies with their keys, a realistic package (a
one-page signed PDF and an appendix), and a trust callback over the agencies' certificates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import cache

from cryptography import x509
from lxml import etree

from exchange.edxml import (
    Attachment,
    Business,
    DocumentType,
    Organ,
    OtherInfo,
    Package,
    ResponseFor,
    Signer,
    StaffInfo,
    TraceHeader,
    document_id_for,
    dsig,
)
from exchange.edxml.names import q
from signing.keystore import pki
from tests.pdfs import minimal_pdf
from tests.signing_support import fully_signed

SENDER = Organ(
    organ_id="000.00.00.H41", name="UBND Tỉnh Nghệ An", in_charge="UBND Tỉnh Nghệ An",
    address="Số 03, đường Trường Thi, Thành phố Vinh, Tỉnh Nghệ An", email="nghean@gov.vn",
    telephone="0383 840418", fax="0383 843049", website="www.nghean.vn",
)
RECEIVERS = (
    Organ(organ_id="000.00.00.G22", name="Văn phòng Chính phủ", in_charge="Chính phủ"),
    Organ(organ_id="000.00.00.H40", name="UBND Tỉnh Nghệ An - Sở Tài chính"),
)
PROMULGATED = date(2026, 3, 2)


@cache
def identities() -> dict[str, pki.Identity]:
    """Each agency's key (the sender's and one receiver's), issued by one demo CA."""
    ca = pki.create_intermediate(pki.create_root())
    return {organ.organ_id: pki.issue(ca, organ.name, organ.name) for organ in (SENDER, RECEIVERS[0])}


def sender_key() -> pki.Identity:
    return identities()[SENDER.organ_id]


def trust(organ_id: str) -> Sequence[x509.Certificate]:
    identity = identities().get(organ_id)
    return (identity.certificate,) if identity else ()


def realistic_package() -> Package:
    """An issued công văn with its signed PDF (leader's and agency's signatures) and an appendix."""
    return Package(
        document_id=document_id_for(SENDER.organ_id, PROMULGATED, "12/UBND-VX"),
        from_organ=SENDER,
        to=RECEIVERS,
        code_number="12",
        code_notation="UBND-VX",
        promulgation_place="Nghệ An",
        promulgation_date=PROMULGATED,
        document_type=DocumentType(code=1, name="Công văn"),
        subject="V/v triển khai thực hiện chuyển đổi số trong công tác văn thư năm 2026",
        content="Đề nghị các đơn vị triển khai & báo cáo <trước> ngày 15/3/2026.",
        signer=Signer(competence="KT. CHỦ TỊCH", position="PHÓ CHỦ TỊCH", full_name="Nguyễn Văn Đức"),
        due_date=date(2026, 3, 15),
        to_places=("Như trên;", "Lưu: VT, VX."),
        other=OtherInfo(priority=1, sphere_of_promulgation="Lưu hành nội bộ", typer_notation="NVĐ",
                        promulgation_amount=5, page_amount=1, appendixes=("Phụ lục I",)),
        response_for=(ResponseFor(organ_id="000.00.00.G22", code="7816/VPCP-TTĐT",
                                  promulgation_date=date(2026, 2, 20),
                                  document_id="000.00.00.G22,2026/02/20,7816/VPCP-TTĐT"),),
        steering_type=2,
        trace_headers=(TraceHeader(organ_id=SENDER.organ_id, timestamp=datetime(2026, 3, 2, 15, 4, 5)),),
        business=Business(reason="Văn bản điện tử mới",
                          staff=StaffInfo(department="Văn thư", staff="Nguyễn Thị Bình", mobile="0912000001",
                                          email="vanthu@nghean.gov.vn")),
        attachments=(
            Attachment(content_id="6f1c0d2e-0000-4000-8000-000000000001", name="12-UBND-VX.signed.pdf",
                       media_type="application/pdf", data=fully_signed(), description="Văn bản chính"),
            Attachment(content_id="6f1c0d2e-0000-4000-8000-000000000002", name="Phu-luc-I.pdf",
                       media_type="application/pdf", data=minimal_pdf("Phu luc I"), description="Phụ lục I"),
        ),
    )


def small_package() -> Package:
    """The realistic package with two small files: quick to sign many times."""
    package = realistic_package()
    attachments = tuple(replace(attachment, data=minimal_pdf(f"Tep {index}"))
                        for index, attachment in enumerate(package.attachments))
    return replace(package, attachments=attachments)


def edit(data: bytes, change: Callable[[etree._Element], object]) -> bytes:
    """``data`` parsed, changed in place by ``change``, serialised again (no re-signing)."""
    root = etree.fromstring(data)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def find(root: etree._Element, path: str) -> etree._Element:
    """The first element at ``path`` (edXML names separated by ``/``, searched at any depth)."""
    element = root.find(".//" + "/".join(q(part) for part in path.split("/")))
    assert element is not None, path
    return element


def signed_as_sender(data: bytes) -> bytes:
    """``data`` (built unsigned, perhaps edited) signed with the sender's key, as a sender
    whose software wrote it so would send it."""
    root = etree.fromstring(data)
    dsig.add_placeholder(find(root, "edXMLEnvelope/edXMLHeader"))
    return etree.tostring(dsig.sign(root, sender_key()))
