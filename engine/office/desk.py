"""The clerk's desk and document access: entering documents in the registers, files,
and reading documents, each with its permission check (engine.org.permissions)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.documents import documents, file_versions, uploads, worktree
from engine.documents.storage import FileStore
from engine.models import (
    Agency,
    Case,
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
    FileVersion,
    Position,
    Secrecy,
    Unit,
    User,
    UserPosition,
)
from engine.org import permissions
from engine.registry import incoming, intake, lifecycle
from engine.signatures import signatures
from engine.workflow import cases
from engine.workflow.definitions import version_info


def clerk_agency(session: Session, user: User, agency_code: str | None) -> int:
    query = (
        select(Agency.id, Agency.code).join(Unit, Unit.agency_id == Agency.id)
        .join(UserPosition, UserPosition.unit_id == Unit.id)
        .where(UserPosition.user_id == user.id, UserPosition.position == "clerk")
    )
    agencies = dict(session.execute(query).all())
    if agency_code is not None:
        agencies = {i: c for i, c in agencies.items() if c == agency_code}
    if not agencies:
        raise Forbidden("Chỉ văn thư mới vào sổ văn bản được.")
    return next(iter(agencies))


def enter(session: Session, user: User, given: dict[str, Any], now: datetime) -> tuple[Document, dict[str, Any]]:
    """Vào sổ: an incoming document (registered now, after engine.registry.intake's checks, or left for
    later), or a secret entry of either direction, which is only ever metadata. Returns the
    document and what the checks found (empty when it was not registered)."""
    direction = given.get("direction")
    if direction not in ("incoming", "outgoing"):
        raise InvalidData("Hướng văn bản không hợp lệ.", {"direction": "Chọn incoming hoặc outgoing."})
    agency_id = clerk_agency(session, user, given.get("agency"))
    doc = documents.create(session, user, agency_id, Direction(direction), given.get("data", {}), now)
    secret = doc.secrecy != Secrecy.NONE
    backfilled = given.get("backfilled") is True
    if direction == "outgoing" and not (secret or backfilled):
        raise InvalidData("Văn bản đi được soạn qua quy trình văn bản đi, không vào sổ trực tiếp.",
                          {"direction": "Chỉ văn bản đi mật hoặc văn bản nhập bù sau sự cố được vào sổ trực tiếp."})
    if backfilled:
        _check_backfill(doc, direction, now)
    found: dict[str, Any] = {}
    if direction == "incoming" and (secret or backfilled or given.get("register", True)):
        found = intake.register(session, doc, intake.Decision.parse(given.get("note"), given.get("confirm_duplicates")),
                                None, now)
    elif direction == "outgoing":
        documents.issue(session, doc, now, on=doc.document_date if backfilled else None)
    audit.append(session, at=now, action="document_entered", actor_id=user.id,
                 payload={"document": doc.id, "direction": direction, "number": doc.number, "book": doc.book_id,
                          "secret": secret, "backfilled": backfilled, **_decided(found)})
    return doc, found



def start_incoming(session: Session, user: User, data: dict[str, Any], procedure: str | None,
                   now: datetime) -> Case:
    """Vào sổ văn bản đến from the desk's form: the entry starts the agency's incoming procedure,
    whose first step registers the document, so that a received document is never left where no
    procedure holds it; without a procedure the entry is refused (``incoming.MISSING``)."""
    found = [p["id"] for a in incoming.for_clerk(session, user) for p in a["procedures"]]
    if not found:
        raise Conflict(incoming.MISSING)
    chosen = found[0] if procedure is None and len(found) == 1 else procedure
    if chosen not in found:
        raise InvalidData("Chọn quy trình xử lý văn bản đến.",
                          {"procedure": "Chọn một trong các quy trình văn bản đến của cơ quan."})
    entry = documents.validate_metadata(data)  # checked as any entry is, before the procedure's own form
    case = cases.start_case(session, user, str(chosen), data, now)
    assert case.document_id is not None  # an incoming procedure handles a document
    # What the procedure's start form does not ask (pages, due date, description) stays on the document.
    documents.update_draft(session, _document(session, case.document_id), entry, now)
    return case

def _decided(found: dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps of the intake checks: who decided what, over which findings."""
    if not found:
        return {}
    return {"signature_status": found["signature_status"], "signature_reasons": found["signature_reasons"],
            "note": found["note"], "duplicates": [d["id"] for d in found["duplicates"]]}


def _clerk_document(session: Session, user: User, document_id: int) -> Document:
    doc = _document(session, document_id)
    if Position.CLERK not in permissions.positions_in(session, user, doc.agency_id):
        raise Forbidden("Chỉ văn thư của cơ quan mới tiếp nhận, vào sổ hoặc hủy văn bản.")
    return doc


