"""People and organisation: agencies, units, positions, accounts, delegation (ủy quyền)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, str_enum


class Position(enum.StrEnum):
    SPECIALIST = "specialist"  # chuyên viên
    HEAD = "head"  # trưởng phòng / khoa / trạm
    DEPUTY_HEAD = "deputy_head"  # phó trưởng phòng
    OFFICE_CHIEF = "office_chief"  # chánh văn phòng
    DEPUTY_OFFICE_CHIEF = "deputy_office_chief"  # phó chánh văn phòng
    DIRECTOR = "director"  # giám đốc / chủ tịch
    DEPUTY_DIRECTOR = "deputy_director"  # phó giám đốc / phó chủ tịch
    CLERK = "clerk"  # văn thư
    ADMIN = "admin"  # người quản trị
    DESIGNER = "designer"  # người thiết kế quy trình: changes and deploys the agency's processes
    AUDITOR = "auditor"  # kiểm tra viên: reads every case of the agency and its audit trail
    OPERATOR = "operator"  # vận hành quy trình: repairs the agency's stuck cases at the incident desk


POSITION_TITLES = {
    Position.SPECIALIST: "Chuyên viên",
    Position.HEAD: "Trưởng đơn vị",
    Position.DEPUTY_HEAD: "Phó trưởng đơn vị",
    Position.OFFICE_CHIEF: "Chánh Văn phòng",
    Position.DEPUTY_OFFICE_CHIEF: "Phó Chánh Văn phòng",
    Position.DIRECTOR: "Giám đốc",
    Position.DEPUTY_DIRECTOR: "Phó Giám đốc",
    Position.CLERK: "Văn thư",
    Position.ADMIN: "Quản trị hệ thống",
    Position.DESIGNER: "Thiết kế quy trình",
    Position.AUDITOR: "Kiểm tra viên",
    Position.OPERATOR: "Vận hành quy trình",
}


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    abbreviation: Mapped[str] = mapped_column(String(32))  # used in document symbols: 05/QĐ-TTYT
    identifier_code: Mapped[str] = mapped_column(String(13), unique=True)  # mã định danh, QĐ 20/2020
    # Địa danh: the start of the date line of what it issues, "Bắc Từ Liêm, ngày … tháng … năm …"
    place_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Whether its staff may message people of other agencies of this installation.
    cross_agency_messages: Mapped[bool] = mapped_column(default=False)

    units: Mapped[list[Unit]] = relationship(back_populates="agency", order_by="Unit.id")


class UnitKind(enum.StrEnum):
    DEPARTMENT = "phong"
    WARD = "khoa"
    STATION = "tram"
    OFFICE = "van_phong"  # Văn phòng
    LEADERSHIP = "ban_giam_doc"  # Ban Giám đốc


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind, 16))
    # Phó Giám đốc phụ trách: the deputy director in charge of this unit.
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    agency: Mapped[Agency] = relationship(back_populates="units")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    has_certificate: Mapped[bool] = mapped_column(default=False)  # holds a digital certificate
    email_notifications: Mapped[bool] = mapped_column(default=False)  # also send notifications by e-mail
    # Set by an administrator's new account or reset: the person chooses their own before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    positions: Mapped[list[UserPosition]] = relationship(
        back_populates="user", order_by="UserPosition.id", cascade="all, delete-orphan"
    )


class UserCertificate(Base):
    """A certificate registered to a person: a leader's signature counts only if its certificate is
    one of theirs (engine.signatures.certificates). Enrolled by an administrator from the certificate file, by
    the person through the sign agent (token-only officials), or by the demo seed."""

    __tablename__ = "user_certificates"
    __table_args__ = (UniqueConstraint("spki_sha256"),)  # one key, one person

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(500))  # RFC 4514
    subject_name: Mapped[str] = mapped_column(String(255))  # the subject's common name
    issuer: Mapped[str] = mapped_column(String(500))
    serial: Mapped[str] = mapped_column(String(64))  # hexadecimal
    spki_sha256: Mapped[str] = mapped_column(String(64))  # of the DER SubjectPublicKeyInfo
    not_before: Mapped[datetime]
    not_after: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16))  # admin, agent, demo
    enrolled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    enrolled_at: Mapped[datetime]


class UserPosition(Base):
    __tablename__ = "user_positions"
    __table_args__ = (UniqueConstraint("user_id", "unit_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    position: Mapped[Position] = mapped_column(str_enum(Position, 32))

    user: Mapped[User] = relationship(back_populates="positions")
    unit: Mapped[Unit] = relationship()


class Delegation(Base):
    """Ủy quyền: ``grantor`` lets ``delegate`` act for them on the days and processes given."""

    __tablename__ = "delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    grantor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # "*" for every process, otherwise a comma-separated list of process ids.
    scope: Mapped[str] = mapped_column(String(255), default="*")
    revoked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, the token itself is never stored
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # "page": a login's session, ended after the idle timeout; "api": a Bearer client's token.
    kind: Mapped[str] = mapped_column(String(8), default="api", server_default="api")
    last_used_at: Mapped[datetime | None]  # kept to the minute: idle tokens stop working


class LoginThrottle(Base):
    """Failed logins of one account ("user:<name>") or one address ("addr:<ip>") in a row, and
    until when further attempts are refused (engine/org/login_throttle.py)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime]


class AdminRequest(Base):
    """A change one administrator may not make alone (engine/org/admin_approvals.py): granting a
    position that reads secret documents, or resetting the password of one who holds one. It
    waits for another administrator of the agency or its director."""

    __tablename__ = "admin_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "position" or "password"
    target_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    position: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # the new password, hashed, never shown
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, approved, rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
