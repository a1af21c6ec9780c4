"""Digital-signature compliance (tuân thủ chữ ký số) of the documents an agency issued in a year:
those issued without a valid digital signature, by month and unit, for its register keepers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.models import Delivery, Direction, Document, Secrecy, SignatureStatus, User
from engine.reporting.report_params import YearParams
from engine.reporting.reports import Tally, agency_view, keeper_agency, today, unit_view, units_of, utc_bounds

# issued = valid + paper + secret + unsigned + invalid. A secret document may not be kept on
# a networked system, so it is signed on paper by law and is not a breach.
COMPLIANCE_MEASURES = ("issued", "valid", "paper", "secret", "unsigned", "invalid", "noncompliant")


def _signature_class(secrecy: Secrecy, mode: Delivery, status: SignatureStatus) -> str:
    """A leader who signed on paper is the exception, even once the agency signed the scan."""
    if secrecy != Secrecy.NONE:
        return "secret"
    if mode == Delivery.PAPER:
        return "paper"
    return {SignatureStatus.VALID: "valid", SignatureStatus.PAPER: "paper",
            SignatureStatus.INVALID: "invalid"}.get(status, "unsigned")


def compliance(session: Session, user: User, params: YearParams, now: datetime) -> dict[str, Any]:
    """Outgoing documents issued without a valid digital signature, by month and unit;
    paper signatures are the recorded exception and are counted apart."""
    agency = keeper_agency(session, user, params.agency)
    year = params.year or today(now).year
    low, high = utc_bounds(date(year, 1, 1), date(year, 12, 31))
    rows = session.execute(
        select(Document.id, Document.drafting_unit_id, Document.issued_at, Document.secrecy,
               Document.signature_mode, Document.signature_status, Document.number_symbol, Document.doc_type,
               Document.subject)
        .where(Document.agency_id == agency.id, Document.direction == Direction.OUTGOING,
               Document.issued_at >= low, Document.issued_at < high)
        .order_by(Document.issued_at, Document.id)
    ).all()
    units = {u.id: u for u in units_of(session, agency.id)}
    tally = Tally()
    items: list[dict[str, Any]] = []
    for document_id, unit_id, issued_at, secrecy, mode, status, number_symbol, doc_type, subject in rows:
        assert issued_at is not None  # filtered on
        month, kind = f"{year}-{issued_at.astimezone(VIETNAM).month:02d}", _signature_class(secrecy, mode, status)
        tally.add(unit_id, month, "issued")
        tally.add(unit_id, month, kind)
        if kind in ("unsigned", "invalid"):
            tally.add(unit_id, month, "noncompliant")
        if kind in ("unsigned", "invalid", "paper"):
            items.append({
                "id": document_id, "number_symbol": number_symbol, "doc_type": doc_type, "subject": subject,
                "issued_on": issued_at.astimezone(VIETNAM).date().isoformat(), "signature_status": status.value,
                "unit": unit_view(units.get(unit_id) if unit_id else None),
            })
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    return {
        "agency": agency_view(agency), "year": year, "totals": tally.figures(COMPLIANCE_MEASURES),
        "months": [{"month": m, **tally.figures(COMPLIANCE_MEASURES, period=m)} for m in months],
        "units": [{"unit": unit_view(unit), **tally.figures(COMPLIANCE_MEASURES, unit.id if unit else None)}
                  for unit in tally.listed_units(list(units.values()))],
        "items": items,
    }