def main_file(session: Session, user: User, document_id: int) -> str | None:
    """The hash of the main file of a document the clerk is about to register, for the check
    made outside the write transaction."""
    return intake.main_sha256(_clerk_document(session, user, document_id))


def register(session: Session, user: User, document_id: int, given: dict[str, Any], check: intake.Check | None,
             store: FileStore, keys: signatures.Keys, now: datetime) -> tuple[Document, dict[str, Any]]:
    """Vào sổ a received document that no procedure holds (a procedure registers at its own
    step); ``check`` is the one made before the transaction, redone if the file changed."""
    doc = _clerk_document(session, user, document_id)
    if session.scalar(select(Case.id).where(Case.document_id == doc.id).limit(1)) is not None:
        raise Conflict("Văn bản đang được xử lý theo quy trình; vào sổ ở bước của quy trình.")
    check = intake.current_check(store, keys, doc, now, check)
    found = intake.register(session, doc, intake.Decision.parse(given.get("note"), given.get("confirm_duplicates")),
                            check, now)
    audit.append(session, at=now, action="document_registered", actor_id=user.id,
                 payload={"document": doc.id, "number": doc.number, "book": doc.book_id, **_decided(found)})
    return doc, found


def unchecked_file(session: Session, user: User, document_id: int, now: datetime) -> str | None:
    """The main file of a received document waiting to be registered, if its signatures were
    not checked yet: the upload checks it after its transaction, so that the registration
    (a procedure's step included) finds the check made."""
    doc = _document(session, document_id)
    permissions.ensure_can_edit_document(session, user, doc, now.astimezone(VIETNAM).date())
    return _waiting_check(doc)


def check_wanted(session: Session, document_id: int) -> str | None:
    """:func:`unchecked_file` in the transaction of an :func:`upload` of the document (its person
    and the document checked there)."""
    return _waiting_check(_document(session, document_id))


def _waiting_check(doc: Document) -> str | None:
    sha = intake.main_sha256(doc)
    waiting = doc.direction == Direction.INCOMING and doc.status == DocumentStatus.DRAFT
    return sha if waiting and sha != doc.verified_sha256 else None


def keep_check(session: Session, user: User, document_id: int, check: intake.Check | None, now: datetime) -> None:
    """Keep a check made outside a transaction, if still of the document's main file."""
    doc = _document(session, document_id)
    permissions.ensure_can_edit_document(session, user, doc, now.astimezone(VIETNAM).date())
    intake.record(doc, check)


def refuse(session: Session, user: User, document_id: int, reason: Any, now: datetime) -> Document:
    """Từ chối tiếp nhận, with the reason (engine.registry.intake audits it); a procedure waiting to
    register the document ends there."""
    doc = _clerk_document(session, user, document_id)
    intake.refuse(session, user, doc, reason, now)
    assert doc.refusal_reason is not None
    cases.end_refused(session, user, doc.id, doc.refusal_reason, now)
    return doc


def _check_backfill(doc: Document, direction: str, now: datetime) -> None:
    """Nhập bù sau sự cố: work went on on paper; the entry keeps its real date."""
    real = doc.arrival_date if direction == "incoming" else doc.document_date
    field = "arrival_date" if direction == "incoming" else "document_date"
    if real is None:
        raise InvalidData("Văn bản nhập bù cần ngày thực tế.", {field: "Bắt buộc khi nhập bù."})
    if real > now.astimezone(VIETNAM).date():
        raise InvalidData("Ngày thực tế không được sau hôm nay.", {field: "Ngày ở tương lai."})
    doc.backfilled = True


def _issuer_document(session: Session, user: User, document_id: int) -> Document:
    """A document of the agency where ``user`` is the clerk or a leader, who recall, correct
    and replace its documents."""
    doc = _document(session, document_id)
    if not permissions.positions_in(session, user, doc.agency_id) & permissions.SECRET_READERS:
        raise Forbidden("Chỉ văn thư hoặc lãnh đạo cơ quan ban hành được thu hồi, đính chính hoặc thay thế văn bản.")
    return doc


def recall(session: Session, user: User, document_id: int, reason: Any, now: datetime) -> Document:
    """Thu hồi (engine.registry.lifecycle)."""
    doc = _issuer_document(session, user, document_id)
    lifecycle.recall(session, user, doc, reason, now)
    return doc


