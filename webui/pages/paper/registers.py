"""The register books (sổ đăng ký văn bản) for their keepers: the books of a year, a book's
entries with filters and pages, printable from the browser and as the PDF for binding."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from engine.core.errors import InvalidData
from engine.documents import doctypes
from engine.org import permissions
from engine.registry import register_views
from webui.common import exports
from webui.common.pageutil import PER_PAGE, filters, page_number, render, staff

bp = Blueprint("register_pages", __name__)
YEAR_FILTERS = ("year", "agency")
ENTRY_FILTERS = (*YEAR_FILTERS, "from", "to", "doc_type", "q")


@bp.get("/registers")
def index() -> Any:
    """The books of my agencies I may read, with their entries in the year asked for."""
    wanted = filters(request.args, YEAR_FILTERS)
    with staff(write=False) as (db, user, now):
        permissions.ensure_register_keeper(db, user)
        try:
            found, refused = register_views.books(db, user, wanted.get("year"), wanted.get("agency"), now), None
        except InvalidData as error:
            found, refused = None, error
        return render("registers/index.html", db, user, 422 if refused else 200, found=found, wanted=wanted,
                      refused=refused, errors=refused.fields if refused else {})


@bp.get("/registers/<code>")
def book(code: str) -> Any:
    """One page of a book's entries in number order, narrowed by the filters; a refused
    filter comes back beside its field, with what was typed."""
    wanted = filters(request.args, ENTRY_FILTERS)
    with staff(write=False) as (db, user, now):
        permissions.ensure_register_keeper(db, user)
        try:
            narrow = register_views.EntryFilter.parse(wanted)
            found = register_views.entries(db, user, code, wanted.get("year"), wanted.get("agency"),
                                           page_number(request.args), PER_PAGE, now, narrow)
            refused = None
        except InvalidData as error:
            found, refused = None, error
        return render("registers/book.html", db, user, 422 if refused else 200, code=code, found=found,
                      wanted=wanted, refused=refused, errors=refused.fields if refused else {},
                      doc_types=doctypes.DOC_TYPES)


@bp.get("/registers/<code>/print.pdf")
def print_pdf(code: str) -> Any:
    """The book of the year as the A4 landscape PDF printed for binding (in sổ)."""
    with staff(write=False) as (db, user, now):
        return exports.printed_register(db, user, code, filters(request.args, YEAR_FILTERS), now)
