"""Between the platform and the edXML library (``exchange.edxml``): a package built from an
issued document or a received one's status, and a parsed package read back into what the
import needs (:mod:`exchange.received`).

The packages are signed with the sending agency's key (``QLVB_PKI_DIR/agencies/<code>.p12``,
its password the first line of ``QLVB_EXCHANGE_KEY_PASSWORD_FILE`` or of the systemd credential
``qlvb-exchange-key-password``, never a file others may read: engine.core.credentials): the
worker signs them unattended, so that key is the one the operator makes available to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy.orm import Session

from engine.core import credentials
from engine.core.clock import VIETNAM
from engine.core.config import EXCHANGE_KEY_CREDENTIAL
from engine.core.errors import DomainError
from engine.core.platform import Platform
from engine.documents import doctypes
from engine.documents.storage import FileStore
from engine.models import Agency, Document, OutboxItem, Partner, Urgency
from exchange import edxml
from exchange.edxml import model
from signing.keystore.pki import Identity

from .importing import Refused
from .received import Incoming, IncomingFile, StatusIn

_TYPES = sorted(doctypes.DOC_TYPES)
_PRIORITY = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.VERY_URGENT: 2, Urgency.FLASH: 3}
_URGENCY = {v: k for k, v in _PRIORITY.items()} | {4: Urgency.FLASH}


class KeyMissing(Exception):
    """The agency's package-signing key is not available to the worker (retried later)."""


def signer(pki_dir: Path, password_file: Path | None, agency_code: str) -> Identity:
    path = pki_dir / "agencies" / f"{agency_code}.p12"
    if password_file is None or not path.is_file():
        raise KeyMissing(f"Chưa có khóa ký gói tin của cơ quan {agency_code} (agencies/{agency_code}.p12 và "
                         f"QLVB_EXCHANGE_KEY_PASSWORD_FILE hoặc LoadCredential={EXCHANGE_KEY_CREDENTIAL}).")
    try:
        password = credentials.read_secret(password_file)
    except DomainError as err:  # a world-readable file too: the package waits, the reason on its send
        raise KeyMissing(err.message) from None
    return _load(path, password)


@cache
def _load(path: Path, password: str) -> Identity:
    key, cert, chain = pkcs12.load_key_and_certificates(path.read_bytes(), password.encode())
    assert key is not None and cert is not None
    return Identity(key, cert, tuple(chain))  # type: ignore[arg-type]


def _vn(now: datetime) -> datetime:
    return now.astimezone(VIETNAM).replace(tzinfo=None)


def _organ(agency: Agency) -> model.Organ:
    return model.Organ(organ_id=agency.identifier_code, name=agency.name)


def _split(number_symbol: str) -> tuple[str, str]:
    number, _, notation = number_symbol.partition("/")
    return number, notation


def _package(doc: Document, agency: Agency, partner: Partner, item: OutboxItem, store: FileStore,
             now: datetime) -> model.Package:
    details = json.loads(item.details_json)
    number, notation = _split(doc.number_symbol or "")
    kind = model.BusinessDocType(item.business_type)
    business = model.Business(doc_type=kind, reason=str(details.get("reason") or ""))
    replaces = tuple(details.get("replaces") or ())
    if kind == model.BusinessDocType.RECALL:
        business = model.Business(doc_type=kind, reason=business.reason, document_id=item.edxml_document_id)
    elif kind == model.BusinessDocType.UPDATE and replaces:
        business = model.Business(doc_type=kind, document_id=replaces[0], update=model.UpdateInfo(document_info=True))
    elif kind == model.BusinessDocType.REPLACE:
        business = model.Business(doc_type=kind, replaces=tuple(model.Replacement(r, (partner.organ_id,))
                                                               for r in replaces))
    files = [] if kind == model.BusinessDocType.RECALL else sorted(doc.files, key=lambda f: (f.role != "main", f.id))
    attachments = tuple(model.Attachment(content_id=f"{i + 1}", name=f.filename, media_type="application/pdf",
                                         data=store.path(f.sha256).read_bytes(),
                                         description="Văn bản chính" if f.role == "main" else "Phụ lục")
                        for i, f in enumerate(files))
    return model.Package(
        document_id=item.edxml_document_id, from_organ=_organ(agency),
        to=(model.Organ(organ_id=partner.organ_id, name=partner.name),),
        code_number=number, code_notation=notation, promulgation_place=agency.place_name or agency.name,
        promulgation_date=doc.document_date or now.astimezone(VIETNAM).date(),
        document_type=model.DocumentType(code=_TYPES.index(doc.doc_type) + 1 if doc.doc_type in _TYPES else 0,
                                         name=doctypes.DOC_TYPES.get(doc.doc_type, doc.doc_type)),
        subject=doc.subject,
        signer=model.Signer(competence=doc.signer_authority or "", position=doc.signer_position or "",
                            full_name=doc.signer_name or ""),
        due_date=doc.due_date, to_places=tuple(r.name for r in doc.recipients),
        other=model.OtherInfo(priority=_PRIORITY.get(doc.urgency, 0), page_amount=doc.page_amount or 0,
                              appendixes=tuple(f.filename for f in files if f.role != "main")),
        trace_headers=(model.TraceHeader(organ_id=agency.identifier_code, timestamp=_vn(now)),),
        business=business, attachments=attachments, steering_type=int(details.get("steering") or 1),
        response_for=(_response_for(details["response_for"]),) if details.get("response_for") else (),
    )


