"""Reading received packages: :func:`parse` (document), :func:`parse_status`, :func:`parse_any`.

Every step refuses with :class:`~.errors.PackageRefused` and nothing else: the size limit
before parsing, the hardened parser, the namespace, our XSD, the sender's signature against the
certificates ``trust`` gives for the sending agency, then the values and the attachments'
SHA-256. ``trust=None`` skips the signature (reading one's own outbox, the standard's samples):
a receiver always passes its agency directory.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from cryptography import x509
from lxml import etree

from . import dsig
from .errors import PackageRefused, Reason
from .model import (
    Attachment,
    Business,
    BusinessDocType,
    DocumentType,
    Organ,
    OtherInfo,
    Package,
    ReceiverChange,
    Replacement,
    ResponseFor,
    Signer,
    StaffInfo,
    StatusPackage,
    TraceHeader,
    UpdateInfo,
)
from .names import NS, ROOT, SHA256_ATTR, XLINK_NS, parse_date, parse_timestamp, q, strip_cid
from .safexml import DEFAULT_LIMITS, Limits, Source, parse_xml, parser, read_limited
from .schema import validate

Trust = Callable[[str], Sequence[x509.Certificate]]
"""The certificates an agency (by OrganId) signs with; empty for an agency not trusted.
Exceptions it raises (a directory that cannot be read) are not the package's fault and pass."""


@contextmanager
def _refusing(reason: Reason) -> Iterator[None]:
    """Turn any failure inside into a refusal: a received package must never raise another
    exception (that would be a 500 and a half-imported package)."""
    try:
        yield
    except PackageRefused:
        raise
    except Exception as error:  # the boundary that promises PackageRefused only
        raise PackageRefused(reason, detail=f"{type(error).__name__}: {error}"[:300]) from error


@cache
def _qualified(path: str) -> str:
    return "/".join(q(part) for part in path.split("/"))


def _child(parent: etree._Element, path: str) -> etree._Element | None:
    return parent.find(_qualified(path))


def _text(parent: etree._Element, path: str) -> str:
    element = _child(parent, path)
    return element.text or "" if element is not None else ""


def _int(parent: etree._Element, path: str, default: int = 0) -> int:
    text = _text(parent, path).strip()
    return int(text) if text else default


def _texts(parent: etree._Element, path: str) -> tuple[str, ...]:
    *container, item = path.split("/")
    holder = _child(parent, "/".join(container)) if container else parent
    return tuple(element.text or "" for element in holder.findall(q(item))) if holder is not None else ()


def _organ(element: etree._Element) -> Organ:
    return Organ(
        organ_id=_text(element, "OrganId").strip(), name=_text(element, "OrganName"),
        in_charge=_text(element, "OrganizationInCharge"), address=_text(element, "OrganAdd"),
        email=_text(element, "Email"), telephone=_text(element, "Telephone"), fax=_text(element, "Fax"),
        website=_text(element, "Website"),
    )


def _response_for(element: etree._Element) -> ResponseFor:
    return ResponseFor(
        organ_id=_text(element, "OrganId").strip(), code=_text(element, "Code"),
        promulgation_date=parse_date(_text(element, "PromulgationDate")),
        document_id=_text(element, "DocumentId").strip(),
    )


def _staff(parent: etree._Element) -> StaffInfo | None:
    element = _child(parent, "StaffInfo")
    if element is None:
        return None
    return StaffInfo(department=_text(element, "Department"), staff=_text(element, "Staff"),
                     mobile=_text(element, "Mobile"), email=_text(element, "Email"))


