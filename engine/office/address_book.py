"""Danh bạ nơi nhận: where an outgoing document may be sent, so that a clerk picks a recipient
instead of typing an organ code. The book is the agency's own units, then the agencies its
administrators keep (``AddressEntry``: name, organ code if any, electronic or paper), then what
it derives: the agency's liên thông partners of other installations and the agencies of this
installation, each with its organ code, received electronically. An entry the administrators
keep with a derived agency's organ code takes that agency's place (a name of the trade, paper
instead); one no longer in use takes it out of the book. Every change is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData, Text
from engine.models import AddressEntry, Agency, Partner, Unit, User
from engine.workflow import forms

DELIVERIES = ("electronic", "paper")
ORGAN_ID = r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[0-9A-Z]{3}$"
SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["name", "delivery"], "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "title": "Tên nơi nhận", "minLength": 2, "maxLength": 200},
        "organ_id": {"type": "string", "title": "Mã định danh", "pattern": ORGAN_ID},
        "delivery": {"type": "string", "title": "Hình thức gửi", "enum": list(DELIVERIES)},
        "active": {"type": "boolean", "title": "Đang dùng"},
    },
}


def _kept(e: AddressEntry) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "organ_id": e.organ_id, "delivery": e.delivery, "active": e.active,
            "updated_at": e.updated_at.isoformat()}


def kept(session: Session, agency_id: int) -> list[dict[str, Any]]:
    """The entries the administrators keep, in use or not (their page)."""
    rows = session.scalars(select(AddressEntry).where(AddressEntry.agency_id == agency_id)
                           .order_by(AddressEntry.active.desc(), AddressEntry.name))
    return [_kept(e) for e in rows]


def entries(session: Session, agency_id: int) -> list[dict[str, Any]]:
    """The book as the recipients' picker offers it."""
    units = session.scalars(select(Unit).where(Unit.agency_id == agency_id).order_by(Unit.id))
    own = list(session.scalars(select(AddressEntry).where(AddressEntry.agency_id == agency_id)
                               .order_by(AddressEntry.name)))
    taken = {e.organ_id for e in own if e.organ_id}  # kept entries stand for these organ codes, in use or not
    partners = session.scalars(select(Partner).where(Partner.agency_id == agency_id, Partner.active.is_(True))
                               .order_by(Partner.name))
    agencies = session.scalars(select(Agency).where(Agency.id != agency_id).order_by(Agency.name))
    derived: dict[str, str] = {}
    for organ_id, name in [*((p.organ_id, p.name) for p in partners),
                           *((a.identifier_code, a.name) for a in agencies)]:
        if organ_id and organ_id not in taken:
            derived.setdefault(organ_id, name)
    return [
        *({"key": f"unit:{u.code}", "unit": u.code, "organ_id": None, "name": u.name, "delivery": "electronic"}
          for u in units),
        *({"key": f"entry:{e.id}", "unit": None, "organ_id": e.organ_id, "name": e.name, "delivery": e.delivery}
          for e in own if e.active),
        *({"key": f"organ:{organ_id}", "unit": None, "organ_id": organ_id, "name": name, "delivery": "electronic"}
          for organ_id, name in derived.items()),
    ]


def save(session: Session, admin: User, agency: Agency, data: Any, now: datetime) -> dict[str, Any]:
    """Add an entry, or change the one with the same name (its organ code, how it receives,
    whether it is in use); audited. The caller has checked that ``admin`` administers ``agency``
    (engine.org.administration.agency_for)."""
    clean = forms.validate(SCHEMA, data)
    name = " ".join(clean["name"].split())
    organ_id = clean.get("organ_id") or None
    if clean["delivery"] == "electronic" and organ_id is None:
        raise InvalidData("Gửi điện tử cần mã định danh của cơ quan nhận.",
                          {"organ_id": Text("Nhập mã định danh, hoặc chọn gửi bản giấy.")})
    row = session.scalars(select(AddressEntry).where(AddressEntry.agency_id == agency.id,
                                                     AddressEntry.name == name)).first()
    same_code = session.scalars(select(AddressEntry).where(
        AddressEntry.agency_id == agency.id, AddressEntry.organ_id == organ_id,
        AddressEntry.name != name)).first() if organ_id else None
    if same_code is not None:
        raise InvalidData("Mã định danh đã có trong danh bạ.",
                          {"organ_id": Text("Đã dùng cho '%(name)s'.", name=same_code.name)})
    created = row is None
    if row is None:
        row = AddressEntry(agency_id=agency.id, name=name)
        session.add(row)
    row.organ_id, row.delivery, row.active = organ_id, clean["delivery"], clean.get("active", True)
    row.updated_at, row.updated_by = now, admin.id
    session.flush()
    audit.append(session, at=now, action="address_book_saved", actor_id=admin.id,
                 payload={"agency": agency.code, "entry_id": row.id, "name": row.name, "organ_id": row.organ_id,
                          "delivery": row.delivery, "active": row.active, "created": created})
    return _kept(row)
