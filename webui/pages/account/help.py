"""Help pages for the staff (hướng dẫn): how an official installs the signing software that
signs with their USB token (the agent's own package, built into static/agent by `make agent`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, request

from webui.common.pageutil import render, staff

bp = Blueprint("help_pages", __name__)
RECIPES = ("qlvb-sign-agent.cmd", "qlvb-sign-agent.desktop", "qlvb-sign-agent.service")


@bp.get("/help/sign-agent")
def sign_agent() -> Any:
    """The install guide: the package to download, the autostart files, what happens at signing."""
    folder = Path(current_app.static_folder or "") / "agent"
    wheel = next(iter(sorted(folder.glob("qlvb_sign_agent-*.whl"))), None) if folder.is_dir() else None
    recipes = [name for name in RECIPES if (folder / name).is_file()]
    with staff(write=False) as (db, user, now):
        return render("help/sign_agent.html", db, user, wheel=wheel.name if wheel else None, recipes=recipes,
                      origin=request.host_url.rstrip("/"))
