"""Demo data: the Bắc Từ Liêm District Health Centre (agency code ``btl``) with fictitious
staff in every position its outgoing procedure needs. Every demo password is
``DEMO_PASSWORD``; the README lists the accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import registers
from .accounts import hash_password
from .models import Agency, Position, Unit, UnitKind, User, UserPosition

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - a documented demo password, not a secret

BTL_UNITS = [
    ("BGD", "Ban Giám đốc", UnitKind.LEADERSHIP),
    ("TCHC", "Phòng Tổ chức – Hành chính", UnitKind.OFFICE),
    ("KHNV", "Phòng Kế hoạch – Nghiệp vụ", UnitKind.DEPARTMENT),
    ("KSDB", "Khoa Kiểm soát dịch bệnh", UnitKind.WARD),
    ("TYT1", "Trạm Y tế phường số 1", UnitKind.STATION),
]

# username, full name, unit code, positions, holds a digital certificate
BTL_STAFF = [
    ("btl_director", "Trần Minh Quang", "BGD", [Position.DIRECTOR], True),
    ("btl_deputy1", "Lê Thị Hồng Nhung", "BGD", [Position.DEPUTY_DIRECTOR], True),
    ("btl_deputy2", "Phạm Đức Thắng", "BGD", [Position.DEPUTY_DIRECTOR], False),
    ("btl_clerk", "Đỗ Thị Mai", "TCHC", [Position.CLERK], True),
    ("btl_office_chief", "Đinh Công Sơn", "TCHC", [Position.OFFICE_CHIEF, Position.HEAD], False),
    ("btl_admin", "Trịnh Thị Lan", "TCHC", [Position.ADMIN], False),
    ("btl_head_khnv", "Hoàng Văn Bình", "KHNV", [Position.HEAD], False),
    ("btl_spec_khnv", "Vũ Thu Hà", "KHNV", [Position.SPECIALIST], False),
    ("btl_head_ksdb", "Ngô Quốc Huy", "KSDB", [Position.HEAD], False),
    ("btl_spec_ksdb", "Bùi Thanh Tâm", "KSDB", [Position.SPECIALIST], False),
    ("btl_head_tyt1", "Lý Thị Thu Trang", "TYT1", [Position.HEAD], False),
    ("btl_spec_tyt1", "Mạc Văn Khải", "TYT1", [Position.SPECIALIST], False),
]

# Phó Giám đốc phụ trách: which deputy oversees which unit.
BTL_SUPERVISION = {"KHNV": "btl_deputy2", "KSDB": "btl_deputy1", "TYT1": "btl_deputy2", "TCHC": "btl_deputy1"}


def seed(session: Session, now: datetime, password: str = DEMO_PASSWORD) -> bool:
    """Create the demo agency and staff; returns False if they already exist."""
    if session.scalar(select(Agency.id).where(Agency.code == "btl")) is not None:
        return False
    agency = Agency(code="btl", name="Trung tâm Y tế quận Bắc Từ Liêm", abbreviation="TTYT",
                    identifier_code="000.99.01.H26")
    session.add(agency)
    session.flush()
    registers.create_default_books(session, agency.id)
    units = {code: Unit(agency_id=agency.id, code=code, name=name, kind=kind) for code, name, kind in BTL_UNITS}
    session.add_all(units.values())
    session.flush()
    hashed = hash_password(password)
    users = {}
    for username, full_name, unit_code, positions, certificate in BTL_STAFF:
        user = User(username=username, full_name=full_name, password_hash=hashed, has_certificate=certificate,
                    email=f"{username}@demo.invalid")
        user.positions = [UserPosition(unit_id=units[unit_code].id, position=p) for p in positions]
        users[username] = user
    session.add_all(users.values())
    session.flush()
    for unit_code, username in BTL_SUPERVISION.items():
        units[unit_code].supervisor_id = users[username].id
    return True
