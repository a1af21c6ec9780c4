"""The operators' pages (vận hành): the incident desk — the open incidents of their agencies'
cases, one incident with its repairs (reassign, retry, move, cancel, close) — and moving a
process's running cases to a newer version (dry run, batch, revert). engine.operations owns
every rule; a refused repair comes back on the page with its reason."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext

from engine.core.errors import InvalidData
from engine.models import IncidentStatus
from engine.operations import incidents as desk
from engine.operations import migration

from ...common.context import platform
from ...common.pageutil import render, safe_next, staff

bp = Blueprint("operations", __name__)


@bp.get("/operations/incidents")
def incidents() -> Any:
    """Bàn xử lý sự cố: the open incidents (or, with ``?status=resolved``, those repaired)."""
    status = IncidentStatus.RESOLVED if request.args.get("status") == "resolved" else IncidentStatus.OPEN
    with staff(write=False) as (db, user, _now):
        return render("operations/incidents.html", db, user, found=desk.listing(db, user, status),
                      shown=status.value)


def _incident_page(incident_id: int, status: int = 200, error: str | None = None,
                   errors: dict[str, str] | None = None) -> Any:
    with staff(write=False) as (db, user, _now):
        page = desk.detail(db, user, incident_id)
        return render("operations/incident.html", db, user, status, incident=page, error=error, errors=errors or {},
                      values=request.form)


@bp.get("/operations/incidents/<int:incident_id>")
def incident(incident_id: int) -> Any:
    return _incident_page(incident_id)


def _person(name: str = "person") -> int | None:
    raw = request.form.get(name, "").strip()
    if raw and not raw.isdigit():
        raise InvalidData("Người được chọn không hợp lệ.", {name: "Chọn một người trong danh sách."})
    return int(raw) if raw else None


@bp.post("/operations/incidents/<int:incident_id>")
def repair(incident_id: int) -> Any:
    """One repair of the incident, as its form's ``action`` asks, in the request's transaction."""
    form = request.form
    action = form.get("action", "")
    reason = form.get("reason", "")
    try:
        with staff(write=True) as (db, user, now):
            if action == "reassign":
                desk.reassign(db, user, incident_id, form.get("task", ""), _person(), reason, now)
            elif action == "retry":
                assign = {key.removeprefix("assign-"): _person(key) for key in form if key.startswith("assign-")}
                desk.retry(db, user, incident_id, {k: v for k, v in assign.items() if v}, reason, now)
            elif action == "move":
                desk.move(db, user, incident_id, form.get("task", ""), form.get("target", ""), _person(),
                               reason, now)
            elif action == "cancel":
                desk.cancel(db, user, incident_id, reason, now)
            elif action == "close":
                desk.close(db, user, incident_id, reason, now)
            else:
                raise InvalidData("Thao tác không hợp lệ.")
    except InvalidData as refused:
        return _incident_page(incident_id, 422, refused.message, refused.fields)
    flash(gettext("Đã xử lý sự cố."), "success")
    return redirect("/operations/incidents")


def _mapping(args: Any) -> dict[str, str]:
    return {key.removeprefix("map-"): value for key, value in args.items() if key.startswith("map-") and value}


def _version_arg(args: Any, name: str) -> int | None:
    raw = args.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 6 else None


@bp.get("/operations/migrations")
def migrations() -> Any:
    """Chuyển phiên bản: a process's versions; with ``from`` and ``to``, the mapping form and the
    dry run of every running case."""
    args = request.args
    process_id = args.get("process", "").strip()[:64]
    source, target = _version_arg(args, "from"), _version_arg(args, "to")
    with staff(write=False) as (db, user, _now):
        found = migration.versions(db, user, process_id) if process_id else []
        plan, options, error, moved = None, None, None, []
        if process_id and source and target:
            try:
                options = migration.choices(db, user, process_id, source, target)
                plan = migration.plan(db, user, process_id, source, target, _mapping(args))
                moved = migration.revertible(db, user, process_id, target)
            except InvalidData as refused:
                error = refused.message + " " + "; ".join(refused.fields.values())
        return render("operations/migrations.html", db, user, 422 if error else 200, process=process_id,
                      versions=found, source=source, target=target, plan=plan, options=options,
                      mapping=_mapping(args), error=error, moved=moved)


@bp.post("/operations/migrations")
def migrate() -> Any:
    """Move the chosen cases, each in a transaction of its own."""
    form = request.form
    target = _version_arg(form, "to")
    ids = [int(v) for v in form.getlist("case") if v.isdigit() and len(v) < 10]
    with staff(write=False) as (_db, user, now):
        user_id = user.id
    if target is None or not ids:
        flash(gettext("Chọn phiên bản đích và ít nhất một hồ sơ."), "error")
        return redirect(safe_next(form.get("next"), "/operations/migrations"))
    moved, refused = migration.migrate_batch(platform().db, user_id, ids, target, _mapping(form), now)
    flash(gettext("Đã chuyển %(moved)s hồ sơ sang phiên bản %(version)s.", moved=len(moved), version=target),
          "success")
    for case_id, why in refused.items():
        flash(gettext("Hồ sơ %(case)s: %(why)s", case=case_id, why=why), "error")
    return redirect(f"/operations/migrations?process={form.get('process', '')}&from={form.get('from', '')}"
                    f"&to={target}")


@bp.post("/operations/migrations/cases/<int:case_id>/revert")
def revert(case_id: int) -> Any:
    """Hoàn tác: the case back on the version it ran on before, while no step ran since."""
    with staff(write=True) as (db, user, now):
        migration.revert(db, user, case_id, now)
    flash(gettext("Đã đưa hồ sơ %(case)s về phiên bản trước.", case=case_id), "success")
    return redirect(safe_next(request.form.get("next"), "/operations/migrations"))
