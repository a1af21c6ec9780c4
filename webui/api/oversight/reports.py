"""Reports and printed registers in the JSON API, for the agency's register keepers."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from pydantic import Field

from engine.reporting import compliance_report, compliance_stats, report_params, reports
from webui.api.oversight.report_shapes import ComplianceReport, DailyIncoming, SummaryReport
from webui.api.util import authed, current_user
from webui.common import exports
from webui.common.context import transaction
from webui.contract.route import api_route
from webui.contract.shapes import Code, DateText, Query, Year

bp = Blueprint("reports", __name__, url_prefix="/api/v1")
AGENCY = "Mã cơ quan; bỏ trống nếu bạn chỉ giữ sổ của một cơ quan"


class ReportQuery(Query):
    """The services refuse parameters they do not know, naming them."""

    summary: ClassVar[Any] = _l("Tham số không hợp lệ.")
    agency: Code | None = Field(None, description=AGENCY)


class PeriodQuery(ReportQuery):
    from_: DateText = Field(alias="from", description="Từ ngày (giờ Việt Nam)")
    to: DateText = Field(description="Đến ngày")
    group: Literal["day", "month", "quarter", "year"] = "month"


class DayQuery(ReportQuery):
    date: DateText | None = Field(None, description="Ngày đến; mặc định hôm nay")


class YearQuery(ReportQuery):
    messages: ClassVar[dict[str, Any]] = {"year": _l("Năm phải là số từ 1900 đến 2100.")}
    year: Year | None = Field(None, description="Năm; mặc định năm nay")


class Export(Query):
    fmt: Literal["xlsx", "pdf"]


class Book(Query):
    code: Code = Field(examples=["incoming", "outgoing", "incoming_secret", "outgoing_secret"])


@api_route(bp, "/reports/summary", "GET",
           "Báo cáo số văn bản đến, đi, đã xử lý, chưa xử lý, quá hạn theo đơn vị và kỳ", query=PeriodQuery,
           response=SummaryReport, errors=(401, 403))
def summary(query: PeriodQuery) -> Any:
    """Incoming, outgoing, processed, unprocessed and overdue documents by unit and period."""
    params = report_params.SummaryParams.parse(request.args)
    return authed(False, lambda s, u, now: reports.summary(s, u, params, now))


@api_route(bp, "/reports/daily-incoming", "GET", "Danh sách văn bản đến trong ngày để các đơn vị ký nhận",
           query=DayQuery, response=DailyIncoming, errors=(401, 403))
def daily_incoming(query: DayQuery) -> Any:
    """The incoming documents of one day with their receiving units (sổ ký nhận)."""
    params = report_params.DailyParams.parse(request.args)
    return authed(False, lambda s, u, now: reports.daily_incoming(s, u, params, now))


@api_route(bp, "/reports/compliance", "GET", "Văn bản đi phát hành không có chữ ký số hợp lệ, theo tháng và đơn vị",
           query=YearQuery, response=ComplianceReport, errors=(401, 403))
def compliance(query: YearQuery) -> Any:
    """Outgoing documents issued without a valid digital signature, by month and unit."""
    params = report_params.YearParams.parse(request.args)
    return authed(False, lambda s, u, now: compliance_report.compliance(s, u, params, now))


@api_route(bp, "/registers/<code>/print", "GET",
           "In sổ đăng ký văn bản đi/đến của một năm (PDF khổ A4 ngang, Phụ lục IV Nghị định 30)", path=Book,
           query=YearQuery, media=("application/pdf",), errors=(401, 403, 404))
def print_register(code: str, query: YearQuery) -> Any:
    """One register book of one year as a printable A4 landscape PDF (Decree 30 Appendix IV)."""
    with transaction(False) as (session, now):
        return exports.printed_register(session, current_user(session, now), code, request.args, now)


@api_route(bp, "/reports/statistics", "GET", "Thống kê tuân thủ theo đơn vị và cá nhân", query=PeriodQuery,
           errors=(401, 403))
def statistics(query: PeriodQuery) -> Any:
    """Compliance per unit and per person: on time, late, open; unsigned issuance; share electronic."""
    params = report_params.SummaryParams.parse(request.args)
    return authed(False, lambda s, u, now: compliance_stats.statistics(s, u, params, now))


@api_route(bp, "/reports/statistics.<fmt>", "GET", "Xuất thống kê tuân thủ (.xlsx hoặc PDF)", path=Export,
           query=PeriodQuery, media=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                         "application/pdf"), errors=(401, 403))
def statistics_export(fmt: str, query: PeriodQuery) -> Any:
    """The same figures as a spreadsheet (.xlsx) or a PDF."""
    with transaction(False) as (session, now):
        return exports.statistics(session, current_user(session, now), fmt, request.args, now)
