"""The files both the API and the pages send, each made with the asker's rights: a register
book printed for binding, a record as PDF or XML, the compliance statistics as xlsx or PDF, and a
document's printout (bản in). What is printed carries its printout's mark (engine.printouts)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from flask import jsonify, url_for
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.documents.storage import FileStore
from engine.models import User
from engine.office import record_pdf, records
from engine.printouts import marks, printing, stamping
from engine.registry import register_pdf
from engine.reporting import compliance_stats, report_params
from engine.reporting.exports import Export
from engine.signatures import verification as longterm_verification

from . import downloads
from .context import platform


def fonts() -> register_pdf.Fonts:
    settings = platform().settings
    return register_pdf.Fonts(settings.pdf_font, settings.pdf_font_bold)


def stamper(user: User, now: datetime) -> marks.Stamper:
    """Marks for ``user``'s printouts; their codes point to QLVB_PUBLIC_URL's lookup page, else
    to this server's as the request reached it."""
    return marks.stamper(platform().db, user.id, _lookup_url(), now)


def _lookup_url() -> Callable[[str], str]:
    base = platform().settings.public_url

    def lookup_url(code: str) -> str:
        return f"{base}{url_for('lookup.show', code=code)}" if base else url_for("lookup.show", code=code,
                                                                                   _external=True)
    return lookup_url


def send(exported: Export) -> Any:
    return downloads.send(io.BytesIO(exported.content), exported.filename, exported.media_type, attachment=True)


def printed_register(session: Session, user: User, code: str, args: Mapping[str, str], now: datetime) -> Any:
    """One register book of one year as a printable A4 landscape PDF (Decree 30 Appendix IV)."""
    printed = register_pdf.print_register(session, user, code, report_params.YearParams.parse(args), fonts(), now,
                                          stamper(user, now))
    return downloads.send(io.BytesIO(printed.content), printed.filename, "application/pdf")


def statistics(session: Session, user: User, fmt: str, args: Mapping[str, str], now: datetime) -> Any:
    """The compliance statistics of the period as a spreadsheet (.xlsx) or a PDF."""
    stats = compliance_stats.statistics(session, user, report_params.SummaryParams.parse(args), now)
    return send(compliance_stats.export(stats, fmt, fonts(), now, stamper(user, now)))


# A transaction with the asking person: the page's (pageutil.staff) or the API's
Asking = Callable[[bool], AbstractContextManager[tuple[Session, User, datetime]]]


def record(asking: Asking, record_id: int, fmt: str) -> Any:
    """A record as one PDF (the list of its documents, then the documents), a printout with its
    mark on every page, or as XML of its metadata; either export is audited. The PDF is read,
    recorded and drawn in three phases: qpdf runs with no transaction open."""
    if fmt == "xml":
        with asking(True) as (session, user, now):
            return send(records.export_xml(session, user, record_id, now))
    if fmt != "pdf":
        raise InvalidData("Định dạng không hỗ trợ.", {"format": "Chọn pdf hoặc xml."})
    with asking(False) as (session, user, now):
        planned = record_pdf.plan(session, FileStore(platform().settings.files_dir), user, record_id, now)
    with asking(True) as (session, user, now):
        mark = record_pdf.issue(session, user, planned, _lookup_url(), now)
    return send(record_pdf.make(planned, mark, fonts(), now))


def printout(session: Session, user: User, document_id: int, now: datetime) -> Any:
    """Bản in: the document's main file with its printout's mark on every page, made after the
    mark's own short transaction."""
    found = printing.document(session, FileStore(platform().settings.files_dir), user, document_id, now)
    mark = stamper(user, now)(found.agency_id, "document", found.title, found.document_id)
    content = stamping.printout(found.path, mark, platform().settings.pdf_font)
    return downloads.send(io.BytesIO(content), found.filename, "application/pdf")


def verification(result: dict[str, Any], fmt: str | None, now: datetime) -> Any:
    """The verification report as JSON, or as the printable page "Kết quả xác thực chữ ký số"."""
    if fmt == "pdf":
        chosen = fonts()
        content = longterm_verification.to_pdf(result, chosen.regular, chosen.bold, now)
        return downloads.send(io.BytesIO(content), f"xac-thuc-chu-ky-so-{result['document']['id']}.pdf",
                              "application/pdf")
    if fmt not in (None, "json"):
        raise InvalidData("Định dạng không hỗ trợ.", {"format": "Chọn json hoặc pdf."})
    return jsonify(result)
