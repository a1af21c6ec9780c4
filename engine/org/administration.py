"""Quản trị cơ quan: an agency's administrators manage its people (accounts, positions in
its units), its units and who supervises them. Each change is checked, made and audited in
the caller's transaction; an agency is never left without an active administrator.

The administrator's agency is passed in by the caller, who got it from ``agency_for``;
the objects asked for by id are looked up within it, so another agency's are not found.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import Forbidden, InvalidData, NotFound
from engine.documents import textfold
from engine.models import AdminRequest, Agency, Position, Unit, UnitKind, User, UserPosition
from engine.org import accounts, admin_approvals, passwords, permissions

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")
UNIT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INVALID = "Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại."


def agency_for(session: Session, admin: User, code: str | None) -> Agency:
    """The agency the administrator works on: the one named by ``code``, or their first."""
    mine = permissions.administered(session, admin)
    if code is not None and code not in mine:
        raise Forbidden("Bạn không phải quản trị hệ thống của cơ quan này.")
    found = session.get(Agency, mine[code] if code is not None else min(mine.values()))
    assert found is not None
    return found


def member(agency_id: int) -> Any:
    """A filter on User: people holding a position in a unit of the agency."""
    return exists().where(UserPosition.user_id == User.id, UserPosition.unit_id == Unit.id,
                          Unit.agency_id == agency_id)


def person(session: Session, admin: User, user_id: int) -> tuple[Agency, User]:
    """A person of an agency the administrator manages, with that agency; another agency's
    people are not found."""
    for agency_id in sorted(permissions.administered(session, admin).values()):
        found = session.scalars(select(User).where(User.id == user_id, member(agency_id))).first()
        if found is not None:
            return session.get_one(Agency, agency_id), found
    raise NotFound("Không có người dùng này trong cơ quan.")


def unit(session: Session, admin: User, unit_id: int) -> Unit:
    mine = permissions.administered(session, admin)
    found = session.get(Unit, unit_id)
    if found is None or found.agency_id not in mine.values():
        raise NotFound("Không có đơn vị này trong cơ quan.")
    return found


def _text(data: Mapping[str, Any], name: str, errors: dict[str, str], limit: int = 255,
          required: bool = True) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors[name] = "Bắt buộc."
    elif len(value) > limit:
        errors[name] = f"Tối đa {limit} ký tự."
    return value


def _password(data: Mapping[str, Any], username: str, errors: dict[str, str]) -> str:
    password = str(data.get("password") or "")
    problem = "Bắt buộc." if not password else passwords.problem(password, username)
    if problem:
        errors["password"] = problem
    return password


def _email(data: Mapping[str, Any], errors: dict[str, str]) -> str | None:
    email = _text(data, "email", errors, required=False)
    if email and not EMAIL.match(email):
        errors["email"] = "Địa chỉ thư điện tử không hợp lệ."
    return email or None


def _position_choice(session: Session, agency_id: int, data: Mapping[str, Any],
                     errors: dict[str, str]) -> tuple[Unit | None, Position | None]:
    raw_unit, raw_position = str(data.get("unit") or ""), str(data.get("position") or "")
    chosen = None
    if not raw_unit.isdigit():
        errors["unit"] = "Chọn đơn vị."
    else:
        chosen = session.get(Unit, int(raw_unit))
        if chosen is None or chosen.agency_id != agency_id:
            errors["unit"] = "Đơn vị không thuộc cơ quan."
            chosen = None
    if raw_position not in {p.value for p in Position}:
        errors["position"] = "Chọn chức vụ."
        return chosen, None
    return chosen, Position(raw_position)


def unit_choices(session: Session, agency_id: int) -> list[tuple[str, str]]:
    """The agency's units (id, name), for the forms."""
    return [(str(i), name) for i, name in session.execute(
        select(Unit.id, Unit.name).where(Unit.agency_id == agency_id).order_by(Unit.name))]


def users(session: Session, agency_id: int, query: str, page: int, per_page: int) -> dict[str, Any]:
    """One page of the agency's people by name, those whose name or username has ``query``
    with or without diacritics. An agency has at most a few thousand people, so the names
    are folded here rather than stored folded."""
    wanted = textfold.fold(query)
    rows = session.execute(select(User.id, User.full_name, User.username).where(member(agency_id))
                           .order_by(User.full_name, User.id)).all()
    matching = [i for i, name, username in rows if wanted in textfold.fold(f"{name} {username}")]
    shown = matching[(page - 1) * per_page:page * per_page]
    found = {u.id: u for u in session.scalars(select(User).where(User.id.in_(shown)))}
    return {"items": [view(session, agency_id, found[i]) for i in shown], "page": page, "per_page": per_page,
            "total": len(matching)}


