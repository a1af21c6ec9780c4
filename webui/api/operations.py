"""The incident desk and moving cases between versions in the JSON API, as the operators'
pages offer them (engine.operations owns every rule): the incidents, one incident, a repair;
the dry run, the batch and revert."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, request
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.models import IncidentStatus, User
from engine.operations import incidents as desk
from engine.operations import migration

from ..common.context import platform, transaction
from .util import authed, body, current_user

bp = Blueprint("operations_api", __name__, url_prefix="/api/v1")


@bp.get("/incidents")
def incidents() -> Any:
    """The incidents of my agencies: open ones, or with ``?status=resolved`` those repaired."""
    status = IncidentStatus.RESOLVED if request.args.get("status") == "resolved" else IncidentStatus.OPEN
    return authed(False, lambda s, u, now: {"items": desk.listing(s, u, status)})


@bp.get("/incidents/<int:incident_id>")
def incident(incident_id: int) -> Any:
    return authed(False, lambda s, u, now: desk.detail(s, u, incident_id))


def _text(given: dict[str, Any], name: str) -> str:
    value = given.get(name, "")
    if not isinstance(value, str):
        raise InvalidData("Dữ liệu chưa hợp lệ.", {name: "Cần một chuỗi."})
    return value


def _int(given: dict[str, Any], name: str) -> int | None:
    value = given.get(name)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise InvalidData("Dữ liệu chưa hợp lệ.", {name: "Cần một số nguyên."})
    return value


def _strings(given: dict[str, Any], name: str) -> dict[str, Any]:
    value = given.get(name) or {}
    if not isinstance(value, dict):
        raise InvalidData("Dữ liệu chưa hợp lệ.", {name: "Cần một đối tượng."})
    return value


@bp.post("/incidents/<int:incident_id>/repair")
def repair(incident_id: int) -> Any:
    """``{"action": "reassign|retry|move|cancel|close", "reason", "task", "person", "target", "assign"}``."""
    given = body()
    action, reason = _text(given, "action"), _text(given, "reason")

    def run(session: Session, user: User, now: datetime) -> Any:
        desk.ensure_visible(session, user, incident_id)  # another agency's incident is not found, whatever is sent
        if action == "reassign":
            desk.reassign(session, user, incident_id, _text(given, "task"), _int(given, "person"), reason, now)
        elif action == "retry":
            assign = {str(k): v for k, v in _strings(given, "assign").items() if isinstance(v, int)}
            desk.retry(session, user, incident_id, assign, reason, now)
        elif action == "move":
            desk.move(session, user, incident_id, _text(given, "task"), _text(given, "target"), _int(given, "person"),
                      reason, now)
        elif action == "cancel":
            desk.cancel(session, user, incident_id, reason, now)
        elif action == "close":
            desk.close(session, user, incident_id, reason, now)
        else:
            raise InvalidData("Thao tác không hợp lệ.", {"action": "reassign, retry, move, cancel hoặc close."})
        return desk.detail(session, user, incident_id)

    return authed(True, run)


def _plan_args(given: dict[str, Any]) -> tuple[str, int, int, dict[str, str]]:
    source, target = _int(given, "from"), _int(given, "to")
    if source is None or target is None:
        raise InvalidData("Cần phiên bản nguồn và đích.", {"to": "Cần số phiên bản."})
    mapping = {str(k): v for k, v in _strings(given, "mapping").items() if isinstance(v, str)}
    return _text(given, "process"), source, target, mapping


@bp.post("/migrations/plan")
def plan() -> Any:
    """Chạy thử: ``{"process", "from", "to", "mapping"}`` → each running case, movable or not and why."""
    process, source, target, mapping = _plan_args(body())
    return authed(False, lambda s, u, now: {"items": [
        {"case_id": p.case_id, "title": p.title, "movable": p.movable, "tasks": p.tasks, "reasons": p.reasons}
        for p in migration.plan(s, u, process, source, target, mapping)]})


@bp.post("/migrations")
def migrate() -> Any:
    """Chuyển: the cases named (``"cases"``), or every movable one, each in its own transaction."""
    given = body()
    process, source, target, mapping = _plan_args(given)
    chosen = given.get("cases")
    with transaction(False) as (session, now):
        user = current_user(session, now)
        user_id = user.id
        if chosen is None:
            chosen = [p.case_id for p in migration.plan(session, user, process, source, target, mapping) if p.movable]
    if not isinstance(chosen, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in chosen):
        raise InvalidData("Dữ liệu chưa hợp lệ.", {"cases": "Cần danh sách mã hồ sơ."})
    moved, refused = migration.migrate_batch(platform().db, user_id, chosen, target, mapping, now)
    return {"moved": moved, "refused": {str(k): v for k, v in refused.items()}}


@bp.post("/cases/<int:case_id>/migration/revert")
def revert(case_id: int) -> Any:
    """Hoàn tác: back to the version before its last move, while no step ran since."""
    return authed(True, lambda s, u, now: {"case_id": migration.revert(s, u, case_id, now).id})
