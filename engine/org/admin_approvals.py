"""Administrators within bounds (issue 12 item 4). What would let one administrator read
secret documents alone — granting a position that reads them (``permissions.SECRET_READERS``:
the clerk and the leaders) or resetting the password of someone who holds one and then
logging in as them, or making a second administrator to approve their own requests — is
not made at once: it becomes a pending request that another
administrator of the agency or its director approves (never the one who asked, never the
person concerned). Nobody grants a position to themself. Each request and decision is audited
and notified to the person concerned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound, Text
from engine.models import POSITION_TITLES, AdminRequest, NotificationKind, Position, Unit, User, UserPosition
from engine.office import notifications
from engine.org import accounts, permissions


def ensure_not_self(admin: User, target: User) -> None:
    if admin.id == target.id:
        raise Forbidden("Quản trị hệ thống không được tự cấp chức vụ cho chính mình; "
                        "hãy đề nghị một quản trị khác của cơ quan.")


def needs_approval_for_position(position: Position) -> bool:
    """A secret reader's position, and the administrator's: otherwise one administrator would
    make a second one of an account they made, and have it approve their own requests."""
    return position.value in permissions.SECRET_READERS or position == Position.ADMIN


def needs_approval_for_password(session: Session, target: User, agency_id: int) -> bool:
    return bool(permissions.positions_in(session, target, agency_id) & permissions.SECRET_READERS)


def _title(request: AdminRequest) -> Text:
    if request.position is None:
        return Text("đặt lại mật khẩu")
    return Text("cấp chức vụ %(position)s", position=Text(POSITION_TITLES[Position(request.position)]))


def ask(session: Session, admin: User, agency_id: int, target: User, now: datetime, *, unit_id: int | None = None,
        position: Position | None = None, password: str | None = None) -> AdminRequest:
    """A pending request, audited, notified to the person concerned and to those who may approve it."""
    request = AdminRequest(agency_id=agency_id, kind="password" if password is not None else "position",
                           target_id=target.id, unit_id=unit_id, position=position.value if position else None,
                           password_hash=accounts.hash_password(password) if password is not None else None,
                           requested_by=admin.id, requested_at=now, status="pending")
    session.add(request)
    session.flush()
    audit.append(session, at=now, action="admin_request_created", actor_id=admin.id,
                 payload={"agency_id": agency_id, "request_id": request.id, "kind": request.kind,
                          "user_id": target.id, "unit_id": unit_id, "position": request.position},
                 agency_id=agency_id)
    what = _title(request)
    asker = Text("Người đề nghị: %(name)s.", name=admin.full_name)
    notifications.notify(session, [target.id], NotificationKind.ACCOUNT,
                         Text("Đề nghị %(what)s cho tài khoản của bạn đang chờ phê duyệt", what=what), now, body=asker)
    approvers = [u for u in _approvers(session, agency_id) if u not in (admin.id, target.id)]
    notifications.notify(session, approvers, NotificationKind.ACCOUNT,
                         Text("Chờ phê duyệt: %(what)s cho %(name)s", what=what, name=target.full_name), now,
                         body=asker)
    return request


def _approvers(session: Session, agency_id: int) -> list[int]:
    return sorted(set(session.scalars(
        select(UserPosition.user_id).join(Unit, Unit.id == UserPosition.unit_id)
        .join(User, User.id == UserPosition.user_id)
        .where(Unit.agency_id == agency_id, User.active.is_(True),
               UserPosition.position.in_([Position.ADMIN, Position.DIRECTOR])))))


def approvable_agencies(session: Session, user: User) -> list[int]:
    """The agencies where the person may decide requests: as administrator or director."""
    return sorted(set(permissions.agencies_where(session, user, Position.ADMIN).values())
                  | set(permissions.agencies_where(session, user, Position.DIRECTOR).values()))


def pending(session: Session, user: User) -> list[dict[str, Any]]:
    """The pending requests of the agencies the person may decide for."""
    agencies = approvable_agencies(session, user)
    if not agencies:
        raise Forbidden("Chỉ quản trị hệ thống hoặc giám đốc của cơ quan được phê duyệt.")
    rows = session.scalars(select(AdminRequest).where(AdminRequest.agency_id.in_(agencies),
                                                      AdminRequest.status == "pending").order_by(AdminRequest.id))
    return [view(session, r) for r in rows]


def view(session: Session, request: AdminRequest) -> dict[str, Any]:
    target, asker = session.get_one(User, request.target_id), session.get_one(User, request.requested_by)
    return {"id": request.id, "kind": request.kind, "what": _title(request), "status": request.status,
            "user_id": target.id, "user": target.full_name, "username": target.username,
            "position": request.position, "unit_id": request.unit_id,
            "requested_by": asker.full_name, "requested_at": request.requested_at.isoformat()}


def decide(session: Session, user: User, request_id: int, decision: str | None, now: datetime) -> AdminRequest:
    """"approve" (the change is made now) or "reject" a pending request."""
    request = session.get(AdminRequest, request_id)
    if request is None or request.agency_id not in approvable_agencies(session, user):
        raise NotFound("Không có đề nghị này.")
    if decision not in ("approve", "reject"):
        raise InvalidData("Quyết định không hợp lệ.", {"decision": "Chọn phê duyệt hoặc từ chối."})
    approve = decision == "approve"
    if request.status != "pending":
        raise Conflict("Đề nghị này đã được xử lý.")
    if user.id in (request.requested_by, request.target_id):
        raise Forbidden("Người đề nghị hoặc người được đề nghị không tự phê duyệt được; "
                        "cần một quản trị khác hoặc giám đốc.")
    target = session.get_one(User, request.target_id)
    request.status, request.decided_by, request.decided_at = ("approved" if approve else "rejected"), user.id, now
    if approve:
        _apply(session, request, target)
    request.password_hash = None  # applied or refused, the hash need not be kept
    audit.append(session, at=now, action="admin_request_approved" if approve else "admin_request_rejected",
                 actor_id=user.id, payload={"agency_id": request.agency_id, "request_id": request.id,
                                            "kind": request.kind, "user_id": target.id, "position": request.position})
    what, name = _title(request), target.full_name
    verdict = Text("Đề nghị %(what)s cho %(name)s đã được phê duyệt", what=what, name=name) if approve \
        else Text("Đề nghị %(what)s cho %(name)s bị từ chối", what=what, name=name)
    notifications.notify(session, [target.id, request.requested_by], NotificationKind.ACCOUNT, verdict, now,
                         body=Text("Người quyết định: %(name)s.", name=user.full_name))
    return request


def _apply(session: Session, request: AdminRequest, target: User) -> None:
    if request.kind == "password":
        assert request.password_hash is not None
        target.password_hash = request.password_hash
        target.must_change_password = True
        accounts.end_sessions(session, target.id)
    else:
        assert request.unit_id is not None and request.position is not None
        held = any(p.unit_id == request.unit_id and p.position == Position(request.position) for p in target.positions)
        if not held:
            target.positions.append(UserPosition(unit_id=request.unit_id, position=Position(request.position)))
    session.flush()