def _business(element: etree._Element | None) -> Business:
    if element is None:
        return Business()
    update = None
    info = _child(element, "BussinessDocumentInfo")
    if info is not None:
        receivers = tuple(
            ReceiverChange(organ_id=_text(receiver, "OrganId").strip(), added=_int(receiver, "ReceiverType") == 1)
            for receiver in info.findall(f"{q('ReceiverList')}/{q('Receiver')}")
        )
        update = UpdateInfo(document_info=_int(info, "DocumentInfo") == 1,
                            document_receiver=_int(info, "DocumentReceiver") == 1, receivers=receivers)
    replaces = tuple(
        Replacement(document_id=_text(replaced, "DocumentId").strip(),
                    organ_ids=tuple(organ.strip() for organ in _texts(replaced, "OrganIdList/OrganId")))
        for replaced in element.findall(f"{q('ReplacementInfoList')}/{q('ReplacementInfo')}")
    )
    return Business(
        doc_type=BusinessDocType(_int(element, "BussinessDocType")), reason=_text(element, "BussinessDocReason"),
        staff=_staff(element), paper=_int(element, "Paper"), document_id=_text(element, "DocumentId").strip(),
        update=update, replaces=replaces,
    )


def _decode(text: str, name: str) -> bytes:
    try:
        # RFC 2045: characters outside the base64 alphabet (line breaks) are ignored.
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as error:
        raise PackageRefused(Reason.INVALID_VALUE, detail=f"base64 of {name}") from error


def _attachments(root: etree._Element) -> tuple[Attachment, ...]:
    """The files, in the manifest's order, each checked against the SHA-256 our builder records."""
    encoded: dict[str, etree._Element] = {}
    for element in root.findall(f"{q('AttachmentEncoded')}/{q('Attachment')}"):
        content_id = strip_cid(_text(element, "ContentId"))
        if content_id in encoded:
            raise PackageRefused(Reason.SCHEMA, detail=f"two attachments with ContentId {content_id!r}")
        encoded[content_id] = element
    attachments: list[Attachment] = []
    references = root.findall(f"{q('edXMLEnvelope')}/{q('edXMLBody')}/{q('edXMLManifest')}/{q('Reference')}")
    for reference in references:
        content_id = strip_cid(_text(reference, "ContentId") or reference.get(f"{{{XLINK_NS}}}href", ""))
        name = _text(reference, "AttachmentName")
        element = encoded.pop(content_id, None)
        if element is None and any(attachment.content_id == content_id for attachment in attachments):
            raise PackageRefused(Reason.SCHEMA, detail=f"two manifest references to ContentId {content_id!r}")
        if element is None:
            raise PackageRefused(Reason.ATTACHMENT_MISSING, detail=name or content_id)
        attachment = Attachment(
            content_id=content_id, name=name or _text(element, "AttachmentName"),
            media_type=_text(reference, "ContentType") or _text(element, "ContentType"),
            description=_text(reference, "Description") or _text(element, "Description"),
            data=_decode(_text(element, "ContentTransferEncoded"), name),
        )
        declared = reference.get(SHA256_ATTR)
        if declared is not None and declared.strip().lower() != attachment.sha256:
            raise PackageRefused(Reason.ATTACHMENT_HASH, detail=attachment.name)
        attachments.append(attachment)
    if encoded:
        # A file the manifest does not list is one the sender's clerk never declared.
        raise PackageRefused(Reason.SCHEMA, detail=f"attachment {next(iter(encoded))!r} not in the manifest")
    return tuple(attachments)


def _package(root: etree._Element, header: etree._Element) -> Package:
    message = _child(header, "MessageHeader")
    traces = _child(header, "TraceHeaderList")
    assert message is not None and traces is not None  # the XSD requires both
    due = _text(message, "DueDate").strip()
    other = _child(message, "OtherInfo")
    return Package(
        document_id=_text(message, "DocumentId").strip(),
        from_organ=_organ(message.find(q("From"))),
        to=tuple(_organ(element) for element in message.findall(q("To"))),
        code_number=_text(message, "Code/CodeNumber").strip(),
        code_notation=_text(message, "Code/CodeNotation").strip(),
        promulgation_place=_text(message, "PromulgationInfo/Place"),
        promulgation_date=parse_date(_text(message, "PromulgationInfo/PromulgationDate")),
        document_type=DocumentType(code=_int(message, "DocumentType/Type"),
                                   name=_text(message, "DocumentType/TypeName"),
                                   detail=_int(message, "DocumentType/TypeDetail")),
        subject=_text(message, "Subject"),
        content=_text(message, "Content"),
        signer=Signer(competence=_text(message, "SignerInfo/Competence"),
                      position=_text(message, "SignerInfo/Position"), full_name=_text(message, "SignerInfo/FullName")),
        due_date=parse_date(due) if due else None,
        to_places=_texts(message, "ToPlaces/Place"),
        other=OtherInfo() if other is None else OtherInfo(
            priority=_int(other, "Priority"), sphere_of_promulgation=_text(other, "SphereOfPromulgation"),
            typer_notation=_text(other, "TyperNotation"), promulgation_amount=_int(other, "PromulgationAmount"),
            page_amount=_int(other, "PageAmount"), appendixes=_texts(other, "Appendixes/Appendix"),
        ),
        response_for=tuple(_response_for(element) for element in message.findall(q("ResponseFor"))),
        steering_type=_int(message, "SteeringType", default=1),
        trace_headers=tuple(
            TraceHeader(organ_id=_text(trace, "OrganId").strip(), timestamp=parse_timestamp(_text(trace, "Timestamp")))
            for trace in traces.findall(q("TraceHeader"))
        ),
        business=_business(_child(traces, "Bussiness")),
        attachments=_attachments(root),
    )


