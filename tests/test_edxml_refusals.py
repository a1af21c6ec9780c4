"""Bad packages are refused whole (issue 15 item 5): each raises PackageRefused with status 02
and its Vietnamese reason, nothing else, and nothing of the package is returned."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from exchange.edxml import (
    REFUSED,
    Business,
    BusinessDocType,
    Limits,
    PackageRefused,
    Reason,
    Replacement,
    Status,
    StatusPackage,
    build,
    build_status,
    parse,
    parse_status,
)
from exchange.edxml.names import NS, SHA256_ATTR, q
from tests.edxml_support import (
    SENDER,
    edit,
    find,
    identities,
    sender_key,
    signed_as_sender,
    small_package,
    trust,
)


def refused(data: object, reason: Reason, **kwargs: object) -> PackageRefused:
    with pytest.raises(PackageRefused) as caught:
        parse(data, trust=kwargs.pop("trust", trust), **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert error.reason is reason, (error.reason, error.message_en)
    assert error.status_code == REFUSED == "02"
    assert error.message_vi and error.message_en
    return error


@pytest.fixture(scope="module")
def signed() -> bytes:
    return build(small_package(), sender_key())


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return build(small_package())


def test_malformed_xml() -> None:
    error = refused(b"<edXML xmlns='" + NS.encode() + b"'><edXMLEnvelope>", Reason.MALFORMED)
    assert error.message_vi == "Gói tin không phải XML hợp lệ."
    refused(b"", Reason.MALFORMED)
    refused(b"\xff\xfe\x00garbage", Reason.MALFORMED)


def test_xxe_is_refused_without_reading_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("BÍ MẬT")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           f'<edXML xmlns="{NS}"><x>&xxe;</x></edXML>').encode()
    error = refused(xxe, Reason.FORBIDDEN_DTD)
    assert "DTD" in error.message_vi and "BÍ MẬT" not in error.message_vi
    # In UTF-16 the byte scan cannot see the declaration; the parsed document's DTD still refuses it.
    refused(xxe.decode().replace('version="1.0"', 'version="1.0" encoding="utf-16"').encode("utf-16"),
            Reason.FORBIDDEN_DTD)


def test_billion_laughs_is_refused_quickly() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY l0 "ha">{entities}]><edXML xmlns="{NS}">&l9;</edXML>'
    started = time.perf_counter()
    refused(bomb.encode(), Reason.FORBIDDEN_DTD)
    assert time.perf_counter() - started < 5


def test_wrong_namespace(signed: bytes) -> None:
    error = refused(signed.replace(NS.encode(), b"http://example.org/not-edxml"), Reason.WRONG_NAMESPACE)
    assert error.message_vi == "Gói tin không thuộc không gian tên edXML của QCVN 102:2016/BTTTT."
    refused(b"<edXML><edXMLEnvelope/></edXML>", Reason.WRONG_NAMESPACE)


def test_a_200_mb_package_is_refused_after_reading_only_the_limit() -> None:
    limit = 50 * 1024 * 1024
    chunk = b"A" * (1024 * 1024)
    read = 0

    def stream() -> Iterator[bytes]:
        nonlocal read
        head = f'<?xml version="1.0"?><edXML xmlns="{NS}"><edXMLEnvelope><x>'.encode()
        read += len(head)
        yield head
        for _ in range(200):
            read += len(chunk)
            yield chunk

    error = refused(stream(), Reason.TOO_LARGE)
    assert read <= limit + 2 * len(chunk)
    assert error.message_vi == "Gói tin vượt quá dung lượng cho phép (50 MB)."


def test_a_200_mb_file_is_refused_by_its_size(tmp_path: Path) -> None:
    huge = tmp_path / "huge.edxml"
    with huge.open("wb") as handle:  # sparse: no 200 MB written or read
        handle.truncate(200 * 1024 * 1024)
    refused(huge, Reason.TOO_LARGE)


def test_the_limit_is_configurable(signed: bytes) -> None:
    refused(signed, Reason.TOO_LARGE, limits=Limits(max_bytes=len(signed) - 1))
    assert parse(signed, trust=trust, limits=Limits(max_bytes=len(signed))).document_id


def _replace_appendix(root: etree._Element) -> None:
    # Another valid PDF in place of the appendix, the manifest's SHA-256 left as it was.
    attachment = root.findall(f"{q('AttachmentEncoded')}/{q('Attachment')}")[1]
    find(attachment, "ContentTransferEncoded").text = "JVBERi0xLjQKJSBhbm90aGVyIGZpbGUK"


def test_attachment_hash_mismatch_unsigned(unsigned: bytes) -> None:
    error = refused(edit(unsigned, _replace_appendix), Reason.ATTACHMENT_HASH, trust=None)
    assert error.message_vi == ("Tệp đính kèm «Phu-luc-I.pdf» không khớp mã băm đã khai báo "
                                "(tệp bị thay đổi hoặc hỏng).")


def test_attachment_hash_mismatch_signed_by_the_sender() -> None:
    """A file damaged before signing: the signature is good, the declared hash is not."""
    refused(signed_as_sender(edit(build(small_package()), _replace_appendix)), Reason.ATTACHMENT_HASH)


def test_attachment_missing(unsigned: bytes) -> None:
    def drop(root: etree._Element) -> None:
        encoded = root.find(q("AttachmentEncoded"))
        encoded.remove(encoded[1])

    error = refused(edit(unsigned, drop), Reason.ATTACHMENT_MISSING, trust=None)
    assert "Phu-luc-I.pdf" in error.message_vi


def test_unknown_agency(signed: bytes) -> None:
    error = refused(signed, Reason.UNKNOWN_AGENCY, trust=lambda organ_id: ())
    assert error.message_vi == (f"Cơ quan gửi {SENDER.organ_id} không có trong danh bạ hoặc chưa đăng ký "
                                "chứng thư số.")


def test_signature_of_another_agency() -> None:
    receiver_key = next(identity for organ_id, identity in identities().items() if organ_id != SENDER.organ_id)
    forged = build(small_package(), receiver_key)
    error = refused(forged, Reason.BAD_SIGNATURE)
    assert error.message_vi.startswith("Chữ ký số của gói tin không hợp lệ")


def test_unsigned_package_when_a_signature_is_required(unsigned: bytes) -> None:
    refused(unsigned, Reason.UNSIGNED)


def test_schema_violation(unsigned: bytes) -> None:
    no_subject = edit(unsigned, lambda root: find(root, "MessageHeader").remove(find(root, "MessageHeader/Subject")))
    error = refused(no_subject, Reason.SCHEMA, trust=None)
    assert error.message_vi.startswith("Gói tin không đúng cấu trúc edXML")


def test_invalid_value(unsigned: bytes) -> None:
    def impossible_date(root: etree._Element) -> None:
        find(root, "PromulgationInfo/PromulgationDate").text = "2026/02/30"

    refused(edit(unsigned, impossible_date), Reason.INVALID_VALUE, trust=None)


def test_deep_nesting_hits_the_parser_limit() -> None:
    deep = f'<edXML xmlns="{NS}">' + "<a>" * 5000 + "</a>" * 5000 + "</edXML>"
    refused(deep.encode(), Reason.PARSER_LIMIT)


def test_a_status_is_not_a_document_and_the_reverse(signed: bytes) -> None:
    package = small_package()
    status = StatusPackage(
        response_for=package.response_for[0], from_organ=SENDER, status_code=Status.ARRIVED.code,
        timestamp=package.trace_headers[0].timestamp,
    )
    refused(build_status(status, sender_key()), Reason.WRONG_KIND)
    with pytest.raises(PackageRefused) as caught:
        parse_status(signed, trust=trust)
    assert caught.value.reason is Reason.WRONG_KIND


def test_a_replayed_package_with_changed_content_fails_its_signature(signed: bytes) -> None:
    """The same DocumentId with a different subject: the sender never signed that."""
    changed = edit(signed, lambda root: setattr(find(root, "MessageHeader/Subject"), "text", "Nội dung khác"))
    refused(changed, Reason.BAD_SIGNATURE)


def test_manifest_hash_attribute_is_what_the_builder_wrote(unsigned: bytes) -> None:
    root = etree.fromstring(unsigned)
    hashes = [reference.get(SHA256_ATTR) for reference in root.iter(q("Reference"))]
    assert hashes == [attachment.sha256 for attachment in small_package().attachments]


def test_a_document_id_of_another_agency_is_refused() -> None:
    """Agency A, trusted, may not recall or replace agency B's document at the receiver."""
    other = "000.00.00.G22,2026/02/20,7816/VPCP-TTĐT"
    own = small_package().document_id
    recall = build(replace(small_package(), business=Business(doc_type=BusinessDocType.RECALL, document_id=own)))
    replacing = build(replace(small_package(), business=Business(doc_type=BusinessDocType.REPLACE,
                                                                   replaces=(Replacement(own),))))
    for data, path in ((recall, "Bussiness/DocumentId"), (replacing, "ReplacementInfo/DocumentId"),
                       (build(small_package()), "MessageHeader/DocumentId")):
        foreign = signed_as_sender(edit(data, lambda root, path=path: setattr(find(root, path), "text", other)))
        error = refused(foreign, Reason.FOREIGN_DOCUMENT)
        assert error.message_vi == f"Mã văn bản {other} không thuộc cơ quan gửi gói tin."
    # Our own builder never writes one.
    with pytest.raises(ValueError):
        build(replace(small_package(), business=Business(doc_type=BusinessDocType.RECALL, document_id=other)))


