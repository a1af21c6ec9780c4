"""Registers (sổ đăng ký văn bản) in the JSON API: the books and their yearly entries."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from engine.registry import register_views

from .util import authed, page_args

bp = Blueprint("registers", __name__, url_prefix="/api/v1/registers")


@bp.get("")
def books() -> Any:
    """The register books I may read in my agencies, with their entries in ``year``."""
    year, agency = request.args.get("year"), request.args.get("agency")
    return authed(False, lambda s, u, now: register_views.books(s, u, year, agency, now))


@bp.get("/<code>")
def entries(code: str) -> Any:
    """A book's entries for ``year`` in number order, with the Decree 30 Appendix IV columns;
    narrowed by ``from`` and ``to`` (register dates), ``doc_type`` and the words of ``q``."""
    page, per_page = page_args()
    year, agency = request.args.get("year"), request.args.get("agency")
    narrow = register_views.EntryFilter.parse(request.args)
    return authed(False, lambda s, u, now: register_views.entries(s, u, code, year, agency, page, per_page, now,
                                                                  narrow))
