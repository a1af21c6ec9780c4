"""The reports page (báo cáo) for the register keepers: one year's figures by month and by
unit as tables and charts, with links to the compliance statistics as xlsx or PDF."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from engine.core.errors import InvalidData
from engine.org import permissions
from engine.reporting import report_overview, report_params
from webui.common import labels
from webui.common.pageutil import filters, render, staff

bp = Blueprint("report_pages", __name__)


def chart_data(found: dict[str, Any]) -> dict[str, Any]:
    """The figures as the page's script draws them: one series per measure, by month and by unit."""
    def series(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"key": m, "title": str(labels.REPORT_MEASURES[m]), "values": [r[m] for r in rows]}
                for m in report_overview.MEASURES]

    units = [r["unit"]["name"] if r["unit"] else str(labels.NO_UNIT) for r in found["units"]]
    months = [labels.period(r["month"]) for r in found["months"]]
    return {"months": {"labels": months, "series": series(found["months"])},
            "units": {"labels": units, "series": series(found["units"])}}


@bp.get("/reports")
def index() -> Any:
    """Processed, overdue and issued without a valid signature, by month and unit, for a year."""
    wanted = filters(request.args, ("year", "agency"))
    with staff(write=False) as (db, user, now):
        permissions.ensure_register_keeper(db, user)
        try:
            found = report_overview.overview(db, user, report_params.YearParams.parse(wanted), now)
            refused = None
        except InvalidData as error:
            found, refused = None, error
        return render("reports/index.html", db, user, 422 if refused else 200, found=found, wanted=wanted,
                      refused=refused, errors=refused.fields if refused else {},
                      measures=report_overview.MEASURES, chart=chart_data(found) if found else None)
