"""The reports page's figures (báo cáo tổng hợp) for one year of an agency, by month and by
unit: incoming documents received (vào sổ), processed and overdue, outgoing documents issued and
those issued without a valid digital signature. They are the figures of ``reports.summary`` (by month)
and ``compliance_report.compliance`` side by side, read with the same rights (the register keepers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.models import User
from engine.reporting import compliance_report, report_params, reports

# Received and issued first: the work an agency did. Without them a year of real work read as
# zeros (only exceptions were shown: overdue, unsigned, and processed, which an incoming
# document is only once its handling is finished).
MEASURES = ("incoming", "outgoing", "processed", "overdue", "unsigned")
_FROM_SUMMARY = ("incoming", "outgoing", "processed", "overdue")


def _figures(summary_row: dict[str, Any] | None, compliance_row: dict[str, Any] | None) -> dict[str, int]:
    return {**{m: summary_row[m] if summary_row else 0 for m in _FROM_SUMMARY},
            "unsigned": compliance_row["noncompliant"] if compliance_row else 0}


def overview(session: Session, user: User, params: report_params.YearParams, now: datetime) -> dict[str, Any]:
    year = params.year or reports.today(now).year
    span = report_params.SummaryParams(date(year, 1, 1), date(year, 12, 31), report_params.Grouping.MONTH,
                                       params.agency)
    summary = reports.summary(session, user, span, now)
    compliance = compliance_report.compliance(session, user, report_params.YearParams(year, params.agency), now)
    signed_by_month = {m["month"]: m for m in compliance["months"]}
    months = [{"month": p["period"], **_figures(p, signed_by_month.get(p["period"]))} for p in summary["periods"]]

    def key(row: dict[str, Any]) -> int | None:
        return row["unit"]["id"] if row["unit"] else None

    by_unit = {key(u): u for u in summary["units"]}
    signed_by_unit = {key(u): u for u in compliance["units"]}
    units = [{"unit": (by_unit.get(k) or signed_by_unit[k])["unit"], **_figures(by_unit.get(k), signed_by_unit.get(k))}
             for k in dict.fromkeys([*by_unit, *signed_by_unit])]
    return {"agency": summary["agency"], "year": year, "from": span.start.isoformat(), "to": span.end.isoformat(),
            "as_of": summary["as_of"], "months": months, "units": units,
            "totals": _figures(summary["totals"], compliance["totals"])}