def successor(session: Session, user: User, document_id: int, kind: Any, reason: Any, now: datetime) -> Case:
    """Đính chính or thay thế: a new draft in the outgoing procedure that issued the document,
    drafted by whoever drafted it (as a reply is started for its drafter), or, when they are
    no longer active, by the one who asks."""
    doc = _issuer_document(session, user, document_id)
    process, drafter_id = _outgoing_case(session, doc)
    drafter = session.get(User, drafter_id)
    drafter = drafter if drafter is not None and drafter.active else user
    return lifecycle.begin_successor(session, user, doc, kind, reason, now,
                                     lambda data: cases.start_case(session, drafter, process, data, now))


def _outgoing_case(session: Session, doc: Document) -> tuple[str, int]:
    """The outgoing procedure that issued ``doc`` and the case's initiator."""
    rows = session.execute(select(Case.process_version_id, Case.initiator_id).where(Case.document_id == doc.id)
                           .order_by(Case.id))
    for version_id, initiator_id in rows:
        info = version_info(session, version_id)
        if info.document_kind == "outgoing":
            return info.process_id, initiator_id
    raise Conflict("Văn bản này không phát hành qua quy trình văn bản đi; hãy soạn văn bản mới qua quy trình.")


def void(session: Session, user: User, document_id: int, reason: Any, now: datetime) -> Document:
    """Hủy a register entry (engine.registry.lifecycle), by the agency's clerk."""
    doc = _clerk_document(session, user, document_id)
    lifecycle.void(session, user, doc, reason, now)
    return doc


def _document(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.")
    return doc


def get(session: Session, user: User, document_id: int, now: datetime) -> dict[str, Any]:
    doc = _document(session, document_id)
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    return documents.view(doc)


def work_tree(session: Session, user: User, document_id: int, now: datetime) -> list[dict[str, Any]]:
    doc = _document(session, document_id)
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    return worktree.tree(session, doc.id)


def file_versions_of(session: Session, user: User, document_id: int, now: datetime) -> list[dict[str, Any]]:
    """The chain of the document's main file: each version's hash, who made it, when and why."""
    doc = _document(session, document_id)
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    names = dict(session.execute(select(User.id, User.full_name).where(
        User.id.in_(select(FileVersion.user_id).where(FileVersion.document_id == doc.id)))).all())
    return [{"seq": v.seq, "sha256": v.sha256, "reason": v.reason, "by": names.get(v.user_id),
             "certificate_id": v.certificate_id, "at": v.created_at.isoformat()}
            for v in file_versions.chain(session, doc.id)]


def may_attach(session: Session, user: User, document_id: int, filename: str, stream: IO[bytes] | None, role: str,
               now: datetime) -> None:
    """What refuses an upload before its file is read (a transaction of its own, before
    :func:`receive`): who may edit the document first, so a refusal says nothing about the file,
    then whether a file was chosen and the document can take it."""
    doc = _document(session, document_id)
    permissions.ensure_can_edit_document(session, user, doc, now.astimezone(VIETNAM).date())
    if stream is None or not filename:
        raise InvalidData("Chưa chọn tệp.", {"file": "Bắt buộc."})
    uploads.check_attachable(session, doc, role)


def receive(store: FileStore, filename: str, stream: IO[bytes] | None, role: str, max_bytes: int) -> uploads.Received:
    """The upload checked, stored, its pages counted and a main file's text read, with no
    transaction open (after :func:`may_attach`)."""
    assert stream is not None  # may_attach refused a request without a file
    return uploads.receive(store, filename, stream, max_bytes, with_text=role == "main")


def upload(session: Session, user: User, document_id: int, received: uploads.Received, role: str,
           now: datetime) -> DocumentFile:
    """Attach the file :func:`receive` stored, checked again as :func:`may_attach` did (the
    document may have moved meanwhile); a main file with its text, searchable at once."""
    doc = _document(session, document_id)
    permissions.ensure_can_edit_document(session, user, doc, now.astimezone(VIETNAM).date())
    record = uploads.attach(session, user, doc, received, role, now)
    case_id = session.scalar(select(Case.id).where(Case.document_id == doc.id).order_by(Case.id.desc()).limit(1))
    audit.append(session, at=now, action="file_attached", actor_id=user.id, case_id=case_id,
                 payload={"document": doc.id, "role": role, "filename": record.filename, "sha256": record.sha256,
                          "size": record.size})
    return record


def download(session: Session, store: FileStore, user: User, document_id: int, file_id: int,
             now: datetime) -> tuple[Path, str]:
    doc = _document(session, document_id)
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    record = next((f for f in doc.files if f.id == file_id), None)
    if record is None:
        raise NotFound("Không tìm thấy tệp.")
    return store.path(record.sha256), record.filename
