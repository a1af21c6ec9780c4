"""The document search page (tìm kiếm văn bản) over engine.documents.search: words with or without
diacritics, filters by direction, year and type; each hit links to its document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from engine.core.errors import InvalidData
from engine.documents import doctypes, search
from webui.common.pageutil import PER_PAGE, filters, page_number, render, staff

bp = Blueprint("search_pages", __name__)
FILTERS = ("q", "direction", "year", "doc_type")


@bp.get("/search")
def index() -> Any:
    """The search form; with ``q``, one page of the documents I may see that match. A
    refused filter comes back beside its field, with what was typed."""
    wanted = filters(request.args, FILTERS)
    found, errors, status = None, {}, 200
    with staff(write=False) as (db, user, now):
        if wanted:
            try:
                found = search.search(db, user, search.parse(wanted), page_number(request.args), PER_PAGE, now)
            except InvalidData as refused:
                errors, status = refused.fields, 422
        return render("search/index.html", db, user, status, found=found, wanted=wanted, errors=errors,
                      doc_types=doctypes.DOC_TYPES, max_chars=search.MAX_QUERY_CHARS)
