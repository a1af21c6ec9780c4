"""The site's icon: browsers ask for /favicon.ico whatever the page says; the pages name the SVG."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

bp = Blueprint("favicon", __name__)


@bp.get("/favicon.ico")
def icon() -> Response:
    response = current_app.send_static_file("favicon.svg")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