def _status(element: etree._Element) -> StatusPackage:
    return StatusPackage(
        response_for=_response_for(element.find(q("ResponseFor"))),
        from_organ=_organ(element.find(q("From"))),
        status_code=_text(element, "StatusCode").strip(),
        description=_text(element, "Description"),
        timestamp=parse_timestamp(_text(element, "Timestamp")),
        staff=_staff(element),
    )


def _sender(header: etree._Element) -> str:
    return _text(header, "MessageHeader/From/OrganId").strip() or _text(header, "Status/From/OrganId").strip()


def _header(root: etree._Element) -> etree._Element:
    header = _child(root, "edXMLEnvelope/edXMLHeader")
    assert header is not None  # the XSD requires it
    return header


def parse_any(source: Source, *, trust: Trust | None, limits: Limits = DEFAULT_LIMITS) -> Package | StatusPackage:
    """The package in ``source`` (bytes, a file, a stream or chunks), whichever kind it is.

    Only :class:`PackageRefused` comes of the package; an error reading ``source`` (see
    :func:`~.safexml.read_limited`) or raised by ``trust`` is the receiver's and passes."""
    data = read_limited(source, limits.max_bytes)
    with _refusing(Reason.MALFORMED):
        root = parse_xml(data, limits)
        if root.tag != ROOT:
            reason = Reason.SCHEMA if etree.QName(root).namespace == NS else Reason.WRONG_NAMESPACE
            raise PackageRefused(reason, detail=f"root element {root.tag}")
    with _refusing(Reason.SCHEMA):
        validate(root)
    if trust is not None:
        organ_id = _sender(_header(root))
        certificates = tuple(trust(organ_id))
        if not certificates:
            raise PackageRefused(Reason.UNKNOWN_AGENCY, detail=organ_id)
        with _refusing(Reason.BAD_SIGNATURE):
            root = dsig.verify(root, certificates, parser(limits))
            if _sender(_header(root)) != organ_id:
                raise PackageRefused(Reason.BAD_SIGNATURE, detail="sender changed after verification")
    with _refusing(Reason.INVALID_VALUE):
        header = _header(root)
        status = _child(header, "Status")
        if status is not None:
            return _status(status)
        package = _package(root, header)
        foreign = package.foreign_document_ids()
        if foreign:
            raise PackageRefused(Reason.FOREIGN_DOCUMENT, detail=foreign[0])
        return package


def parse(source: Source, *, trust: Trust | None, limits: Limits = DEFAULT_LIMITS) -> Package:
    """The document package in ``source``; a status package is refused (``WRONG_KIND``)."""
    package = parse_any(source, trust=trust, limits=limits)
    if not isinstance(package, Package):
        raise PackageRefused(Reason.WRONG_KIND)
    return package


def parse_status(source: Source, *, trust: Trust | None, limits: Limits = DEFAULT_LIMITS) -> StatusPackage:
    """The status package in ``source``; a document package is refused (``WRONG_KIND``)."""
    package = parse_any(source, trust=trust, limits=limits)
    if not isinstance(package, StatusPackage):
        raise PackageRefused(Reason.WRONG_KIND)
    return package
