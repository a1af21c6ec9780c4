"""Writing packages: :func:`build` for a document, :func:`build_status` for a status.

The layout is the reconstructed one of ``shared/standards/edxml_*.xml``: the root ``edXML``
(default namespace) holds ``edXMLEnvelope`` (header, then the body's manifest referencing each
attachment by ``cid:``) and, outside the envelope, ``AttachmentEncoded`` with the files in
base64. With a ``signer``, an enveloped XML-DSig signature over the whole package (attachments
included) is placed at the end of ``edXMLHeader``, where the samples have it.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from lxml import etree

from . import dsig, schema
from .model import Business, Organ, Package, ResponseFor, StaffInfo, StatusPackage
from .names import CID, NS, QLVB_NS, SHA256_ATTR, XLINK_NS, format_date, format_timestamp, q


def _sub(parent: etree._Element, name: str, text: str | int | None = None) -> etree._Element:
    element = etree.SubElement(parent, q(name))
    if text is not None:
        element.text = str(text)
    return element


def _organ(parent: etree._Element, name: str, organ: Organ) -> None:
    element = _sub(parent, name)
    _sub(element, "OrganId", organ.organ_id)
    _sub(element, "OrganizationInCharge", organ.in_charge)
    _sub(element, "OrganName", organ.name)
    for tag, value in (("OrganAdd", organ.address), ("Email", organ.email), ("Telephone", organ.telephone),
                       ("Fax", organ.fax), ("Website", organ.website)):
        if value:
            _sub(element, tag, value)


def _response_for(parent: etree._Element, response: ResponseFor) -> None:
    element = _sub(parent, "ResponseFor")
    _sub(element, "OrganId", response.organ_id)
    _sub(element, "Code", response.code)
    _sub(element, "PromulgationDate", format_date(response.promulgation_date))
    _sub(element, "DocumentId", response.document_id)


def _staff(parent: etree._Element, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    element = _sub(parent, "StaffInfo")
    _sub(element, "Department", staff.department)
    _sub(element, "Staff", staff.staff)
    _sub(element, "Mobile", staff.mobile)
    _sub(element, "Email", staff.email)


def _texts(parent: etree._Element, name: str, item: str, values: Iterable[str]) -> None:
    values = tuple(values)
    if values:
        element = _sub(parent, name)
        for value in values:
            _sub(element, item, value)


def _message_header(header: etree._Element, package: Package) -> None:
    message = _sub(header, "MessageHeader")
    _organ(message, "From", package.from_organ)
    for organ in package.to:
        _organ(message, "To", organ)
    code = _sub(message, "Code")
    _sub(code, "CodeNumber", package.code_number)
    _sub(code, "CodeNotation", package.code_notation)
    promulgation = _sub(message, "PromulgationInfo")
    _sub(promulgation, "Place", package.promulgation_place)
    _sub(promulgation, "PromulgationDate", format_date(package.promulgation_date))
    doc_type = _sub(message, "DocumentType")
    _sub(doc_type, "Type", package.document_type.code)
    _sub(doc_type, "TypeDetail", package.document_type.detail)
    _sub(doc_type, "TypeName", package.document_type.name)
    _sub(message, "Subject", package.subject)
    _sub(message, "Content", package.content)
    signer = _sub(message, "SignerInfo")
    _sub(signer, "Competence", package.signer.competence)
    _sub(signer, "Position", package.signer.position)
    _sub(signer, "FullName", package.signer.full_name)
    if package.due_date is not None:
        _sub(message, "DueDate", format_date(package.due_date))
    _texts(message, "ToPlaces", "Place", package.to_places)
    other = _sub(message, "OtherInfo")
    _sub(other, "Priority", package.other.priority)
    _sub(other, "SphereOfPromulgation", package.other.sphere_of_promulgation)
    _sub(other, "TyperNotation", package.other.typer_notation)
    _sub(other, "PromulgationAmount", package.other.promulgation_amount)
    _sub(other, "PageAmount", package.other.page_amount)
    _texts(other, "Appendixes", "Appendix", package.other.appendixes)
    for response in package.response_for:
        _response_for(message, response)
    _sub(message, "SteeringType", package.steering_type)
    _sub(message, "DocumentId", package.document_id)


def _business(parent: etree._Element, business: Business) -> None:
    element = _sub(parent, "Bussiness")
    _sub(element, "BussinessDocType", int(business.doc_type))
    _sub(element, "BussinessDocReason", business.reason)
    if business.update is not None:
        info = _sub(element, "BussinessDocumentInfo")
        _sub(info, "DocumentInfo", int(business.update.document_info))
        _sub(info, "DocumentReceiver", int(business.update.document_receiver))
        if business.update.receivers:
            receivers = _sub(info, "ReceiverList")
            for change in business.update.receivers:
                receiver = _sub(receivers, "Receiver")
                _sub(receiver, "ReceiverType", int(change.added))
                _sub(receiver, "OrganId", change.organ_id)
    if business.document_id:
        _sub(element, "DocumentId", business.document_id)
    _staff(element, business.staff)
    _sub(element, "Paper", business.paper)
    if business.replaces:
        replacements = _sub(element, "ReplacementInfoList")
        for replaced in business.replaces:
            info = _sub(replacements, "ReplacementInfo")
            _sub(info, "DocumentId", replaced.document_id)
            _texts(info, "OrganIdList", "OrganId", replaced.organ_ids)


def _trace_header_list(header: etree._Element, package: Package) -> None:
    traces = _sub(header, "TraceHeaderList")
    for trace in package.trace_headers:
        element = _sub(traces, "TraceHeader")
        _sub(element, "OrganId", trace.organ_id)
        _sub(element, "Timestamp", format_timestamp(trace.timestamp))
    _business(traces, package.business)


def _manifest_and_attachments(root: etree._Element, envelope: etree._Element, package: Package) -> None:
    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    for attachment in package.attachments:
        reference = etree.SubElement(manifest, q("Reference"), nsmap={"xlink": XLINK_NS, "qlvb": QLVB_NS})
        reference.set(f"{{{XLINK_NS}}}href", CID + attachment.content_id)
        reference.set(f"{{{XLINK_NS}}}role", "XLinkRole")
        reference.set(f"{{{XLINK_NS}}}type", "simple")
        reference.set(SHA256_ATTR, attachment.sha256)
        _sub(reference, "Description", attachment.description)
        _sub(reference, "AttachmentName", attachment.name)
        _sub(reference, "ContentType", attachment.media_type)
        _sub(reference, "ContentId", CID + attachment.content_id)
    if not package.attachments:
        return
    encoded = _sub(root, "AttachmentEncoded")
    for attachment in package.attachments:
        element = _sub(encoded, "Attachment")
        _sub(element, "ContentType", attachment.media_type)
        _sub(element, "ContentId", attachment.content_id)
        _sub(element, "Description", attachment.description)
        _sub(element, "ContentTransferEncoded", base64.b64encode(attachment.data).decode("ascii"))
        _sub(element, "AttachmentName", attachment.name)


def _envelope() -> tuple[etree._Element, etree._Element, etree._Element]:
    root = etree.Element(q("edXML"), nsmap={None: NS})
    envelope = etree.SubElement(root, q("edXMLEnvelope"), nsmap={"edXML": NS})
    return root, envelope, etree.SubElement(envelope, q("edXMLHeader"))


def _finish(root: etree._Element, header: etree._Element, signer: dsig.XmlKey | None) -> bytes:
    # What our own XSD would refuse on receipt is the sender's error: never sent.
    checker = schema.schema()
    if not checker.validate(root):
        raise ValueError(f"the package does not follow edxml.xsd: {schema.first_error(checker)}")
    if signer is not None:
        dsig.add_placeholder(header)
        root = dsig.sign(root, signer)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def build(package: Package, signer: dsig.XmlKey | None = None) -> bytes:
    """The edXML document package for ``package``, signed with ``signer`` (the sending
    agency's key and certificate) when given. ValueError when a value cannot be sent (out of
    the XSD's ranges, characters XML cannot carry, another agency's DocumentId, two files
    with one content id)."""
    foreign = package.foreign_document_ids()
    if foreign:
        raise ValueError(f"DocumentId {foreign[0]!r} is not of the sender {package.from_organ.organ_id}")
    if len({attachment.content_id for attachment in package.attachments}) < len(package.attachments):
        raise ValueError("two attachments share a content id")
    root, envelope, header = _envelope()
    _message_header(header, package)
    _trace_header_list(header, package)
    _manifest_and_attachments(root, envelope, package)
    return _finish(root, header, signer)


def build_status(status: StatusPackage, signer: dsig.XmlKey | None = None) -> bytes:
    """The edXML status package for ``status``, signed with ``signer`` when given."""
    root, _envelope_element, header = _envelope()
    element = _sub(header, "Status")
    _response_for(element, status.response_for)
    _organ(element, "From", status.from_organ)
    _sub(element, "StatusCode", status.status_code)
    _sub(element, "Description", status.description)
    _sub(element, "Timestamp", format_timestamp(status.timestamp))
    _staff(element, status.staff)
    return _finish(root, header, signer)
