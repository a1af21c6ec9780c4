"""Tra cứu bản in: the public page a printout's QR code opens (no login). It says whether what
the paper was printed from exists, its number, date, issuer and signature status, and nothing
else; an unknown code shows nothing but that it is unknown."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from engine.printouts import lookup
from engine.printouts.marks import grouped, normalized
from webui.common.context import transaction

bp = Blueprint("lookup", __name__)


@bp.get("/tra-cuu")
def form() -> Any:
    """The code typed from the paper (?ma=), sent on to its page."""
    typed = request.args.get("ma", "")[:64]
    if typed.strip():
        code = normalized(typed)
        if code is not None:
            return redirect(url_for("lookup.show", code=code))
        return render_template("lookup/printout.html", typed=typed, found=None, asked=True), 404
    return render_template("lookup/printout.html", typed="", found=None, asked=False)


@bp.get("/tra-cuu/<code>")
def show(code: str) -> Any:
    """What the printout with ``code`` was printed from."""
    with transaction(False) as (db, _now):
        found = lookup.find(db, code[:64])
    typed = grouped(normalized(code[:64]) or code[:64])
    return render_template("lookup/printout.html", typed=typed, found=found, asked=True), 200 if found else 404
