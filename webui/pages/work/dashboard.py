"""The home page (trang tổng quan): what waits for me, what is overdue, what I have to sign,
and for the register keepers the agency's documents received and issued this month, each
figure a link to the list behind it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from engine.dashboard import figures
from webui.common.pageutil import render, staff

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
def index() -> Any:
    with staff(write=False) as (db, user, now):
        return render("dashboard/index.html", db, user, found=figures.figures(db, user, now))
