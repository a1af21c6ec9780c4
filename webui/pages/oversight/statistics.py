"""Compliance statistics (thống kê tuân thủ) in the pages, for the agency's register
keepers: per unit and per person, by month, quarter or year — on time, late, still
open, issued without a valid digital signature, the share handled electronically — as
a table and a chart, and as the spreadsheet and PDF of engine.reporting.compliance_stats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, request

from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData
from engine.reporting import compliance_stats, report_params, reports
from webui.common import exports, labels
from webui.common.pageutil import render, staff

bp = Blueprint("statistics", __name__)
GROUPS = ("month", "quarter", "year")
CHARTED = ("on_time", "late", "open")


def _wanted(args: Mapping[str, str], today: Any) -> dict[str, str]:
    """The query with its defaults: this year so far, by month."""
    wanted = {"from": f"{today.year}-01-01", "to": today.isoformat(), "group": "month"}
    wanted.update({k: v for k, v in args.items() if v})
    return wanted


def _chart(stats: dict[str, Any]) -> dict[str, Any]:
    """The agency's hand-overs of each period (the sum of its units'), for the chart."""
    series = []
    for measure in CHARTED:
        values = [sum(unit["periods"][i][measure] for unit in stats["units"]) for i in range(len(stats["periods"]))]
        series.append({"measure": measure, "title": str(labels.COMPLIANCE[measure]), "values": values})
    return {"labels": [labels.period(p) for p in stats["periods"]], "series": series}


@bp.get("/statistics")
def index() -> Any:
    """The figures of the period asked for; a period refused comes back with its message
    beside the field."""
    with staff(write=False) as (db, user, now):
        wanted = _wanted(request.args, now.astimezone(VIETNAM).date())
        try:
            # Whether the reader keeps an agency's registers first: others get 403 whatever they asked.
            reports.keeper_agency(db, user, wanted.get("agency"))
            stats = compliance_stats.statistics(db, user, report_params.SummaryParams.parse(wanted), now)
        except InvalidData as refused:
            return render("statistics/index.html", db, user, 422, wanted=wanted, groups=GROUPS, stats=None,
                          agencies=compliance_stats.agencies(db, user), errors=refused.fields, error=refused.message)
        return render("statistics/index.html", db, user, wanted=wanted, groups=GROUPS, stats=stats, errors={},
                      agencies=compliance_stats.agencies(db, user), error=None, chart=_chart(stats))


@bp.get("/statistics.<fmt>")
def export(fmt: str) -> Any:
    """The same figures as a spreadsheet (.xlsx) or a PDF."""
    with staff(write=False) as (db, user, now):
        return exports.statistics(db, user, fmt, _wanted(request.args, now.astimezone(VIETNAM).date()), now)
