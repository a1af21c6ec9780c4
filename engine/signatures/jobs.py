"""Signatures made with no transaction open (issue 19: neither SQLite's write lock, nor a register's
counter, nor a case's row is held through cryptography).

A job is read in a short transaction (:func:`signature` for a leader's signature or approval,
:func:`seal` for the agency's at issuance), made outside it (``make``: the key unlocked, the PDF
prepared, signed, status-checked, time-stamped and verified), and recorded by
engine.signatures.signatures in the short transaction that completes the task, once the case has
not moved (binding.presigned_signer, :func:`check_sealed`). engine.signed_steps runs the three
phases for a request, as engine.remote_signing does for a phone's signature; a caller that holds
its own transaction (a test, a script) makes the same job inside it.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from sqlalchemy.orm import Session

from engine.core.errors import Conflict, InvalidData, Text
from engine.documents import documents
from engine.documents.file_versions import Reason
from engine.documents.storage import FileStore
from engine.models import Document, User
from engine.registry import placement
from engine.signatures import binding, certificates, long_term, token_signing
from engine.signatures.drafting import LeaderDraft, agency_of, leader_draft, main_file
from engine.signatures.keys import Keys

if TYPE_CHECKING:
    from engine.signatures.signatures import Credentials
from signing.errors import SigningError
from signing.keystore.keys import ExternalKey, KeySource
from signing.pades import initials, longterm, pdfsign, split, verify
from signing.pdf import conversion, draft

FIELD = "signing"
APPROVAL_PROPERTY = "approvalSignature"  # the task's approval is signed: ký nháy (``initial``) or ``invisible``
MOVED = "Văn bản đã thay đổi trong lúc ký; hãy thực hiện lại."


def verified(pdf: bytes, roots: list[bytes], now: datetime,
             kept: tuple[verify.SignatureReport, ...] = ()) -> list[verify.SignatureReport]:
    """Every signature of ``pdf`` validated; one ``kept`` from the step that made it (on the
    revisions ``pdf`` adds to) gets pyHanko's integrity and difference analysis only."""
    try:
        return verify.verify_pdf(pdf, roots, now, kept)
    except SigningError as err:
        raise InvalidData(Text("Không kiểm tra được chữ ký số: %(reason)s", reason=err.message),
                          {FIELD: err.message}) from None


@dataclass(frozen=True)
class Token:
    """A USB token's signature value for a split-signing request (used up when recorded)."""

    pending: split.PendingSignature
    request_id: str
    value: bytes


@dataclass(frozen=True)
class Signature:
    """A leader's signature (B-LT), or with ``approval`` (mode, unit) their ký nháy (B-B), on the
    version ``source`` of the main file: with their key on the server (``unlock``) or their token."""

    task_id: str
    user_id: int
    source: str
    policy: long_term.Policy
    draft: LeaderDraft | None
    unlock: Callable[[], KeySource] | None = None
    token: Token | None = None
    approval: tuple[dict[str, str], str] | None = None  # a ký nháy: the step's properties, the unit approving

    def make(self, now: datetime) -> binding.Presigned:
        try:
            if self.token is not None:
                certificate = self.token.pending.certificate
                field = draft.LEADER_FIELD if self.approval is None else \
                    (initials.field_names(draft.read(self.token.pending.pdf)) or [""])[-1]
                checked = self.policy.finish_split(self.token.pending, self.token.request_id,
                                                   self.token.value, now)
            else:
                assert self.unlock is not None and self.draft is not None
                key = self.unlock()
                certificate = key.certificate.dump()
                cert = x509.load_der_x509_certificate(certificate)
                unusable = verify.key_usage_problem(cert)  # named before the status check could blame its CA
                if unusable:
                    raise InvalidData(unusable, {FIELD: unusable})
                name = certificates.subject_name(cert)
                prepared = self.draft.prepare()
                # A ký nháy at the agency's level too (status checked, B-T/B-LT): it stays in the issued document.
                step = approval_step(prepared, name, *self.approval, now) if self.approval is not None else \
                    self.draft.step(name, now)
                field = step.field
                checked = self.policy.sign(prepared, step, key, now)
        except SigningError as err:
            raise InvalidData(err.message, {FIELD: err.message}) from None
        reports = verified(checked.pdf, self.policy.keys.trust_roots(), now)
        return binding.Presigned(self.task_id, self.user_id, self.source, certificate, checked.pdf, tuple(reports),
                                 checked, self.token.request_id if self.token else None, field)


