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

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.core.errors import Conflict, InvalidData, Text
from engine.documents import file_versions
from engine.documents.file_versions import Reason
from engine.documents.storage import FileStore
from engine.models import (
    Delivery,
    Document,
    DocumentFile,
    PendingSignature,
    SignatureStatus,
    User,
    UserCertificate,
)
from engine.signatures import binding, jobs, token_signing
from engine.signatures import long_term as long_signer
from engine.signatures.drafting import main_file, titles
from engine.signatures.keys import Keys
from signing.errors import SigningError
from signing.pades import split, verify
from signing.pdf import draft

_FIELD = "signing"
APPROVAL_PROPERTY = jobs.APPROVAL_PROPERTY


@dataclass(frozen=True)
class Credentials:
    """What a signer gives with the decision; never stored, never logged."""

    password: str | None = None  # unlocks the signer's PKCS#12 key held by the server
    agency_password: str | None = None  # unlocks the agency's key (the clerk, at issuance)
    request_id: str | None = None  # split signing: the request the token signed
    signature: str | None = None  # split signing: the token's signature value, base64
    presigned: binding.Presigned | None = None  # signed and verified outside the transaction (jobs)
    sealed: jobs.Sealed | None = None  # the agency's signatures at issuance, the same

    @classmethod
    def parse(cls, given: Any) -> Credentials:
        if given is None:
            return cls()
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            raise InvalidData("Thông tin ký số không hợp lệ.", {_FIELD: "Cần các chuỗi ký tự."})
        known = {"password", "agency_password", "request_id", "signature"}
        return cls(**{k: v for k, v in given.items() if k in known})


@dataclass(frozen=True)
class Check:
    """The verification of one stored PDF (an incoming document's main file, engine.registry.intake):
    its status and one report per signature, kept with the hash of the file it was of."""

    sha256: str
    status: SignatureStatus
    reports: tuple[dict[str, Any], ...]

    def reasons(self) -> list[str]:
        return [f"{r.get('signer') or r.get('field') or 'Tệp'}: {r.get('reason')}" for r in self.reports
                if not r.get("valid")]


@dataclass(frozen=True)
class Desk:
    store: FileStore
    keys: Keys
    credentials: Credentials
    checked: Check | None = None  # an incoming file verified outside the transaction (engine.signed_steps)


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


def _as_json(reports: Sequence[verify.SignatureReport]) -> str:
    return json.dumps([r.to_json() for r in reports], ensure_ascii=False)


def _record(doc: Document, reports: Sequence[verify.SignatureReport]) -> None:
    doc.signatures_json = _as_json(reports)


def signing_kind(props: dict[str, str], decision: Any) -> str | None:
    """The platform's rule: a leader's ``sign`` decision on an outgoing draft or copy signs its PDF
    (``paper`` where the task says the leader signs on paper: who signed is recorded); an
    ``approve`` signs it too (``approval``) where the task asks for an approval signature (ký nháy)."""
    if decision == "approve" and APPROVAL_PROPERTY in props:
        return "approval"
    if decision != "sign":
        return None
    return "paper" if props.get("signatureMode") == "paper" else "leader"


def _presigned(session: Session, desk: Desk, doc: Document, user: User, task_id: str, props: dict[str, str],
               approval: tuple[dict[str, str], str] | None, now: datetime) -> binding.Presigned:
    """Made outside the transaction (engine.signed_steps, ký số từ xa), or, for a caller holding its
    own, here in it."""
    if desk.credentials.presigned is not None:
        return desk.credentials.presigned
    return jobs.signature(session, desk.store, desk.keys, doc, user, task_id, props, desk.credentials,
                          approval).make(now)


def _signer(session: Session, presigned: binding.Presigned, user: User, task_id: str,
            source: str) -> UserCertificate:
    signer = binding.presigned_signer(session, presigned, user, task_id, source)
    if presigned.request_id is not None:
        token_signing.use_up(session, presigned.request_id, task_id, user, source)
    return signer


def sign_as_leader(session: Session, desk: Desk, doc: Document, user: User, task_id: str, props: dict[str, str],
                   now: datetime) -> dict[str, Any]:
    """Ký số: the leader's signature on the document's PDF; returns what the audit records."""
    source = binding.version_to_sign(session, doc, main_file(doc), task_id)
    presigned = _presigned(session, desk, doc, user, task_id, props, None, now)
    signer = _signer(session, presigned, user, task_id, source)
    leader = next((r for r in presigned.reports if r.field == draft.LEADER_FIELD), None)
    if leader is None or not leader.valid or presigned.checked is None:
        reason = leader.reason if leader else "không có chữ ký của lãnh đạo"
        raise InvalidData(Text("Chữ ký số không hợp lệ: %(reason)s", reason=reason), {_FIELD: str(reason)})
    authority, position, _ = titles(session, doc, user, props)
    doc.signer_authority, doc.signer_position, doc.signer_name = authority or None, position, signer.subject_name[:50]
    sha = _replace_main(session, desk.store, doc, presigned.pdf, user, now, Reason.LEADER_SIGNATURE, signer)
    _record(doc, presigned.reports)
    kept = long_signer.keep(session, doc.id, sha, draft.LEADER_FIELD, user.id, presigned.checked,
                            presigned.certificate, now)
    return {"field": draft.LEADER_FIELD, "signer": leader.signer, "sha256": sha, "certificate": signer.id, **kept}