def _response_for(edxml_document_id: str) -> model.ResponseFor:
    organ, day, code = (edxml_document_id.split(",", 2) + ["", ""])[:3]
    try:
        promulgated = datetime.strptime(day, "%Y/%m/%d").date()
    except ValueError:
        promulgated = date(1970, 1, 1)
    return model.ResponseFor(organ_id=organ, code=code, promulgation_date=promulgated,
                             document_id=edxml_document_id)


def _status(agency: Agency, item: OutboxItem) -> model.StatusPackage:
    details = json.loads(item.details_json)
    at = datetime.fromisoformat(details["at"]) if details.get("at") else item.created_at
    return model.StatusPackage(response_for=_response_for(item.edxml_document_id), from_organ=_organ(agency),
                               status_code=item.status_code or "01", timestamp=_vn(at),
                               description=str(details.get("description") or ""),
                               staff=model.StaffInfo(staff=str(details.get("staff") or "")))


def preparer(platform: Platform) -> Callable[[Session, OutboxItem], Callable[[], bytes]]:
    """The outbox's ``prepare``: reads the item's document (files read from the store) in the
    caller's read transaction; the work it returns signs and serialises."""
    settings = platform.settings
    store = FileStore(settings.files_dir)

    def prepare(session: Session, item: OutboxItem) -> Callable[[], bytes]:
        agency, partner = session.get(Agency, item.agency_id), session.get(Partner, item.partner_id)
        assert agency is not None and partner is not None
        key = signer(settings.pki_dir, settings.exchange_key_password_file, agency.code)
        if item.kind == "status":
            status = _status(agency, item)
            return lambda: edxml.build_status(status, key)
        doc = session.get(Document, item.document_id)
        assert doc is not None
        package = _package(doc, agency, partner, item, store, item.created_at)
        return lambda: edxml.build(package, key)

    return prepare


def _trust(certificate_pem: str) -> list[x509.Certificate]:
    try:
        return list(x509.load_pem_x509_certificates(certificate_pem.encode())) if certificate_pem.strip() else []
    except ValueError:
        return []


def _doc_type(name: str) -> str:
    return next((abbr for abbr, full in doctypes.DOC_TYPES.items() if full.casefold() == name.casefold()), "CV")


def _utc(naive_vn: datetime) -> datetime:
    return naive_vn.replace(tzinfo=VIETNAM).astimezone(UTC)


def _incoming(p: model.Package) -> Incoming:
    business = p.business
    replaces = tuple(r.document_id for r in business.replaces)
    if business.doc_type == model.BusinessDocType.UPDATE and business.document_id:
        replaces = (business.document_id,)
    files = tuple(IncomingFile("main" if i == 0 else "appendix", a.name, a.data) for i, a in enumerate(p.attachments))
    metadata = {
        "doc_type": _doc_type(p.document_type.name), "subject": p.subject, "number_symbol": p.code[:64],
        "document_date": p.promulgation_date.isoformat(), "issuer_name": p.from_organ.name[:200],
        "issuer_organ_id": p.from_organ.organ_id, "signer_authority": p.signer.competence[:8] or None,
        "signer_position": p.signer.position[:100] or None, "signer_name": p.signer.full_name[:50] or None,
        "due_date": p.due_date.isoformat() if p.due_date else None,
        "urgency": _URGENCY.get(p.other.priority, Urgency.NORMAL).value, "page_amount": p.other.page_amount or None,
    }
    return Incoming(document_id=p.document_id, business_type=int(business.doc_type),
                    sender_organ=p.from_organ.organ_id, recipients=tuple(o.organ_id for o in p.to),
                    metadata=metadata, files=files, replaces=replaces, reason=business.reason,
                    response_for=tuple(r.document_id for r in p.response_for), steering_type=p.steering_type,
                    digest=edxml.content_digest(p))


def parse(data: bytes, certificate_pem: str, max_bytes: int = edxml.DEFAULT_MAX_BYTES) -> Incoming | StatusIn:
    """Validate and read a package (a document or a status) of at most ``max_bytes``, signed
    with ``certificate_pem``, the certificate the sender's directory entry holds; a package from
    any other agency is refused."""
    certificates = _trust(certificate_pem)
    try:
        # The sender named in the package must be the directory's partner (exchange.inbound checks it).
        parsed = edxml.parse_any(data, trust=lambda _organ_id: certificates, limits=edxml.Limits(max_bytes=max_bytes))
    except edxml.PackageRefused as err:
        raise Refused(err.message_vi) from None
    if isinstance(parsed, model.StatusPackage):
        return StatusIn(document_id=parsed.document_id, sender_organ=parsed.from_organ.organ_id,
                        code=parsed.status_code, description=parsed.description,
                        staff=parsed.staff.staff if parsed.staff else "", at=_utc(parsed.timestamp))
    return _incoming(parsed)
