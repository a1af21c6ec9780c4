"""Digital signatures in the procedures (Decree 30 Art. 5, 13; the BTL circular).

When a leader takes the ``sign`` decision on a document, the platform signs its PDF for
real: with the leader's key kept on the server (PKCS#12, unlocked by the password they
type) or through their own USB token and the local sign agent (split signing). When the
clerk issues it, the number and date are filled into the prepared fields, the agency
signs, and every signature is verified: an issue whose leader's and agency's signatures
are not both valid on the current file is refused, and nothing is issued.

Signatures are bound to the case and the person (engine.signatures.binding): the leader signs the version of
the main file that was current when their task opened (engine.documents.file_versions), with a certificate
registered to them (engine.signatures.certificates), whose subject's name is the one printed and recorded; the
clerk issues only that signed version, to which the number, the date and the agency's signature are
added. Where the leader signs on paper (Lai Châu, ``signatureMode=paper``) the clerk issues the
scan with the conversion mark as the agency's signature; a circulation chain's leaders sign their
approvals first (Đồng Nai, ``approvalSignature``); a copy's leader signs its Decree 30 copy form.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData, Text
from engine.documents import file_versions
from engine.documents.file_versions import Reason
from engine.documents.storage import FileStore
from engine.models import (
    Agency,
    Delivery,
    Document,
    DocumentFile,
    PendingSignature,
    SignatureStatus,
    User,
    UserCertificate,
)
from engine.registry import placement
from engine.signatures import binding, certificates, token_signing, trust_store
from engine.signatures import long_term as long_signer
from engine.signatures.drafting import agency_of, leader_draft, main_file, titles
from engine.signatures.keys import Keys
from signing.errors import SigningError
from signing.keystore.keys import ExternalKey, KeySource
from signing.pades import initials, longterm, pdfsign, split, verify
from signing.pdf import conversion, draft

_FIELD = "signing"
APPROVAL_PROPERTY = "approvalSignature"  # the task's approval is signed: ký nháy (``initial``) or ``invisible``


@dataclass(frozen=True)
class Credentials:
    """What a signer gives with the decision; never stored, never logged."""

    password: str | None = None  # unlocks the signer's PKCS#12 key held by the server
    agency_password: str | None = None  # unlocks the agency's key (the clerk, at issuance)
    request_id: str | None = None  # split signing: the request the token signed
    signature: str | None = None  # split signing: the token's signature value, base64
    presigned: binding.Presigned | None = None  # ký số từ xa: signed and verified outside the transaction

    @classmethod
    def parse(cls, given: Any) -> Credentials:
        if given is None:
            return cls()
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            raise InvalidData("Thông tin ký số không hợp lệ.", {_FIELD: "Cần các chuỗi ký tự."})
        known = {"password", "agency_password", "request_id", "signature"}
        return cls(**{k: v for k, v in given.items() if k in known})


@dataclass(frozen=True)
class Desk:
    store: FileStore
    keys: Keys
    credentials: Credentials


def _set_main(session: Session, doc: Document, sha: str, size: int, user: User, now: datetime) -> None:
    old = main_file(doc)
    doc.files = [f for f in doc.files if f is not old]
    doc.files.append(DocumentFile(role="main", filename=old.filename, sha256=sha, size=size,
                                  content_type="application/pdf", uploaded_by=user.id, uploaded_at=now,
                                  page_count=old.page_count))
    session.flush()


def _replace_main(session: Session, store: FileStore, doc: Document, content: bytes, user: User, now: datetime,
                  reason: Reason, certificate: UserCertificate | None = None) -> str:
    """The signed file becomes the document's main file, the next version of its chain; the
    unsigned one stays in storage."""
    sha, size = store.put(io.BytesIO(content), len(content), lambda head: None)
    _set_main(session, doc, sha, size, user, now)
    file_versions.record(session, doc.id, sha, reason, user.id, now, certificate.id if certificate else None)
    return sha


def _verified(pdf: bytes, keys: Keys, now: datetime) -> list[verify.SignatureReport]:
    try:
        return verify.verify_pdf(pdf, keys.trust_roots(), now)
    except SigningError as err:
        raise InvalidData(Text("Không kiểm tra được chữ ký số: %(reason)s", reason=err.message),
                          {_FIELD: err.message}) from None


def _record(doc: Document, reports: list[verify.SignatureReport]) -> None:
    doc.signatures_json = json.dumps([r.to_json() for r in reports], ensure_ascii=False)


def sign_as_leader(session: Session, desk: Desk, doc: Document, user: User, task_id: str, props: dict[str, str],
                   now: datetime) -> dict[str, Any]:
    """Ký số: the leader's signature on the document's PDF; returns what the audit records."""
    source = binding.version_to_sign(session, doc, main_file(doc), task_id)
    presigned = desk.credentials.presigned
    if presigned is not None:  # ký số từ xa: checked, time-stamped and verified before this transaction
        signer = binding.presigned_signer(session, presigned, user, task_id, source)
        checked, certificate, reports = presigned.checked, presigned.certificate, list(presigned.reports)
    else:
        signer, checked, certificate = _leader_signed(session, desk, doc, user, task_id, props, source, now)
        reports = _verified(checked.pdf, trust_store.keys_for(session, desk.keys, doc.agency_id), now)
    leader = next((r for r in reports if r.field == draft.LEADER_FIELD), None)
    if leader is None or not leader.valid:
        reason = leader.reason if leader else "không có chữ ký của lãnh đạo"
        raise InvalidData(Text("Chữ ký số không hợp lệ: %(reason)s", reason=reason), {_FIELD: str(reason)})
    authority, position, _ = titles(session, doc, user, props)
    doc.signer_authority, doc.signer_position, doc.signer_name = authority or None, position, signer.subject_name[:50]
    sha = _replace_main(session, desk.store, doc, checked.pdf, user, now, Reason.LEADER_SIGNATURE, signer)
    _record(doc, reports)
    kept = long_signer.keep(session, doc.id, sha, draft.LEADER_FIELD, user.id, checked, certificate, now)
    return {"field": draft.LEADER_FIELD, "signer": leader.signer, "sha256": sha, "certificate": signer.id, **kept}


def _leader_signed(session: Session, desk: Desk, doc: Document, user: User, task_id: str, props: dict[str, str],
                   source: str, now: datetime) -> tuple[UserCertificate, longterm.Signed, bytes]:
    """The leader's signature made here (their key on the server, or their token's value):
    (registered certificate, the checked B-LT signature, the certificate's DER)."""
    creds = desk.credentials
    try:
        if creds.request_id and creds.signature:
            prepared, value, signer = token_signing.claim(session, creds.request_id, creds.signature, task_id,
                                                          user, source)
            checked = long_signer.finish_split(session, desk.keys, doc.agency_id, prepared, draft.LEADER_FIELD,
                                               creds.request_id, value, now)
            certificate = prepared.certificate
        elif creds.password is not None:
            key = desk.keys.person(user.username, creds.password)
            signer = binding.signer(session, user, x509.load_der_x509_certificate(key.certificate.dump()))
            made = leader_draft(session, desk.store, desk.keys.image(user.username), doc, user, props)
            checked = long_signer.sign(session, desk.keys, doc.agency_id, made.prepare(),
                                       made.step(signer.subject_name, now), key, now)
            certificate = key.certificate.dump()
        else:
            raise InvalidData("Cần ký số: nhập mật khẩu chứng thư số hoặc ký bằng thiết bị ký số.",
                              {_FIELD: "Chưa có thông tin ký số."})
    except SigningError as err:
        raise InvalidData(err.message, {_FIELD: err.message}) from None
    return signer, checked, certificate


def sign_approval(session: Session, desk: Desk, doc: Document, user: User, task_id: str, props: dict[str, str],
                  unit: str, now: datetime) -> dict[str, Any]:
    """Ký nháy: a leader of the circulation chain approves the draft with their signature, in the
    mode the task's ``approvalSignature`` names, on the version current when their task opened,
    with the key the server holds (password), their own USB token (split signing) or their remote
    signing service (presigned); at the agency's level (status checked, B-T/B-LT with its TSA)
    like the leader's signature, since it stays in the issued document."""
    source = binding.version_to_sign(session, doc, main_file(doc), task_id)
    creds = desk.credentials
    reports: list[verify.SignatureReport] | None = None
    try:
        if creds.presigned is not None:  # ký số từ xa: checked, time-stamped and verified before this transaction
            signer = binding.presigned_signer(session, creds.presigned, user, task_id, source)
            checked, certificate, reports = creds.presigned.checked, creds.presigned.certificate, \
                list(creds.presigned.reports)
        elif creds.request_id and creds.signature:  # with their USB token, through the sign agent
            prepared, value, signer = token_signing.claim(session, creds.request_id, creds.signature, task_id,
                                                          user, source)
            field = (initials.field_names(draft.read(prepared.pdf)) or [""])[-1]
            checked = long_signer.finish_split(session, desk.keys, doc.agency_id, prepared, field,
                                               creds.request_id, value, now)
            certificate = prepared.certificate
        elif creds.password is not None:
            key = desk.keys.person(user.username, creds.password)
            signer = binding.signer(session, user, x509.load_der_x509_certificate(key.certificate.dump()))
            pdf = leader_draft(session, desk.store, None, doc, user, props).prepare()
            checked = long_signer.sign(session, desk.keys, doc.agency_id, pdf,
                                       approval_step(pdf, signer.subject_name, props, unit, now), key, now)
            certificate = key.certificate.dump()
        else:
            raise InvalidData("Cần ký nháy bằng chữ ký số: nhập mật khẩu chứng thư số hoặc ký bằng thiết bị ký số.",
                              {_FIELD: "Chưa có thông tin ký số."})
    except SigningError as err:
        raise InvalidData(err.message, {_FIELD: err.message}) from None
    signed = checked.pdf
    if reports is None:
        reports = _verified(signed, trust_store.keys_for(session, desk.keys, doc.agency_id), now)
    field = (initials.field_names(draft.read(signed)) or [""])[-1]  # the one just added
    if not field or verify.signature_status(reports, (field,)) != "valid":
        reasons = "; ".join(f"{r.field}: {r.reason}" for r in reports if not r.valid)
        raise InvalidData(Text("Chữ ký nháy không hợp lệ: %(reasons)s", reasons=reasons), {_FIELD: reasons})
    sha = _replace_main(session, desk.store, doc, signed, user, now, Reason.APPROVAL_SIGNATURE, signer)
    _record(doc, reports)
    kept = long_signer.keep(session, doc.id, sha, field, user.id, checked, certificate, now)
    return {"field": field, "signer": signer.subject_name, "sha256": sha, "certificate": signer.id, **kept}


def approval_step(pdf: bytes, signer_name: str, props: dict[str, str], unit: str, now: datetime) -> pdfsign.Step:
    """The ký nháy the task's ``approvalSignature`` asks for, next on ``pdf``."""
    mode = props.get(APPROVAL_PROPERTY)
    if mode not in initials.MODES:
        raise InvalidData(Text("Bước này cấu hình sai kiểu ký nháy (%(mode)s).", mode=mode),
                          {_FIELD: "Chọn initial hoặc invisible."})
    return initials.initial_step(draft.read(pdf), signer_name, unit, mode, now)


def record_paper_signer(session: Session, doc: Document, user: User, props: dict[str, str]) -> dict[str, Any]:
    """Ký tay: the leader signed the paper; the register's "Người ký" names them as the paper does."""
    authority, position, _ = titles(session, doc, user, props)
    doc.signer_authority, doc.signer_position, doc.signer_name = authority or None, position, user.full_name[:50]
    return {"paper_signer": doc.signer_name}


def begin_split(session: Session, store: FileStore, keys: Keys, doc: Document, user: User, task_id: str,
                props: dict[str, str], certificate: Any, unit: str, now: datetime) -> dict[str, Any]:
    """Split signing, first half: prepare the PDF and the bytes the holder's token must sign,
    once the version to sign and the certificate are the right ones: the leader's signature, or
    on a task with ``approvalSignature`` the approval (ký nháy) of ``unit``'s leader."""
    source = binding.version_to_sign(session, doc, main_file(doc), task_id)
    signer = binding.signer(session, user, certificates.load(str(certificate)))
    try:
        der = base64.b64decode(str(certificate), validate=True)
        key = ExternalKey(der, keys.intermediates())
        approval = APPROVAL_PROPERTY in props
        made = leader_draft(session, store, None if approval else keys.image(user.username), doc, user, props)
        pdf = made.prepare()
        stamper = long_signer.precheck(session, keys, doc.agency_id, der, now)  # revoked: refused before the PIN
        step = approval_step(pdf, signer.subject_name, props, unit, now) if approval else \
            made.step(signer.subject_name, now)  # ký nháy at the same level as the leader's signature
        pending = split.begin(pdf, step, key, prompt_label(doc), now=now, timestamper=stamper)
    except (ValueError, SigningError) as err:
        message = err.message if isinstance(err, SigningError) else "Chứng thư số không hợp lệ."
        raise InvalidData(message, {"certificate": message}) from None
    session.add(PendingSignature(id=pending.request.id, task_id=task_id, user_id=user.id, source_sha256=source,
                                 payload=json.dumps(pending.to_json()), expires_at=pending.request.expires_at))
    # The page shows the hash too, for the holder to compare with the agent's prompt.
    return {**pending.request.to_json(), "digest": pending.document_digest.hex()}


def prompt_label(doc: Document) -> str:
    """The document as the sign agent's PIN prompt names it: number (or draft) and summary."""
    return f"{doc.number_symbol or 'Dự thảo'} – {doc.subject}"[:300]


def seal(session: Session, desk: Desk, doc: Document, user: User, now: datetime) -> dict[str, Any]:
    """At issuance, after the number is taken: fill the number and date, apply the agency's
    signature (on a copy, in its copy form; on the scan of a document signed on paper, as the
    conversion mark), verify everything, refuse if not valid."""
    agency = agency_of(session, doc)
    if desk.credentials.agency_password is None:
        raise InvalidData("Cần mật khẩu (hoặc mã PIN) chứng thư số của cơ quan để phát hành.",
                          {_FIELD: "Chưa có thông tin ký số của cơ quan."})
    main = main_file(doc)
    if doc.copy_kind is not None or doc.signature_mode != Delivery.PAPER:
        binding.require_leader_signed(session, doc, main)
    pdf = desk.store.path(main.sha256).read_bytes()
    try:
        # A token's session is closed at once: left logged in, the next login on it would fail.
        with desk.keys.agency(agency.code, desk.credentials.agency_password) as key:
            checked, required, reason = _agency_signed(session, desk, doc, agency, pdf, key, user, now)
            certificate = key.certificate.dump()
    except SigningError as err:
        raise InvalidData(Text("Không phát hành được: %(reason)s", reason=err.message),
                          {_FIELD: err.message}) from None
    signed = checked.pdf
    reports = _verified(signed, trust_store.keys_for(session, desk.keys, doc.agency_id), now)
    if verify.signature_status(reports, required) != "valid":
        reasons = "; ".join(f"{r.field}: {r.reason}" for r in reports if not r.valid) or \
            Text("thiếu chữ ký của lãnh đạo hoặc của cơ quan")
        raise InvalidData(Text("Không phát hành được, chữ ký số không hợp lệ (%(reasons)s).", reasons=reasons),
                          {_FIELD: reasons})
    if reason == Reason.AGENCY_SIGNATURE and not signed.startswith(pdf):  # revisions added to the signed version
        raise InvalidData("Không phát hành được: tệp phát hành không giữ nguyên bản đã ký.",
                          {_FIELD: "Bản đã ký bị sửa."})
    sha = _replace_main(session, desk.store, doc, signed, user, now, reason)
    _record(doc, reports)
    doc.signature_status = SignatureStatus.VALID
    kept = long_signer.keep(session, doc.id, sha, required[-1], user.id, checked, certificate, now)
    appendices = _sign_appendices(session, desk, doc, user, now)
    return {"field": required[-1], "sha256": sha, "signatures": [r.field for r in reports], "appendices": appendices,
            **kept}


def _agency_signed(session: Session, desk: Desk, doc: Document, agency: Agency, pdf: bytes, key: KeySource,
                   user: User, now: datetime) -> tuple[longterm.Signed, tuple[str, ...], Reason]:
    """What the clerk's signature makes of the main file, the signatures it must then carry, and
    the version's reason."""
    assert doc.number_symbol is not None and doc.document_date is not None  # numbered just before
    if doc.copy_kind is None and doc.signature_mode == Delivery.PAPER:  # the wet-signed paper's scan (Luật GDĐT Đ12)
        scan = conversion.prepare_scan(pdf, placement.placement_of(doc))
        filled = draft.fill_number(scan, doc.number_symbol, doc.document_date, agency.place_name)
        step = conversion.conversion_step(user.full_name, agency.name, desk.keys.seal(agency.code), now)
        return long_signer.sign(session, desk.keys, agency.id, filled, step, key, now), (draft.AGENCY_FIELD,), \
            Reason.PAPER_CONVERSION
    filled = draft.fill_number(pdf, doc.number_symbol, doc.document_date, agency.place_name)
    step = pdfsign.agency_step(agency.name, desk.keys.seal(agency.code), now)
    return (long_signer.sign(session, desk.keys, agency.id, filled, step, key, now),
            (draft.LEADER_FIELD, draft.AGENCY_FIELD), Reason.AGENCY_SIGNATURE)


def discard_leader_signature(session: Session, store: FileStore | None, doc: Document, user: User,
                             now: datetime) -> dict[str, Any] | None:
    """A signed draft returned to drafting: the signature is discarded and the version it was made
    on becomes the main file again (the drafter may then upload a new one)."""
    signed = file_versions.draft_signed(session, doc.id)
    if signed is None:
        return None
    unsigned = file_versions.unsigned_before(session, signed)
    if store is None:
        raise InvalidData("Cần kho tệp để trả lại bản chưa ký.")
    if unsigned is None:  # signed before the chain was kept: a new upload is needed
        doc.files = [f for f in doc.files if f.role != "main"]
    else:
        _set_main(session, doc, unsigned.sha256, store.path(unsigned.sha256).stat().st_size, user, now)
        file_versions.record(session, doc.id, unsigned.sha256, Reason.RESTORED, user.id, now)
    doc.signatures_json, doc.signature_status = None, SignatureStatus.NONE
    doc.signer_authority = doc.signer_position = doc.signer_name = None
    return {"discarded": signed.sha256, "restored": unsigned.sha256 if unsigned else None}


def _sign_appendices(session: Session, desk: Desk, doc: Document, user: User, now: datetime) -> list[str]:
    """Phụ lục in separate files: the clerk signs each with the number-and-time stamp at the
    top right of its first page (Decree 30 Appendix I)."""
    assert doc.number_symbol is not None and desk.credentials.agency_password is not None
    signed_files = []
    for record in [f for f in doc.files if f.role == "appendix"]:
        try:
            pdf = desk.store.path(record.sha256).read_bytes()
            step = pdfsign.attachment_step(draft.read(pdf), doc.number_symbol, now)
            with desk.keys.agency(agency_of(session, doc).code, desk.credentials.agency_password) as key:
                checked = long_signer.sign(session, desk.keys, doc.agency_id, pdf, step, key, now)
                certificate = key.certificate.dump()
        except SigningError as err:
            raise InvalidData(Text("Không ký được phụ lục %(file)s: %(reason)s",
                                   file=record.filename, reason=err.message),
                              {_FIELD: err.message}) \
                from None
        sha, size = desk.store.put(io.BytesIO(checked.pdf), len(checked.pdf), lambda head: None)
        record.sha256, record.size = sha, size
        long_signer.keep(session, doc.id, sha, step.field, user.id, checked, certificate, now)
        signed_files.append(sha)
    return signed_files


def check_stored(store: FileStore, keys: Keys, sha256: str, now: datetime) -> list[verify.SignatureReport]:
    """Every signature of a stored PDF, validated at ``now`` against the server's trust roots
    (``DocumentRejected`` when the file is not a PDF)."""
    return verify.verify_pdf(store.path(sha256).read_bytes(), keys.trust_roots(), now)
