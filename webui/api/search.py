"""Document search in the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from engine.documents import search as document_search

from .util import authed, page_args

bp = Blueprint("search", __name__, url_prefix="/api/v1/search")


@bp.get("")
def search() -> Any:
    """Documents I may see whose summary, number, issuer or text hold every term of ``q``."""
    page, per_page = page_args()
    query = document_search.parse(request.args)
    return authed(False, lambda s, u, now: document_search.search(s, u, query, page, per_page, now))
