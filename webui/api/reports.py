"""Reports and printed registers in the JSON API, for the agency's register keepers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from engine.reporting import compliance_stats, reports

from ..common import exports
from ..common.context import transaction
from .util import authed, current_user

bp = Blueprint("reports", __name__, url_prefix="/api/v1")


@bp.get("/reports/summary")
def summary() -> Any:
    """Incoming, outgoing, processed, unprocessed and overdue documents by unit and period."""
    params = reports.SummaryParams.parse(request.args)
    return authed(False, lambda s, u, now: reports.summary(s, u, params, now))


@bp.get("/reports/daily-incoming")
def daily_incoming() -> Any:
    """The incoming documents of one day with their receiving units (sổ ký nhận)."""
    params = reports.DailyParams.parse(request.args)
    return authed(False, lambda s, u, now: reports.daily_incoming(s, u, params, now))


@bp.get("/reports/compliance")
def compliance() -> Any:
    """Outgoing documents issued without a valid digital signature, by month and unit."""
    params = reports.YearParams.parse(request.args)
    return authed(False, lambda s, u, now: reports.compliance(s, u, params, now))


@bp.get("/registers/<code>/print")
def print_register(code: str) -> Any:
    """One register book of one year as a printable A4 landscape PDF (Decree 30 Appendix IV)."""
    with transaction(False) as (session, now):
        return exports.printed_register(session, current_user(session, now), code, request.args, now)


@bp.get("/reports/statistics")
def statistics() -> Any:
    """Compliance per unit and per person: on time, late, open; unsigned issuance; share electronic."""
    params = reports.SummaryParams.parse(request.args)
    return authed(False, lambda s, u, now: compliance_stats.statistics(s, u, params, now))


@bp.get("/reports/statistics.<fmt>")
def statistics_export(fmt: str) -> Any:
    """The same figures as a spreadsheet (.xlsx) or a PDF."""
    with transaction(False) as (session, now):
        return exports.statistics(session, current_user(session, now), fmt, request.args, now)
