"""The incident desk and moving cases between versions in the JSON API, as the operators'
pages offer them (engine.operations owns every rule): the incidents, one incident, a repair;
the dry run, the batch and revert."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.models import IncidentStatus, User
from engine.operations import incidents as desk
from engine.operations import migration
from webui.api.util import authed, current_user
from webui.common.context import platform, transaction
from webui.contract.route import api_route
from webui.contract.shapes import Body, Id, Name, Query, Text

bp = Blueprint("operations_api", __name__, url_prefix="/api/v1")

Element = Annotated[str, Field(max_length=255)]
Version = Annotated[int, Field(ge=1, le=99_999)]


class IncidentQuery(Query):
    status: Literal["open", "resolved"] = "open"


class Incidents(BaseModel):
    items: list[dict[str, Any]]


@api_route(bp, "/incidents", "GET", "Sự cố của các hồ sơ thuộc cơ quan tôi vận hành", query=IncidentQuery,
           response=Incidents, errors=(401, 403, 422))
def incidents(query: IncidentQuery) -> Any:
    """The incidents of my agencies: open ones, or those repaired."""
    status = IncidentStatus(query.status)
    return authed(False, lambda s, u, now: {"items": desk.listing(s, u, status)})


@api_route(bp, "/incidents/<int:incident_id>", "GET", "Một sự cố và những gì cần để xử lý",
           errors=(401, 403, 404))
def incident(incident_id: int) -> Any:
    return authed(False, lambda s, u, now: desk.detail(s, u, incident_id))


class Repair(Body):
    summary: ClassVar[Any] = _l("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.")
    action: Literal["reassign", "retry", "move", "cancel", "close"] | None = None
    reason: Text = ""
    task: Element = ""
    person: Id | None = None
    target: Element = ""
    assign: Annotated[dict[Element, Id], Field(max_length=50)] = {}


@api_route(bp, "/incidents/<int:incident_id>/repair", "POST",
           "Xử lý sự cố: giao lại, chạy lại, chuyển bước, hủy hồ sơ hoặc đóng", body=Repair,
           errors=(401, 403, 404, 409, 422))
def repair(incident_id: int, body: Repair) -> Any:
    """One repair, with the operator's reason; the incident afterwards."""

    def run(session: Session, user: User, now: datetime) -> Any:
        desk.ensure_visible(session, user, incident_id)  # another agency's incident is not found, whatever is sent
        if body.action == "reassign":
            desk.reassign(session, user, incident_id, body.task, body.person, body.reason, now)
        elif body.action == "retry":
            desk.retry(session, user, incident_id, dict(body.assign), body.reason, now)
        elif body.action == "move":
            desk.move(session, user, incident_id, body.task, body.target, body.person, body.reason, now)
        elif body.action == "cancel":
            desk.cancel(session, user, incident_id, body.reason, now)
        else:
            desk.close(session, user, incident_id, body.reason, now)
        return desk.detail(session, user, incident_id)

    return authed(True, run)


class Plan(Body):
    summary: ClassVar[Any] = _l("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.")
    process: Name = ""
    source: Version = Field(1, alias="from")
    target: Version = Field(1, alias="to")
    mapping: Annotated[dict[Element, Element], Field(max_length=200)] = {}


class Batch(Plan):
    cases: Annotated[list[Id], Field(max_length=10_000)] | None = None


@api_route(bp, "/migrations/plan", "POST", "Chạy thử chuyển hồ sơ đang xử lý sang phiên bản khác", body=Plan,
           errors=(401, 403, 404, 422))
def plan(body: Plan) -> Any:
    """Each running case of the process's version: movable or not, and why."""
    return authed(False, lambda s, u, now: {"items": [
        {"case_id": p.case_id, "title": p.title, "movable": p.movable, "tasks": p.tasks, "reasons": p.reasons}
        for p in migration.plan(s, u, body.process, body.source, body.target, dict(body.mapping))]})


@api_route(bp, "/migrations", "POST", "Chuyển hồ sơ sang phiên bản khác, mỗi hồ sơ một giao dịch", body=Batch,
           errors=(401, 403, 404, 422))
def migrate(body: Batch) -> Any:
    """The cases named, or every movable one; the cases moved and why each other was not."""
    with transaction(False) as (session, now):
        user = current_user(session, now)
        user_id = user.id
        chosen = body.cases if body.cases is not None else [
            p.case_id for p in migration.plan(session, user, body.process, body.source, body.target,
                                              dict(body.mapping)) if p.movable]
    moved, refused = migration.migrate_batch(platform().db, user_id, chosen, body.target, dict(body.mapping), now)
    return {"moved": moved, "refused": {str(k): v for k, v in refused.items()}}


@api_route(bp, "/cases/<int:case_id>/migration/revert", "POST",
           "Hoàn tác chuyển phiên bản khi chưa xử lý bước nào trên phiên bản mới", errors=(401, 403, 404, 409))
def revert(case_id: int) -> Any:
    return authed(True, lambda s, u, now: {"case_id": migration.revert(s, u, case_id, now).id})


