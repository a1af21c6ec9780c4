"""Ủy quyền: a person lets a colleague of their own agency complete their tasks for a
range of days, for every process or only some (engine.org.permissions.active_grants reads
them). The grantor creates, lists and revokes their delegations; each change is audited.
A revoked delegation stays listed, as the audit trail and the history of who acted for
whom need it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.errors import Forbidden, InvalidData, NotFound, Text
from engine.models import Agency, Delegation, Unit, User, UserPosition
from engine.org import permissions
from engine.workflow.definitions import latest_versions

ALL_PROCESSES = "*"
SCOPE_LENGTH = 255  # Delegation.scope


def _today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


def colleagues(session: Session, user: User) -> dict[str, str]:
    """The active people (username -> "name – unit") of the user's agencies, not the user."""
    rows = session.execute(
        select(User.username, User.full_name, Unit.name).join(UserPosition, UserPosition.user_id == User.id)
        .join(Unit, Unit.id == UserPosition.unit_id)
        .where(Unit.agency_id.in_(permissions.agencies_of(session, user)), User.active.is_(True),
               User.id != user.id).order_by(User.full_name, Unit.id)
    )
    found: dict[str, str] = {}
    for username, name, unit in rows:
        found.setdefault(username, f"{name} – {unit}")
    return found


def processes(session: Session, user: User) -> dict[str, str]:
    """The processes (id -> name) of the user's agencies, which a delegation may be limited to."""
    mine = set(session.scalars(select(Agency.code).where(Agency.id.in_(permissions.agencies_of(session, user)))))
    found = {}
    for version in latest_versions(session):
        codes = permissions.agency_codes(version.agency_code)
        if codes is None or mine & set(codes):
            found[version.process_id] = version.name
    return found


def form(session: Session, user: User) -> dict[str, Any]:
    """The form to create a delegation, as a JSON Schema with the user's choices."""
    people, flows = colleagues(session, user), processes(session, user)
    return {
        "title": Text("Ủy quyền xử lý công việc"), "type": "object", "required": ["delegate", "starts_on", "ends_on"],
        "properties": {
            "delegate": {"type": "string", "title": Text("Người được ủy quyền"), "enum": list(people),
                         "x-enumTitles": people, "x-data": True},
            "starts_on": {"type": "string", "format": "date", "title": Text("Từ ngày")},
            "ends_on": {"type": "string", "format": "date", "title": Text("Đến hết ngày")},
            "scope": {"type": "array", "title": Text("Chỉ các quy trình (để trống: mọi quy trình)"),
                      "items": {"type": "string", "enum": list(flows), "x-enumTitles": flows}},
        },
    }


def _date(data: Mapping[str, Any], name: str, errors: dict[str, str]) -> date | None:
    given = data.get(name)
    if not given:
        errors[name] = "Bắt buộc."
        return None
    try:
        return date.fromisoformat(str(given))
    except ValueError:
        errors[name] = "Ngày không hợp lệ (dạng YYYY-MM-DD)."
        return None


def _delegate(session: Session, user: User, data: Mapping[str, Any], errors: dict[str, str]) -> User | None:
    username = data.get("delegate")
    if not username:
        errors["delegate"] = "Bắt buộc."
        return None
    if username == user.username:
        errors["delegate"] = "Không thể ủy quyền cho chính mình."
        return None
    if username not in colleagues(session, user):
        errors["delegate"] = "Chỉ ủy quyền cho người đang làm việc trong cùng cơ quan."
        return None
    return session.scalars(select(User).where(User.username == username)).one()


def _scope(session: Session, user: User, data: Mapping[str, Any], errors: dict[str, str]) -> str:
    chosen = data.get("scope") or []
    if not isinstance(chosen, list) or not all(isinstance(p, str) for p in chosen):
        errors["scope"] = "Danh sách quy trình không hợp lệ."
        return ALL_PROCESSES
    unknown = [p for p in chosen if p not in processes(session, user)]
    if unknown:
        errors["scope"] = f"Không có quy trình: {', '.join(unknown)[:100]}."
        return ALL_PROCESSES
    scope = ",".join(dict.fromkeys(chosen)) or ALL_PROCESSES
    if len(scope) > SCOPE_LENGTH:
        errors["scope"] = "Chọn ít quy trình hơn, hoặc để trống để ủy quyền mọi quy trình."
    return scope


