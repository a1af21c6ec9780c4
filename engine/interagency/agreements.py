"""Liên thông bound to agencies: a case of one agency may message a case of another only
when the two have an exchange agreement, approved by the administrators of both; a reply
reaches only the case that sent the request, by the token issued with it (never by a case
id in the payload, which the sending diagram controls)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData, NotFound, Text
from engine.models import Agency, Case, ExchangeAgreement, ReplyToken, User
from engine.org import permissions


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _agreement(session: Session, a: int, b: int) -> ExchangeAgreement | None:
    low, high = _ordered(a, b)
    return session.scalars(select(ExchangeAgreement).where(ExchangeAgreement.agency_id == low,
                                                           ExchangeAgreement.partner_id == high)).first()


def _active(row: ExchangeAgreement | None) -> bool:
    return row is not None and row.agency_approved_at is not None and row.partner_approved_at is not None


def allowed(session: Session, sender_agency_id: int, receiver_agency_id: int) -> bool:
    """May a case of the sender's agency message one of the receiver's?"""
    return sender_agency_id == receiver_agency_id or _active(_agreement(session, sender_agency_id, receiver_agency_id))


def partners(session: Session) -> set[tuple[str, str]]:
    """Every pair of agency codes that may exchange, both ways."""
    codes = {agency_id: code for agency_id, code in session.execute(select(Agency.id, Agency.code))}
    pairs: set[tuple[str, str]] = set()
    for row in session.scalars(select(ExchangeAgreement)):
        if _active(row):
            pairs |= {(codes[row.agency_id], codes[row.partner_id]), (codes[row.partner_id], codes[row.agency_id])}
    return pairs


def _agencies(session: Session, user: User, agency_code: str, partner_code: str) -> tuple[Agency, Agency]:
    mine = permissions.administered(session, user)
    if agency_code not in mine:
        raise NotFound(Text("Bạn không quản trị cơ quan '%(agency)s'.", agency=agency_code))
    partner = session.scalars(select(Agency).where(Agency.code == partner_code)).first()
    if partner is None or partner.id == mine[agency_code]:
        raise InvalidData("Cơ quan liên thông không hợp lệ.",
                          {"partner": Text("Không có cơ quan khác '%(agency)s'.", agency=partner_code)})
    agency = session.get(Agency, mine[agency_code])
    assert agency is not None
    return agency, partner


def _set_side(row: ExchangeAgreement, agency_id: int, user_id: int | None, at: datetime | None) -> None:
    if agency_id == row.agency_id:
        row.agency_approved_at, row.agency_approved_by = at, user_id
    else:
        row.partner_approved_at, row.partner_approved_by = at, user_id


def approve(session: Session, user: User, agency_code: str, partner_code: str, now: datetime) -> dict[str, Any]:
    """My agency's side of the agreement with ``partner_code``; it holds once both approved."""
    agency, partner = _agencies(session, user, agency_code, partner_code)
    row = _agreement(session, agency.id, partner.id)
    if row is None:
        low, high = _ordered(agency.id, partner.id)
        row = ExchangeAgreement(agency_id=low, partner_id=high)
        session.add(row)
    _set_side(row, agency.id, user.id, now)
    session.flush()
    audit.append(session, at=now, action="exchange_approved", actor_id=user.id,
                 payload={"agency": agency.code, "partner": partner.code, "active": _active(row)},
                 agency_id=agency.id)
    return _view(agency, partner, row)


def withdraw(session: Session, user: User, agency_code: str, partner_code: str, now: datetime) -> dict[str, Any]:
    """Withdraw my agency's approval: no message passes between the two from now on."""
    agency, partner = _agencies(session, user, agency_code, partner_code)
    row = _agreement(session, agency.id, partner.id)
    if row is not None:
        _set_side(row, agency.id, None, None)
        session.flush()
    audit.append(session, at=now, action="exchange_withdrawn", actor_id=user.id,
                 payload={"agency": agency.code, "partner": partner.code})
    return _view(agency, partner, row)


def _view(agency: Agency, partner: Agency, row: ExchangeAgreement | None) -> dict[str, Any]:
    ours = theirs = False
    if row is not None:
        sides = {row.agency_id: row.agency_approved_at, row.partner_id: row.partner_approved_at}
        ours, theirs = sides[agency.id] is not None, sides[partner.id] is not None
    return {"agency": agency.code, "partner": partner.code, "partner_name": partner.name,
            "approved_by_us": ours, "approved_by_them": theirs, "active": ours and theirs}


def listing(session: Session, user: User) -> list[dict[str, Any]]:
    """For every agency I administer, every other agency and where the agreement stands."""
    mine = permissions.administered(session, user)
    others = list(session.scalars(select(Agency).order_by(Agency.name)))
    rows = {(r.agency_id, r.partner_id): r for r in session.scalars(select(ExchangeAgreement))}
    result = []
    for agency in (a for a in others if a.id in mine.values()):
        for partner in others:
            if partner.id != agency.id:
                result.append(_view(agency, partner, rows.get(_ordered(agency.id, partner.id))))
    return result


def seed(session: Session, pairs: list[tuple[str, str]], now: datetime) -> None:
    """The demo's agreements, approved on both sides (by no one: they come with the demo)."""
    codes = {code: agency_id for code, agency_id in session.execute(select(Agency.code, Agency.id))}
    for a, b in pairs:
        if a in codes and b in codes and not allowed(session, codes[a], codes[b]):
            low, high = _ordered(codes[a], codes[b])
            row = _agreement(session, low, high) or ExchangeAgreement(agency_id=low, partner_id=high)
            row.agency_approved_at = row.partner_approved_at = now
            session.add(row)
    session.flush()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, requester: Case, responder_agency_id: int, message: str, now: datetime) -> str:
    """A new reply token for a message ``requester`` sends to a case of ``responder_agency_id``."""
    token = secrets.token_urlsafe(32)
    session.add(ReplyToken(token_hash=_digest(token), case_id=requester.id, responder_agency_id=responder_agency_id,
                           message=message[:255], issued_at=now))
    return token


def redeem(session: Session, token: Any, responder_agency_id: int) -> int | None:
    """The case a reply with ``token`` goes to, if the token was issued to the replying agency."""
    if not isinstance(token, str) or len(token) > 200:
        return None
    row = session.get(ReplyToken, _digest(token))
    return row.case_id if row is not None and row.responder_agency_id == responder_agency_id else None