def approval_step(pdf: bytes, signer_name: str, props: dict[str, str], unit: str, now: datetime) -> pdfsign.Step:
    """The ký nháy the task's ``approvalSignature`` asks for, next on ``pdf``."""
    mode = props.get(APPROVAL_PROPERTY)
    if mode not in initials.MODES:
        raise InvalidData(Text("Bước này cấu hình sai kiểu ký nháy (%(mode)s).", mode=mode),
                          {FIELD: "Chọn initial hoặc invisible."})
    return initials.initial_step(draft.read(pdf), signer_name, unit, mode, now)


def signature(session: Session, store: FileStore, keys: Keys, doc: Document, user: User, task_id: str,
              props: dict[str, str], credentials: Credentials,
              approval: tuple[dict[str, str], str] | None) -> Signature:
    """The job of a leader's ``sign`` (or, with ``approval``, a ký nháy), read in the transaction
    that also checks the version to sign is the one their task opened on."""
    source = binding.version_to_sign(session, doc, main_file(doc), task_id)
    policy = long_term.policy(session, keys, doc.agency_id)
    if credentials.request_id and credentials.signature:
        prepared, value = token_signing.read(session, credentials.request_id, credentials.signature, task_id, user,
                                             source)
        return Signature(task_id, user.id, source, policy, None, token=Token(prepared, credentials.request_id, value),
                         approval=approval)
    password = credentials.password
    if password is None:
        message = ("Cần ký nháy bằng chữ ký số: nhập mật khẩu chứng thư số hoặc ký bằng thiết bị ký số." if approval
                   else "Cần ký số: nhập mật khẩu chứng thư số hoặc ký bằng thiết bị ký số.")
        raise InvalidData(message, {FIELD: "Chưa có thông tin ký số."})
    made = leader_draft(session, store, None if approval else keys.image(user.username), doc, user, props)
    username = user.username
    return Signature(task_id, user.id, source, policy, made, unlock=lambda: keys.person(username, password),
                     approval=approval)


@dataclass(frozen=True)
class SplitRequest:
    """Split signing's first half (a USB token): the PDF prepared and the bytes the token must
    sign, made outside the transaction that stores the request."""

    source: str
    certificate: bytes  # DER
    key: ExternalKey
    draft: LeaderDraft
    subject_name: str
    policy: long_term.Policy
    label: str
    approval: tuple[dict[str, str], str] | None = None  # a ký nháy: the step's properties, the unit approving

    def begin(self, now: datetime) -> split.PendingSignature:
        try:
            pdf = self.draft.prepare()
            stamper = self.policy.precheck(self.certificate, (), now)  # revoked: refused before the PIN
            step = approval_step(pdf, self.subject_name, *self.approval, now) if self.approval is not None else \
                self.draft.step(self.subject_name, now)  # ký nháy at the same level as the leader's signature
            return split.begin(pdf, step, self.key, self.label, now=now, timestamper=stamper)
        except SigningError as err:
            raise InvalidData(err.message, {"certificate": err.message}) from None


def split_request(session: Session, store: FileStore, keys: Keys, doc: Document, user: User, task_id: str,
                  props: dict[str, str], certificate: Any,
                  approval: tuple[dict[str, str], str] | None) -> SplitRequest:
    """Read once the version to sign and the certificate (registered to ``user``) are the right ones."""
    source = binding.version_to_sign(session, doc, main_file(doc), task_id)
    signer = binding.signer(session, user, certificates.load(str(certificate)))
    try:
        der = base64.b64decode(str(certificate), validate=True)
        key = ExternalKey(der, keys.intermediates())
    except ValueError:
        raise InvalidData("Chứng thư số không hợp lệ.", {"certificate": "Chứng thư số không hợp lệ."}) from None
    made = leader_draft(session, store, None if approval else keys.image(user.username), doc, user, props)
    return SplitRequest(source, der, key, made, signer.subject_name, long_term.policy(session, keys, doc.agency_id),
                        prompt_label(doc), approval)