def view(session: Session, agency_id: int, user: User) -> dict[str, Any]:
    """A person as the pages show them, with their positions in the agency's units."""
    rows = session.execute(
        select(UserPosition.id, UserPosition.position, Unit.name).join(Unit, Unit.id == UserPosition.unit_id)
        .where(UserPosition.user_id == user.id, Unit.agency_id == agency_id).order_by(UserPosition.id))
    return {"id": user.id, "username": user.username, "full_name": user.full_name, "email": user.email or "",
            "active": user.active, "has_certificate": user.has_certificate,
            "positions": [{"id": i, "position": p.value, "unit": name}
                          for i, p, name in rows]}


def _active_admins(session: Session, agency_id: int) -> int:
    return session.scalar(
        select(func.count(func.distinct(User.id))).join(UserPosition, UserPosition.user_id == User.id)
        .join(Unit, Unit.id == UserPosition.unit_id)
        .where(Unit.agency_id == agency_id, UserPosition.position == Position.ADMIN, User.active.is_(True))
    ) or 0


def _keep_an_admin(session: Session, agency_id: int) -> None:
    """Called after a change, before it is audited: the change is refused (and rolled back
    with the transaction) if it left the agency without an active administrator."""
    session.flush()
    if _active_admins(session, agency_id) == 0:
        raise InvalidData("Không thể bỏ quản trị hệ thống cuối cùng của cơ quan.",
                          {"position": "Cơ quan cần ít nhất một quản trị hệ thống đang hoạt động."})


def _log(session: Session, admin: User, now: datetime, action: str, agency_id: int, **payload: Any) -> None:
    audit.append(session, at=now, action=action, actor_id=admin.id, payload={"agency_id": agency_id, **payload},
                 agency_id=agency_id)


def create_user(session: Session, admin: User, agency_id: int, data: Mapping[str, Any], now: datetime) -> User:
    """A new account with its first position; the initial password follows the strength rule."""
    errors: dict[str, str] = {}
    username = _text(data, "username", errors, 64).lower()
    if username and "username" not in errors:
        if not USERNAME.match(username):
            errors["username"] = "Từ 3 đến 64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang."
        elif session.scalar(select(exists().where(User.username == username))):
            errors["username"] = "Tên đăng nhập đã được dùng."
    full_name = _text(data, "full_name", errors)
    email = _email(data, errors)
    password = _password(data, username, errors)
    chosen, position = _position_choice(session, agency_id, data, errors)
    if position is not None and admin_approvals.needs_approval_for_position(position):
        # Otherwise one administrator alone would make a secret reader whose password they know.
        errors["position"] = ("Chức vụ này cần phê duyệt (xem văn bản mật hoặc quản trị): hãy tạo tài khoản với "
                              "chức vụ khác rồi đề nghị cấp chức vụ này (quản trị khác hoặc giám đốc phê duyệt).")
    if errors:
        raise InvalidData(_INVALID, errors)
    assert chosen is not None and position is not None
    made = User(username=username, full_name=full_name, email=email, password_hash=accounts.hash_password(password),
                must_change_password=True)
    made.positions.append(UserPosition(unit_id=chosen.id, position=position))
    session.add(made)
    session.flush()
    _log(session, admin, now, "user_created", agency_id, user_id=made.id, username=username,
         unit_id=chosen.id, position=position.value)
    return made


def update_user(session: Session, admin: User, agency_id: int, target: User, data: Mapping[str, Any],
                now: datetime) -> None:
    errors: dict[str, str] = {}
    full_name = _text(data, "full_name", errors)
    email = _email(data, errors)
    if errors:
        raise InvalidData(_INVALID, errors)
    target.full_name, target.email = full_name, email
    _log(session, admin, now, "user_updated", agency_id, user_id=target.id, full_name=full_name, email=email)


def set_active(session: Session, admin: User, agency_id: int, target: User, active: bool, now: datetime) -> None:
    """Khóa / mở khóa tài khoản: a disabled person can no longer log in, and is logged out."""
    target.active = active
    if not active:
        accounts.end_sessions(session, target.id)
        _keep_an_admin(session, agency_id)
    _log(session, admin, now, "user_enabled" if active else "user_disabled", agency_id, user_id=target.id)


def reset_password(session: Session, admin: User, agency_id: int, target: User, data: Mapping[str, Any],
                   now: datetime) -> AdminRequest | None:
    """A new password chosen by the administrator, which the person replaces at their next
    login; their sessions end. For a secret reader, a request another administrator approves."""
    errors: dict[str, str] = {}
    password = _password(data, target.username, errors)
    if errors:
        raise InvalidData(_INVALID, errors)
    if admin_approvals.needs_approval_for_password(session, target, agency_id):
        return admin_approvals.ask(session, admin, agency_id, target, now, password=password)
    target.password_hash = accounts.hash_password(password)
    target.must_change_password = True  # the administrator knows it: the person chooses their own at login
    accounts.end_sessions(session, target.id)
    _log(session, admin, now, "user_password_reset", agency_id, user_id=target.id)
    return None


