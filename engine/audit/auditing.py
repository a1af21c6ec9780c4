"""What an auditor (kiểm tra viên) reads of their agencies' cases: the case search, and one
case's audit: its timeline from the audit log, where its entries stand in the hash chain,
its replay, the signatures of its files and its path on the diagram. Every case is read
through ``permissions.ensure_auditor``; the list holds only the auditor's agencies' cases."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.audit import verification
from engine.core.clock import VIETNAM
from engine.core.errors import Forbidden, InvalidData, NotFound, Text
from engine.design import bpmn_layout, heatmap
from engine.documents.storage import FileStore
from engine.models import AuditEntry, Case, CaseStatus, Document, Position, ProcessVersion, User
from engine.office import queries
from engine.org import permissions
from engine.signatures import signatures
from engine.workflow import case_path, replay
from signing.errors import SigningError
from signing.pades import verify

_MAX_TEXT = 200


@dataclass(frozen=True)
class CaseSearch:
    """Tìm hồ sơ: words of the title or the document (as the inbox finds them), a number
    (số ký hiệu, or a bare number: the case's or the document's in its register), a person
    who acted in the case (or on whose behalf), the day it was started, its status."""

    title: str = ""
    number: str = ""
    person: str = ""
    since: date | None = None
    until: date | None = None
    status: str = ""

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> CaseSearch:
        """From a query string; every field's problem at once (InvalidData)."""
        errors: dict[str, str] = {}
        texts = {name: args.get(name, "").strip() for name in ("title", "number", "person")}
        for name, value in texts.items():
            if len(value) > _MAX_TEXT:
                errors[name] = Text("Tối đa %(n)s ký tự.", n=_MAX_TEXT)
        days: dict[str, date | None] = {}
        for name in ("since", "until"):
            raw = args.get(name, "").strip()
            try:
                days[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                errors[name] = "Ngày không hợp lệ (dd/mm/yyyy)."
                days[name] = None
        since, until = days["since"], days["until"]
        if since and until and since > until:
            errors["until"] = "Ngày kết thúc phải sau ngày bắt đầu."
        status = args.get("status", "")
        if status and status not in {s.value for s in CaseStatus}:
            errors["status"] = "Chọn đang xử lý hoặc đã kết thúc."
        if errors:
            raise InvalidData("Điều kiện tìm kiếm chưa hợp lệ, vui lòng kiểm tra lại.", errors)
        return cls(since=since, until=until, status=status, **texts)


def audited_agencies(session: Session, user: User) -> list[int]:
    """The agencies whose cases the person audits (Forbidden when none)."""
    found = sorted(permissions.agencies_where(session, user, Position.AUDITOR).values())
    if not found:
        raise Forbidden("Chỉ kiểm tra viên được tra cứu hồ sơ để kiểm tra.")
    return found


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=VIETNAM)


