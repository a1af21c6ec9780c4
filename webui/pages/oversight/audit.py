"""The auditor's pages (kiểm tra viên): find a case of their agencies, read its audit (timeline,
chain, replay, signatures, the path on its diagram step by step) and take its audit dossier."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, request

from engine.audit import auditing, dossier
from engine.core.errors import InvalidData
from engine.signatures import signatures
from webui.common import downloads
from webui.common.context import signing_desk
from webui.common.pageutil import PER_PAGE, page_number, render, staff

bp = Blueprint("audit", __name__)


@bp.get("/audit/cases")
def search() -> Any:
    """Tìm hồ sơ: the search form and one page of the cases found; a bad condition is shown
    beside its field, with what was typed kept."""
    args = request.args.to_dict()
    try:
        wanted = auditing.CaseSearch.parse(args)
        page = page_number(args)
    except InvalidData as refused:
        with staff(write=False) as (db, user, _now):
            auditing.audited_agencies(db, user)  # an auditor, before any message about the form
            return render("audit/search.html", db, user, 422, found=None, args=args, errors=refused.fields,
                          error=refused.message)
    with staff(write=False) as (db, user, _now):
        found = auditing.find_cases(db, user, wanted, page, PER_PAGE)
        return render("audit/search.html", db, user, found=found, args=args, errors={}, error=None)


@bp.get("/audit/cases/<int:case_id>")
def case(case_id: int) -> Any:
    """One case's audit, with its diagram stepped through event by event."""
    desk = signing_desk(signatures.Credentials())
    with staff(write=False) as (db, user, now):
        page = auditing.case_audit(db, user, case_id, desk.store, desk.keys, now)
        return render("audit/case.html", db, user, page=page)


@bp.post("/audit/cases/<int:case_id>/dossier")
def export(case_id: int) -> Any:
    """Hồ sơ kiểm tra: the ZIP of the case's log and files; the export is logged."""
    desk = signing_desk(signatures.Credentials())
    with staff(write=True) as (db, user, now):
        filename, content = dossier.export(db, user, case_id, desk.store, now)
    return downloads.send(io.BytesIO(content), filename, "application/zip", attachment=True)
