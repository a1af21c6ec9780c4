"""The case page (hồ sơ công việc): where a case stands, for those who follow it or took
part in it, with its document, work tree and history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from engine.office import conversations, workspace
from webui.common.pageutil import render, staff

bp = Blueprint("cases", __name__)


@bp.get("/cases/<int:case_id>")
def show(case_id: int) -> Any:
    """One case: its status, who holds it now, its document, the messages about it in my
    conversations, and its history."""
    with staff(write=False) as (db, user, now):
        return render("cases/case.html", db, user, page=workspace.case(db, user, case_id, now),
                      messages=conversations.about_case(db, user, case_id, now))
