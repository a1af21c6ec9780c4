"""The files both the API and the pages send, each read with the asker's rights: a
register book printed for binding, and the compliance statistics as xlsx or PDF."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import send_file
from sqlalchemy.orm import Session

from engine import compliance_stats, register_pdf, reports
from engine.errors import InvalidData
from engine.models import User

from .apiutil import platform

EXPORT_FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "pdf": "application/pdf"}


def _fonts() -> register_pdf.Fonts:
    settings = platform().settings
    return register_pdf.Fonts(settings.pdf_font, settings.pdf_font_bold)


def printed_register(session: Session, user: User, code: str, args: Mapping[str, str], now: datetime) -> Any:
    """One register book of one year as a printable A4 landscape PDF (Decree 30 Appendix IV)."""
    printed = register_pdf.print_register(session, user, code, reports.YearParams.parse(args), _fonts(), now)
    return send_file(io.BytesIO(printed.content), mimetype="application/pdf", download_name=printed.filename)


def statistics(session: Session, user: User, fmt: str, args: Mapping[str, str], now: datetime) -> Any:
    """The compliance statistics of the period as a spreadsheet (.xlsx) or a PDF."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidData("Định dạng không hỗ trợ.", {"format": "Chọn xlsx hoặc pdf."})
    stats = compliance_stats.statistics(session, user, reports.SummaryParams.parse(args), now)
    content = (compliance_stats.to_xlsx(stats) if fmt == "xlsx"
               else compliance_stats.to_pdf(stats, _fonts(), now))
    return send_file(io.BytesIO(content), mimetype=EXPORT_FORMATS[fmt],
                     download_name=f"thong-ke-{stats['agency']['code']}-{stats['from']}-{stats['to']}.{fmt}")