def find_cases(session: Session, user: User, wanted: CaseSearch, page: int, per_page: int) -> dict[str, Any]:
    """The cases of the auditor's agencies that match, newest first, one page of them."""
    query = (
        select(Case, ProcessVersion.name, Document.number_symbol, User.full_name)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .join(User, User.id == Case.initiator_id)
        .outerjoin(Document, Document.id == Case.document_id)
        .where(Case.agency_id.in_(audited_agencies(session, user)))
    )
    if wanted.title:
        query = query.where(queries.text_match(wanted.title))
    if wanted.number.isdigit():  # the case's number, or the document's number in its register
        query = query.where(or_(Case.id == int(wanted.number), Document.number == int(wanted.number)))
    elif wanted.number:
        query = query.where(Document.number_symbol.icontains(wanted.number, autoescape=True))
    if wanted.person:
        people = select(User.id).where(or_(User.full_name.icontains(wanted.person, autoescape=True),
                                           User.username.icontains(wanted.person, autoescape=True)))
        query = query.where(exists().where(AuditEntry.case_id == Case.id, or_(
            AuditEntry.actor_id.in_(people), AuditEntry.on_behalf_of_id.in_(people))))
    if wanted.since:
        query = query.where(Case.created_at >= _start_of(wanted.since))
    if wanted.until:
        query = query.where(Case.created_at < _start_of(wanted.until + timedelta(days=1)))
    if wanted.status:
        query = query.where(Case.status == CaseStatus(wanted.status))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Case.created_at.desc(), Case.id.desc())
                           .offset((page - 1) * per_page).limit(per_page))
    items = [{"id": c.id, "title": c.title, "process_name": process, "number_symbol": number, "initiator": initiator,
              "status": c.status.value, "created_at": c.created_at.isoformat(), "updated_at": c.updated_at.isoformat()}
             for c, process, number, initiator in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def auditable_case(session: Session, user: User, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("Không tìm thấy hồ sơ công việc.")
    permissions.ensure_auditor(session, user, case.agency_id)
    return case


def _hashes(value: Any) -> Iterator[tuple[str, str | None]]:
    """(sha256, file name if given) of every file an audit payload names, wherever it sits."""
    if isinstance(value, dict):
        if isinstance(value.get("sha256"), str):
            yield value["sha256"], value.get("filename")
        for item in value.values():
            yield from _hashes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _hashes(item)


@dataclass(frozen=True)
class CaseFile:
    """One version of a file of the case: every upload and every signed copy stays stored."""

    sha256: str
    filename: str
    seq: int | None  # the audit entry that first names it; None for a file only the document holds


def case_files(session: Session, case: Case, entries: list[AuditEntry]) -> list[CaseFile]:
    """The files the case's audit entries name, then its document's current files not among them."""
    doc = session.get(Document, case.document_id) if case.document_id is not None else None
    current = {f.sha256: f.filename for f in doc.files} if doc is not None else {}
    fallback = next((f.filename for f in doc.files if f.role == "main"), "van-ban.pdf") if doc else "van-ban.pdf"
    found: dict[str, CaseFile] = {}
    for entry in entries:
        for sha, name in _hashes(json.loads(entry.payload)):
            if sha not in found:
                found[sha] = CaseFile(sha, current.get(sha) or name or fallback, entry.seq)
    for sha, name in current.items():
        found.setdefault(sha, CaseFile(sha, name, None))
    return list(found.values())


def _signature_check(store: FileStore, keys: signatures.Keys, file: CaseFile, now: datetime) -> dict[str, Any]:
    try:
        reports = signatures.check_stored(store, keys, file.sha256, now)
    except OSError:
        return {"file": file, "status": "missing", "reports": []}
    except SigningError:
        return {"file": file, "status": "not_pdf", "reports": []}
    return {"file": file, "status": verify.signature_status(reports, required=()),
            "reports": [r.to_json() for r in reports]}


def _timeline(session: Session, entries: list[AuditEntry]) -> list[dict[str, Any]]:
    ids = {i for e in entries for i in (e.actor_id, e.on_behalf_of_id) if i is not None}
    names = {u.id: {"username": u.username, "full_name": u.full_name}
             for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    rows = []
    for e in entries:
        payload = json.loads(e.payload)
        data = payload.get("data")
        rows.append({
            "seq": e.seq, "chain": e.chain, "at": e.at.isoformat(), "action": e.action, "task_id": e.task_id,
            "title": payload.get("title"),
            # An operator's repair or version move says why (engine/operations); a refusal, what failed.
            "reason": payload.get("reason") if isinstance(payload.get("reason"), str) else None,
            "actor": names.get(e.actor_id) if e.actor_id else None,
            "on_behalf_of": names.get(e.on_behalf_of_id) if e.on_behalf_of_id else None,
            "data": data if isinstance(data, dict) else {},
            "files": [sha for sha, _ in _hashes(payload)],
            "signature": payload.get("signature"),
            "hash": e.hash, "prev_hash": e.prev_hash,
        })
    return rows


def case_audit(session: Session, user: User, case_id: int, store: FileStore, keys: signatures.Keys,
               now: datetime) -> dict[str, Any]:
    """The case audit page: timeline, chain status, replay, signatures and the diagram's steps."""
    case = auditable_case(session, user, case_id)
    entries = audit.case_entries(session, case.id)
    version = session.get(ProcessVersion, case.process_version_id)
    assert version is not None
    report = replay.replay(session, case.id)
    doc = session.get(Document, case.document_id) if case.document_id is not None else None
    return {
        "case": {"id": case.id, "title": case.title, "status": case.status.value, "process_name": version.name,
                 "version": version.version, "created_at": case.created_at.isoformat(),
                 "number_symbol": doc.number_symbol if doc else None},
        "timeline": _timeline(session, entries),
        "chain": {"checked": len(entries), "findings": [str(f) for f in verification.verify_entries(session, entries)]},
        "replay": {"matches": report.matches, "steps": report.steps, "differences": report.differences},
        "signatures": [_signature_check(store, keys, f, now) for f in case_files(session, case, entries)],
        "diagram": {"xml": bpmn_layout.with_diagram(version.bpmn_xml),
                    "steps": case_path.steps(version.bpmn_xml, entries),
                    "heat": heatmap.as_json(heatmap.heatmap(session, version.process_id, case.agency_id))},
    }