def create(session: Session, user: User, data: Mapping[str, Any], now: datetime) -> Delegation:
    """Delegate to a colleague from ``starts_on`` to ``ends_on`` (inclusive) for ``scope``."""
    errors: dict[str, str] = {}
    delegate = _delegate(session, user, data, errors)
    starts_on, ends_on = _date(data, "starts_on", errors), _date(data, "ends_on", errors)
    if starts_on is not None and ends_on is not None:
        if ends_on < starts_on:
            errors["ends_on"] = "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."
        elif ends_on < _today(now):
            errors["ends_on"] = "Ngày kết thúc đã qua."
    scope = _scope(session, user, data, errors)
    if errors:
        raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", errors)
    assert delegate is not None and starts_on is not None and ends_on is not None
    made = Delegation(grantor_id=user.id, delegate_id=delegate.id, starts_on=starts_on, ends_on=ends_on,
                      scope=scope, created_at=now)
    session.add(made)
    session.flush()
    audit.append(session, at=now, action="delegation_created", actor_id=user.id, payload={
        "delegation_id": made.id, "delegate": delegate.username, "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(), "scope": scope})
    return made


def revoke(session: Session, user: User, delegation_id: int, now: datetime) -> Delegation:
    """Thu hồi ủy quyền: only its grantor, and only while it has not ended."""
    found = session.get(Delegation, delegation_id, with_for_update=True)
    if found is None:
        raise NotFound("Không có ủy quyền này.")
    if found.grantor_id != user.id:
        raise Forbidden("Chỉ người ủy quyền được thu hồi ủy quyền này.")
    return _revoke(session, user, found, now)


def _revoke(session: Session, user: User, found: Delegation, now: datetime) -> Delegation:
    if found.revoked:
        raise InvalidData("Ủy quyền này đã được thu hồi.", {"id": "Đã thu hồi."})
    if found.ends_on < _today(now):
        raise InvalidData("Ủy quyền này đã hết hạn.", {"id": "Đã hết hạn."})
    found.revoked = True
    audit.append(session, at=now, action="delegation_revoked", actor_id=user.id,
                 payload={"delegation_id": found.id})
    return found


def _of_agencies(agency_ids: Collection[int]) -> Any:
    """A filter on Delegation: those given by a person of these agencies."""
    return exists().where(UserPosition.user_id == Delegation.grantor_id, UserPosition.unit_id == Unit.id,
                          Unit.agency_id.in_(agency_ids))


def revoke_as_admin(session: Session, admin: User, delegation_id: int, now: datetime) -> Delegation:
    """An administrator revokes a delegation given by someone of an agency they manage;
    another agency's is not found."""
    mine = permissions.administered(session, admin).values()
    found = session.scalars(select(Delegation).where(Delegation.id == delegation_id, _of_agencies(mine))
                            .with_for_update()).first()
    if found is None:
        raise NotFound("Không có ủy quyền này trong cơ quan.")
    return _revoke(session, admin, found, now)


def agency_listing(session: Session, agency_id: int, current_only: bool, page: int, per_page: int,
                   now: datetime) -> dict[str, Any]:
    """Every delegation of the agency's people, newest first; ``current_only``: those in
    force today or later, not revoked."""
    today = _today(now)
    grantor, delegate = aliased(User), aliased(User)
    where = [_of_agencies([agency_id])]
    if current_only:
        where += [Delegation.revoked.is_(False), Delegation.ends_on >= today]
    total = session.scalar(select(func.count()).select_from(Delegation).where(*where)) or 0
    rows = session.execute(
        select(Delegation, grantor.full_name, delegate.full_name).join(grantor, grantor.id == Delegation.grantor_id)
        .join(delegate, delegate.id == Delegation.delegate_id).where(*where)
        .order_by(Delegation.id.desc()).offset((page - 1) * per_page).limit(per_page))
    items = [{"id": d.id, "grantor": g, "delegate": p, "starts_on": d.starts_on.isoformat(),
              "ends_on": d.ends_on.isoformat(), "scope": [] if d.scope == ALL_PROCESSES else d.scope.split(","),
              "state": state(d, today)} for d, g, p in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def state(delegation: Delegation, today: date) -> str:
    """revoked, upcoming, active or ended."""
    if delegation.revoked:
        return "revoked"
    if today < delegation.starts_on:
        return "upcoming"
    return "active" if today <= delegation.ends_on else "ended"


def _view(d: Delegation, person: User, flows: dict[str, str], today: date) -> dict[str, Any]:
    """A delegation as the page and the API show it; ``person`` is the other party."""
    scope = [] if d.scope == ALL_PROCESSES else [flows.get(p, p) for p in d.scope.split(",")]
    return {"id": d.id, "person": {"username": person.username, "full_name": person.full_name},
            "starts_on": d.starts_on.isoformat(), "ends_on": d.ends_on.isoformat(), "scope": scope,
            "state": state(d, today), "created_at": d.created_at.isoformat()}


def describe(session: Session, user: User, d: Delegation, now: datetime) -> dict[str, Any]:
    """One delegation ``user`` gave, as ``listing`` shows it."""
    delegate = session.get(User, d.delegate_id)
    assert delegate is not None
    return _view(d, delegate, processes(session, user), _today(now))


def listing(session: Session, user: User, page: int, per_page: int, now: datetime) -> dict[str, Any]:
    """The delegations the user gave, newest first, one page of them; and those they hold
    now or later, which are few."""
    today = _today(now)
    flows = processes(session, user)
    other = aliased(User)

    def view(d: Delegation, person: User) -> dict[str, Any]:
        return _view(d, person, flows, today)

    given = select(Delegation, other).join(other, other.id == Delegation.delegate_id).where(
        Delegation.grantor_id == user.id)
    total = session.scalar(select(func.count()).select_from(Delegation).where(Delegation.grantor_id == user.id)) or 0
    rows = session.execute(given.order_by(Delegation.id.desc()).offset((page - 1) * per_page).limit(per_page))
    received = session.execute(
        select(Delegation, other).join(other, other.id == Delegation.grantor_id)
        .where(Delegation.delegate_id == user.id, Delegation.revoked.is_(False), Delegation.ends_on >= today)
        .order_by(Delegation.starts_on, Delegation.id)
    )
    return {"items": [view(d, p) for d, p in rows], "page": page, "per_page": per_page, "total": total,
            "received": [view(d, p) for d, p in received]}