def prompt_label(doc: Document) -> str:
    """The document as the sign agent's (or the phone's) prompt names it: number (or draft) and summary."""
    return f"{doc.number_symbol or 'Dự thảo'} – {doc.subject}"[:300]


@dataclass(frozen=True)
class Appendix:
    sha256: str
    path: Path
    filename: str


@dataclass(frozen=True)
class Sealed:
    """The agency's signatures made before the transaction that issues: the number and date they
    carry (checked against those the book gives then), the main file and each appendix."""

    document_id: int
    source: str  # the main file they were made on
    number: int | None  # the number to take in that transaction (None: a copy's, taken when registered)
    number_symbol: str
    date: date
    checked: longterm.Signed
    certificate: bytes
    reports: tuple[verify.SignatureReport, ...]
    required: tuple[str, ...]
    reason: Reason
    appendices: tuple[SealedAppendix, ...]


@dataclass(frozen=True)
class SealedAppendix:
    """An appendix signed by the agency, verified as the main file is (its report kept with it)."""

    before: str  # the file's hash before
    signed: longterm.Signed
    field: str
    reports: tuple[verify.SignatureReport, ...]


@dataclass(frozen=True)
class Seal:
    """What the clerk's issue signs with the agency's key, read in a transaction."""

    document_id: int
    agency_id: int
    source: Path
    source_sha256: str
    number: int | None
    number_symbol: str
    date: date
    book: tuple[int, int] | None  # (book id, year) the number is to be taken in
    agency_name: str
    place_name: str
    image: bytes
    paper: bool  # the scan of a paper a leader signed by hand: the conversion mark
    placed: Any
    clerk: str
    policy: long_term.Policy
    unlock: Callable[[], contextlib.AbstractContextManager[KeySource]]
    appendices: tuple[Appendix, ...]
    kept: tuple[verify.SignatureReport, ...] = ()  # the leader's (and ký nháy) reports of ``source``

    def make(self, now: datetime) -> Sealed:
        pdf = self.source.read_bytes()
        try:
            # A token's session is closed at once: left logged in, the next login on it would fail.
            with self.unlock() as key:
                checked, required, reason = self._main(pdf, key, now)
                certificate = key.certificate.dump()
        except SigningError as err:
            raise InvalidData(Text("Không phát hành được: %(reason)s", reason=err.message),
                              {FIELD: err.message}) from None
        reports = verified(checked.pdf, self.policy.keys.trust_roots(), now, self.kept)
        if verify.signature_status(reports, required) != "valid":
            reasons = "; ".join(f"{r.field}: {r.reason}" for r in reports if not r.valid) or \
                Text("thiếu chữ ký của lãnh đạo hoặc của cơ quan")
            raise InvalidData(Text("Không phát hành được, chữ ký số không hợp lệ (%(reasons)s).", reasons=reasons),
                              {FIELD: reasons})
        if reason == Reason.AGENCY_SIGNATURE and not checked.pdf.startswith(pdf):  # revisions added to the signed one
            raise InvalidData("Không phát hành được: tệp phát hành không giữ nguyên bản đã ký.",
                              {FIELD: "Bản đã ký bị sửa."})
        return Sealed(self.document_id, self.source_sha256, self.number, self.number_symbol, self.date, checked,
                      certificate, tuple(reports), required, reason,
                      tuple(self._appendix(a, now) for a in self.appendices))

    def _main(self, pdf: bytes, key: KeySource, now: datetime) -> tuple[longterm.Signed, tuple[str, ...], Reason]:
        # The number and date are filled in the agency signature's own revision: one revision for
        # pyHanko's difference analysis to review after the leader's signature, not two.
        numbering = draft.Numbering(self.number_symbol, self.date, self.place_name)
        if self.paper:  # the wet-signed paper's scan (Luật GDĐT Đ12)
            scan = conversion.prepare_scan(pdf, self.placed)
            step = conversion.conversion_step(self.clerk, self.agency_name, self.image, now, numbering=numbering)
            return self.policy.sign(scan, step, key, now), (draft.AGENCY_FIELD,), Reason.PAPER_CONVERSION
        step = pdfsign.agency_step(self.agency_name, self.image, now, numbering)
        return (self.policy.sign(pdf, step, key, now), (draft.LEADER_FIELD, draft.AGENCY_FIELD),
                Reason.AGENCY_SIGNATURE)

    def _appendix(self, appendix: Appendix, now: datetime) -> SealedAppendix:
        """Phụ lục in separate files: the clerk signs each with the number-and-time stamp at the
        top right of its first page (Decree 30 Appendix I), then it is verified like the main file."""
        try:
            pdf = appendix.path.read_bytes()
            step = pdfsign.attachment_step(draft.read(pdf), self.number_symbol, now)
            with self.unlock() as key:
                signed = self.policy.sign(pdf, step, key, now)
        except SigningError as err:
            raise InvalidData(Text("Không ký được phụ lục %(file)s: %(reason)s", file=appendix.filename,
                                   reason=err.message), {FIELD: err.message}) from None
        reports = verified(signed.pdf, self.policy.keys.trust_roots(), now)
        if verify.signature_status(reports, (step.field,)) != "valid":
            reasons = "; ".join(f"{r.field}: {r.reason}" for r in reports if not r.valid)
            raise InvalidData(Text("Không ký được phụ lục %(file)s: %(reason)s", file=appendix.filename,
                                   reason=reasons), {FIELD: reasons})
        return SealedAppendix(appendix.sha256, signed, step.field, tuple(reports))