def add_position(session: Session, admin: User, agency_id: int, target: User, data: Mapping[str, Any],
                 now: datetime) -> AdminRequest | None:
    """A position in a unit: designer (người thiết kế quy trình) gives the right to deploy
    the agency's processes, auditor (kiểm tra viên) to read all its cases. Never to oneself; a
    position that reads secret documents waits for a second approval (engine/org/admin_approvals.py)."""
    admin_approvals.ensure_not_self(admin, target)
    errors: dict[str, str] = {}
    chosen, position = _position_choice(session, agency_id, data, errors)
    if chosen is not None and position is not None and session.scalar(select(exists().where(
            UserPosition.user_id == target.id, UserPosition.unit_id == chosen.id,
            UserPosition.position == position))):
        errors["position"] = "Người này đã giữ chức vụ này trong đơn vị."
    if errors:
        raise InvalidData(_INVALID, errors)
    assert chosen is not None and position is not None
    if admin_approvals.needs_approval_for_position(position):
        return admin_approvals.ask(session, admin, agency_id, target, now, unit_id=chosen.id, position=position)
    target.positions.append(UserPosition(unit_id=chosen.id, position=position))
    session.flush()
    _log(session, admin, now, "position_added", agency_id, user_id=target.id, unit_id=chosen.id,
         position=position.value)
    return None


def remove_position(session: Session, admin: User, agency_id: int, target: User, position_id: int,
                    now: datetime) -> None:
    held = next((p for p in target.positions if p.id == position_id), None)
    if held is None or held.unit.agency_id != agency_id:
        raise NotFound("Người này không giữ chức vụ này trong cơ quan.")
    if len(target.positions) == 1:
        raise InvalidData("Mỗi người cần giữ ít nhất một chức vụ; hãy khóa tài khoản nếu họ nghỉ việc.",
                          {"position": "Đây là chức vụ duy nhất của người này."})
    unit_id, position = held.unit_id, held.position
    target.positions.remove(held)
    _keep_an_admin(session, agency_id)
    _log(session, admin, now, "position_removed", agency_id, user_id=target.id, unit_id=unit_id,
         position=position.value)


def units(session: Session, agency_id: int) -> list[dict[str, Any]]:
    """The agency's units with their supervising deputy director and head count."""
    people = (select(func.count(func.distinct(UserPosition.user_id))).where(UserPosition.unit_id == Unit.id)
              .scalar_subquery())
    rows = session.execute(
        select(Unit, User.full_name, people).outerjoin(User, User.id == Unit.supervisor_id)
        .where(Unit.agency_id == agency_id).order_by(Unit.name))
    return [{"id": u.id, "code": u.code, "name": u.name, "kind": u.kind.value,
             "supervisor_id": u.supervisor_id, "supervisor": name or "", "people": count}
            for u, name, count in rows]


def deputies(session: Session, agency_id: int) -> list[tuple[str, str]]:
    """Who may supervise a unit: the agency's active deputy directors (phó giám đốc)."""
    rows = session.execute(
        select(User.id, User.full_name).join(UserPosition, UserPosition.user_id == User.id)
        .join(Unit, Unit.id == UserPosition.unit_id)
        .where(Unit.agency_id == agency_id, UserPosition.position == Position.DEPUTY_DIRECTOR,
               User.active.is_(True)).distinct().order_by(User.full_name))
    return [(str(i), name) for i, name in rows]


def create_unit(session: Session, admin: User, agency_id: int, data: Mapping[str, Any], now: datetime) -> Unit:
    errors: dict[str, str] = {}
    code = _text(data, "code", errors, 32)
    if code and "code" not in errors:
        if not UNIT_CODE.match(code):
            errors["code"] = "Chỉ chữ không dấu, số, gạch dưới và gạch ngang."
        elif session.scalar(select(exists().where(Unit.agency_id == agency_id, Unit.code == code))):
            errors["code"] = "Mã đơn vị đã có trong cơ quan."
    name = _text(data, "name", errors)
    kind = str(data.get("kind") or "")
    if kind not in {k.value for k in UnitKind}:
        errors["kind"] = "Chọn loại đơn vị."
    if errors:
        raise InvalidData(_INVALID, errors)
    made = Unit(agency_id=agency_id, code=code, name=name, kind=UnitKind(kind))
    session.add(made)
    session.flush()
    _log(session, admin, now, "unit_created", agency_id, unit_id=made.id, code=code, name=name)
    return made


def update_unit(session: Session, admin: User, agency_id: int, target: Unit, data: Mapping[str, Any],
                now: datetime) -> None:
    """Rename a unit and set its supervising deputy director (phó giám đốc phụ trách)."""
    errors: dict[str, str] = {}
    name = _text(data, "name", errors)
    raw = str(data.get("supervisor") or "")
    supervisor = None
    if raw:
        if raw not in dict(deputies(session, agency_id)):
            errors["supervisor"] = "Chọn một phó giám đốc đang làm việc của cơ quan."
        else:
            supervisor = int(raw)
    if errors:
        raise InvalidData(_INVALID, errors)
    target.name, target.supervisor_id = name, supervisor
    _log(session, admin, now, "unit_updated", agency_id, unit_id=target.id, name=name, supervisor_id=supervisor)