def sign_approval(session: Session, desk: Desk, doc: Document, user: User, task_id: str, props: dict[str, str],
                  unit: str, now: datetime) -> dict[str, Any]:
    """Ký nháy: a leader of the circulation chain approves the draft with their signature, in the
    mode the task's ``approvalSignature`` names, on the version current when their task opened,
    with the key the server holds (password), their own USB token (split signing) or their remote
    signing service (presigned); at the agency's level (status checked, B-T/B-LT with its TSA)
    like the leader's signature, since it stays in the issued document."""
    source = binding.version_to_sign(session, doc, main_file(doc), task_id)
    presigned = _presigned(session, desk, doc, user, task_id, props, (props, unit), now)
    signer = _signer(session, presigned, user, task_id, source)
    field = presigned.field
    if not field or field == draft.LEADER_FIELD or presigned.checked is None or \
            verify.signature_status(presigned.reports, (field,)) != "valid":
        reasons = "; ".join(f"{r.field}: {r.reason}" for r in presigned.reports if not r.valid)
        raise InvalidData(Text("Chữ ký nháy không hợp lệ: %(reasons)s", reasons=reasons), {_FIELD: reasons})
    sha = _replace_main(session, desk.store, doc, presigned.pdf, user, now, Reason.APPROVAL_SIGNATURE, signer)
    _record(doc, presigned.reports)
    kept = long_signer.keep(session, doc.id, sha, field, user.id, presigned.checked, presigned.certificate, now)
    return {"field": field, "signer": signer.subject_name, "sha256": sha, "certificate": signer.id, **kept}


def record_paper_signer(session: Session, doc: Document, user: User, props: dict[str, str]) -> dict[str, Any]:
    """Ký tay: the leader signed the paper; the register's "Người ký" names them as the paper does."""
    authority, position, _ = titles(session, doc, user, props)
    doc.signer_authority, doc.signer_position, doc.signer_name = authority or None, position, user.full_name[:50]
    return {"paper_signer": doc.signer_name}


def record_split(session: Session, doc: Document, user: User, task_id: str, source: str,
                 pending: split.PendingSignature) -> dict[str, Any]:
    """Split signing, first half, made outside (jobs.split_request): the request is stored once the
    version it was prepared on is still the one to sign."""
    if binding.version_to_sign(session, doc, main_file(doc), task_id) != source:
        raise Conflict(jobs.MOVED)
    session.add(PendingSignature(id=pending.request.id, task_id=task_id, user_id=user.id, source_sha256=source,
                                 payload=json.dumps(pending.to_json()), expires_at=pending.request.expires_at))
    # The page shows the hash too, for the holder to compare with the agent's prompt.
    return {**pending.request.to_json(), "digest": pending.document_digest.hex()}


def seal(session: Session, desk: Desk, doc: Document, user: User, now: datetime) -> dict[str, Any]:
    """At issuance, once the number is taken: the agency's signature (on a copy, in its copy form;
    on the scan of a document signed on paper, as the conversion mark) with the number and date
    filled in, everything verified, made before this transaction (engine.signed_steps) or here."""
    sealed = desk.credentials.sealed
    if sealed is None:
        sealed = jobs.seal(session, desk.store, desk.keys, doc, user, desk.credentials.agency_password,
                           doc.signature_mode == Delivery.PAPER, now).make(now)
    jobs.check_sealed(doc, sealed)
    if doc.copy_kind is not None or doc.signature_mode != Delivery.PAPER:
        binding.require_leader_signed(session, doc, main_file(doc))
    sha = _replace_main(session, desk.store, doc, sealed.checked.pdf, user, now, sealed.reason)
    _record(doc, sealed.reports)
    doc.signature_status = SignatureStatus.VALID
    kept = long_signer.keep(session, doc.id, sha, sealed.required[-1], user.id, sealed.checked, sealed.certificate,
                            now)
    appendices = []
    for appendix in sealed.appendices:
        record = next((f for f in doc.files if f.role == "appendix" and f.sha256 == appendix.before), None)
        if record is None:
            raise Conflict(jobs.MOVED)
        pdf = appendix.signed.pdf
        record.sha256, record.size = desk.store.put(io.BytesIO(pdf), len(pdf), lambda head: None)
        record.signatures_json = _as_json(appendix.reports)
        long_signer.keep(session, doc.id, record.sha256, appendix.field, user.id, appendix.signed,
                         sealed.certificate, now)
        appendices.append(record.sha256)
    return {"field": sealed.required[-1], "sha256": sha, "signatures": [r.field for r in sealed.reports],
            "appendices": appendices, **kept}


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


def check_stored(store: FileStore, keys: Keys, sha256: str, now: datetime) -> list[verify.SignatureReport]:
    """Every signature of a stored PDF, validated at ``now`` against the server's trust roots
    (``DocumentRejected`` when the file is not a PDF)."""
    return verify.verify_pdf(store.path(sha256).read_bytes(), keys.trust_roots(), now)


def check_file(store: FileStore, keys: Keys, sha256: str, now: datetime) -> Check:
    """Verify a stored PDF against the server's trust roots (no database needed, so callers
    run it before their write transaction)."""
    try:
        reports = [r.to_json() for r in check_stored(store, keys, sha256, now)]
    except SigningError as err:
        unreadable = verify.SignatureReport(field="", signer=None, signing_time=None, valid=False, trusted=False,
                                            intact=False, modification_level="other",
                                            reason=f"Không đọc được tệp để kiểm tra chữ ký số: {err.message}")
        return Check(sha256, SignatureStatus.INVALID, (unreadable.to_json(),))
    status = "none" if not reports else "valid" if all(r["valid"] for r in reports) else "invalid"
    return Check(sha256, SignatureStatus(status), tuple(reports))