def test_two_attachments_with_one_content_id_are_refused(unsigned: bytes) -> None:
    def same_id(root: etree._Element) -> None:
        first, second = root.findall(f"{q('AttachmentEncoded')}/{q('Attachment')}")
        find(second, "ContentId").text = find(first, "ContentId").text

    error = refused(edit(unsigned, same_id), Reason.SCHEMA, trust=None)
    assert "ContentId" in error.message_vi


def test_received_names_are_made_safe_for_disk() -> None:
    attachment = small_package().attachments[0]
    assert replace(attachment, name="../../etc/passwd").safe_name == "passwd"
    assert replace(attachment, name="C:\\Văn bản\\Quyết định.pdf").safe_name == "Quyết định.pdf"
    assert replace(attachment, name="..").safe_name == "tep-dinh-kem"
    assert replace(attachment, name="a\x00b\nc.pdf").safe_name == "abc.pdf"


@pytest.mark.parametrize("check_signature", [True, False])
def test_a_comment_cannot_cut_a_signed_value(signed: bytes, unsigned: bytes, check_signature: bool) -> None:
    """The SAML comment truncation: "abc<!---->def" must not read as "abc"."""
    subject = small_package().subject
    data = signed if check_signature else unsigned
    split = data.replace(subject.encode(), (subject[:10] + "<!-- -->" + subject[10:]).encode())
    assert split != data
    assert parse(split, trust=trust if check_signature else None).subject == subject