def seal(session: Session, store: FileStore, keys: Keys, doc: Document, user: User, agency_password: str | None,
         paper: bool, now: datetime, claim: Callable[[tuple[int, int], int], int] | None = None) -> Seal:
    """The job of the clerk's issue: with the number and date the document has (numbered in this
    transaction, or a copy's), else those its book would give it now, taken once it is signed."""
    agency = agency_of(session, doc)
    if agency_password is None:
        raise InvalidData("Cần mật khẩu (hoặc mã PIN) chứng thư số của cơ quan để phát hành.",
                          {FIELD: "Chưa có thông tin ký số của cơ quan."})
    main = main_file(doc)
    if doc.copy_kind is not None or not paper:
        binding.require_leader_signed(session, doc, main)
    code = agency.code
    image, placed, policy = keys.seal(code), placement.placement_of(doc), long_term.policy(session, keys, doc.agency_id)
    number: int | None = None
    book: tuple[int, int] | None = None
    if doc.number_symbol is not None and doc.document_date is not None:
        symbol, on = doc.number_symbol, doc.document_date
    else:  # last: nothing after it may refuse, the number ``claim`` gave is returned with the job
        book, number, symbol, on = documents.next_number(session, doc, now, claim)
    return Seal(doc.id, doc.agency_id, store.path(main.sha256), main.sha256, number, symbol, on, book, agency.name,
                agency.place_name, image, paper and doc.copy_kind is None, placed, user.full_name, policy,
                lambda: keys.agency(code, agency_password),
                tuple(Appendix(f.sha256, store.path(f.sha256), f.filename) for f in doc.files if f.role == "appendix"),
                tuple(verify.SignatureReport.from_json(r) for r in json.loads(doc.signatures_json or "[]")))


def check_sealed(doc: Document, sealed: Sealed) -> None:
    """The case has not moved since the agency's signatures were made: the same main file, the same
    number and date (the number is taken just before, engine.registry.registers)."""
    if (sealed.document_id, sealed.source, sealed.number_symbol, sealed.date) != \
            (doc.id, main_file(doc).sha256, doc.number_symbol, doc.document_date):
        raise Conflict(MOVED)

