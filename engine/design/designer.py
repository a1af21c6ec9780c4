"""Process design (thiết kế quy trình): the processes a designer may change, their versions,
the draft being edited (bản nháp), its validation and its deployment as a new version.

A draft holds the whole diagram and the forms it uses: the forms of the version it
started from, with the designer's edits. Validation is the deployment's own check
(engine.workflow.bpmn_check.check) with those forms, plus what a designer may not do: deploy a
process other than the one edited, or open it to an agency they do not design for.
Cases keep the version they started on; only new cases run a newly deployed version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.config import Settings
from engine.core.errors import Forbidden, InvalidData, NotFound, Text
from engine.design import dry_run as dry_runs
from engine.design import lane_check, process_diff
from engine.interagency import message_routes
from engine.models import Case, CaseStatus, ProcessDraft, ProcessVersion, User
from engine.org import permissions
from engine.workflow import bpmn_check, definitions, roles
from engine.workflow.bpmn_check import Definition, DefinitionRejected, Problem


@dataclass(frozen=True)
class Work:
    """What the designer posts: the diagram's XML, the forms by name, and the UI descriptions
    (order, labels, widgets) the form editor wrote for some of them, by form name."""

    xml: str
    forms: dict[str, Any]
    ui: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, body: dict[str, Any], max_bytes: int) -> Work:
        xml, forms, ui = body.get("xml"), body.get("forms", {}), body.get("ui") or {}
        if not isinstance(xml, str) or not xml.strip():
            raise InvalidData("Thiếu sơ đồ quy trình (BPMN XML).", {"xml": "Cần nội dung XML."})
        if not isinstance(forms, dict) or not all(isinstance(k, str) for k in forms):
            raise InvalidData("Biểu mẫu phải là một đối tượng JSON: tên biểu mẫu → JSON Schema.",
                              {"forms": "Cần một đối tượng JSON."})
        if not isinstance(ui, dict) or not all(isinstance(k, str) and isinstance(v, dict) for k, v in ui.items()):
            raise InvalidData("Mô tả giao diện phải là một đối tượng JSON: tên biểu mẫu → mô tả.",
                              {"ui": "Cần một đối tượng JSON."})
        if len(json.dumps([forms, ui], ensure_ascii=False).encode()) > max_bytes:
            raise InvalidData("Các biểu mẫu quá lớn.", {"forms": Text("Tối đa %(n)s MB.", n=max_bytes // 1048576)})
        return cls(xml, forms, ui)


def _latest(session: Session, process_id: str) -> ProcessVersion:
    version = session.scalars(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc()).limit(1)
    ).first()
    if version is None:
        raise NotFound(Text("Không có quy trình '%(process)s'.", process=process_id))
    return version


def designed(session: Session, user: User, process_id: str) -> ProcessVersion:
    """The newest version of a process ``user`` may design (Forbidden otherwise)."""
    version = _latest(session, process_id)
    permissions.ensure_can_design(session, user, version.agency_code)
    return version


def _running(session: Session, version_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Case.process_version_id, func.count()).where(
            Case.process_version_id.in_(version_ids), Case.status == CaseStatus.RUNNING
        ).group_by(Case.process_version_id)
    )
    return {int(v): int(n) for v, n in rows}


def processes(session: Session, user: User, page: int, per_page: int) -> dict[str, Any]:
    """The processes ``user`` may design, each with its newest version and its draft if any."""
    may = permissions.design_rule(session, user)
    allowed = [v for v in definitions.latest_versions(session) if may(v.agency_code)]
    shown = allowed[(page - 1) * per_page:page * per_page]
    ids = [v.process_id for v in shown]
    counts = dict(session.execute(
        select(ProcessVersion.process_id, func.count()).where(ProcessVersion.process_id.in_(ids))
        .group_by(ProcessVersion.process_id)
    ).all())
    drafts = set(session.scalars(select(ProcessDraft.process_id).where(ProcessDraft.process_id.in_(ids))))
    items = [{"id": v.process_id, "name": v.name, "agency": v.agency_code, "version": v.version,
              "deployed_at": v.deployed_at.isoformat(), "versions": counts.get(v.process_id, 0),
              "draft": v.process_id in drafts} for v in shown]
    return {"items": items, "total": len(allowed), "page": page, "per_page": per_page}


def versions(session: Session, user: User, process_id: str, page: int, per_page: int) -> dict[str, Any]:
    """A process's versions, newest first: when and by whom each was deployed, its content
    hash and how many cases still run on it."""
    latest = designed(session, user, process_id)
    rows = session.execute(
        select(ProcessVersion, User.full_name).outerjoin(User, User.id == ProcessVersion.deployed_by)
        .where(ProcessVersion.process_id == process_id).order_by(ProcessVersion.version.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    running = _running(session, [v.id for v, _ in rows])
    items = [{"version": v.version, "deployed_at": v.deployed_at.isoformat(), "deployed_by": who,
              "hash": v.content_hash[:12], "running": running.get(v.id, 0)} for v, who in rows]
    draft = session.get(ProcessDraft, process_id)
    return {"process": {"id": latest.process_id, "name": latest.name, "agency": latest.agency_code,
                        "version": latest.version},
            "items": items, "total": latest.version, "page": page, "per_page": per_page,
            "draft": _draft_view(session, draft)}


def _draft_view(session: Session, draft: ProcessDraft | None) -> dict[str, Any] | None:
    if draft is None:
        return None
    author = session.get(User, draft.saved_by)
    base = session.get(ProcessVersion, draft.base_version_id)
    return {"saved_at": draft.saved_at.isoformat(), "saved_by": author.full_name if author else "",
            "base_version": base.version if base else None}


def work(session: Session, user: User, process_id: str) -> dict[str, Any]:
    """What the modeler opens: the draft if one was saved, else the newest version."""
    latest = designed(session, user, process_id)
    draft = session.get(ProcessDraft, process_id)
    source = draft or latest
    return {"process": latest.process_id, "name": latest.name, "version": latest.version,
            "xml": source.bpmn_xml, "forms": json.loads(source.forms_json), "ui": json.loads(source.ui_json or "{}"),
            "draft": _draft_view(session, draft)}


def _designer_problems(session: Session, user: User, process_id: str, definition: Definition) -> list[Problem]:
    found = []
    if [p.id for p in definition.processes] != [process_id]:
        found.append(Problem(None, f"sơ đồ phải chứa đúng một quy trình, có mã '{process_id}' "
                                   "(mã quy trình không đổi được trong trình thiết kế)"))
    for entry in definition.processes:
        try:
            permissions.ensure_can_design(session, user, entry.agency_code)
        except Forbidden:
            whose = entry.agency_code or "mọi cơ quan"
            found.append(Problem(entry.id, f"bạn không thiết kế quy trình cho cơ quan '{whose}'"))
    return found


def check(session: Session, user: User, process_id: str, given: Work, settings: Settings) -> Definition:
    """The posted diagram and forms checked as a deployment would check them."""
    designed(session, user, process_id)
    definition = bpmn_check.check(given.xml.encode("utf-8"), f"{process_id}.bpmn", settings.forms_dir,
                                   settings.max_bpmn_bytes, forms=given.forms)
    definition.ui = {ref: ui for ref, ui in sorted(given.ui.items()) if ref in definition.forms}
    if definition.processes:
        definition.problems.extend(_designer_problems(session, user, process_id, definition))
        definition.problems.extend(message_routes.problems(session, definition))
        definition.problems.extend(lane_check.problems(session, definition))
    return definition


def save_draft(session: Session, user: User, process_id: str, given: Work, settings: Settings,
               now: datetime) -> list[Problem]:
    """Keep the work without deploying it, problems and all (they are returned, to be shown);
    only what is not XML at all, or too large, is refused."""
    latest = designed(session, user, process_id)
    unreadable = bpmn_check.unreadable(given.xml.encode("utf-8"), settings.max_bpmn_bytes)
    if unreadable:
        raise DefinitionRejected(unreadable)
    for name, schema in given.forms.items():
        if (problem := bpmn_check.form_problem(name, schema)) is not None:
            raise DefinitionRejected([Problem(None, problem)])
    draft = session.get(ProcessDraft, process_id)
    if draft is None:
        draft = ProcessDraft(process_id=process_id, base_version_id=latest.id)
        session.add(draft)
    draft.bpmn_xml = given.xml
    draft.forms_json = json.dumps(given.forms, ensure_ascii=False, sort_keys=True)
    draft.ui_json = json.dumps(given.ui, ensure_ascii=False, sort_keys=True)
    draft.saved_at, draft.saved_by = now, user.id
    audit.append(session, at=now, action="process_draft_saved", actor_id=user.id,
                 payload={"process": process_id, "base_version": latest.version, "bytes": len(given.xml.encode())})
    return check(session, user, process_id, given, settings).problems


def discard_draft(session: Session, user: User, process_id: str, now: datetime) -> None:
    designed(session, user, process_id)
    draft = session.get(ProcessDraft, process_id)
    if draft is None:
        raise NotFound("Quy trình này không có bản nháp.")
    session.delete(draft)
    audit.append(session, at=now, action="process_draft_discarded", actor_id=user.id, payload={"process": process_id})


def impact(session: Session, user: User, process_id: str, given: Work) -> dict[str, Any]:
    """What deploying ``given`` would change (tác động): the changes since the running
    version, and the cases still running on it and on older versions, which keep their
    version while every new case takes the new one."""
    latest = designed(session, user, process_id)
    changes = process_diff.diff(latest.bpmn_xml, json.loads(latest.forms_json), given.xml, given.forms)
    ids = dict(session.execute(select(ProcessVersion.id, ProcessVersion.version)
                               .where(ProcessVersion.process_id == process_id)).all())
    running = {ids[v]: n for v, n in _running(session, list(ids)).items()}
    # A UI description changed is a change of its form's look, named as the file it replaces.
    deployed_ui = json.loads(latest.ui_json or "{}")
    looks = [{"name": ref.removesuffix(".schema.json") + ".ui.json", "change": "changed"}
             for ref in sorted(set(deployed_ui) | set(given.ui)) if deployed_ui.get(ref) != given.ui.get(ref)]
    return {"version": latest.version, "unchanged": changes.empty and not looks,
            "elements": [{"id": c.id, "change": c.change, "type": c.type, "name": c.name, "old_name": c.old_name}
                         for c in changes.elements],
            "forms": [{"name": f.name, "change": f.change} for f in changes.forms] + looks,
            "running": [{"version": v, "cases": n} for v, n in sorted(running.items(), reverse=True)],
            "running_total": sum(running.values())}


def deploy(session: Session, user: User, process_id: str, given: Work, settings: Settings,
           now: datetime, confirmed: bool = False) -> tuple[ProcessVersion, bool]:
    """Deploy the posted work as the process's next version (DefinitionRejected with every
    problem if it cannot run); unchanged content keeps the current version. The draft,
    now deployed, is gone. Only once the designer has seen the impact and confirmed it."""
    definition = check(session, user, process_id, given, settings)
    if definition.problems:
        raise DefinitionRejected(definition.problems)
    if not confirmed:
        raise InvalidData("Cần xác nhận triển khai sau khi xem tác động của phiên bản mới.",
                          {"confirm": "Chưa xác nhận."})
    (version, created), = definitions.deploy(session, definition, now, user.id)
    draft = session.get(ProcessDraft, process_id)
    if draft is not None:
        session.delete(draft)
    audit.append(session, at=now, action="process_deployed", actor_id=user.id,
                 payload={"process": process_id, "version": version.version, "created": created,
                          "content_hash": version.content_hash})
    return version, created


def _version(session: Session, process_id: str, number: int) -> ProcessVersion:
    found = session.scalars(select(ProcessVersion).where(
        ProcessVersion.process_id == process_id, ProcessVersion.version == number)).first()
    if found is None:
        raise NotFound(Text("Quy trình '%(process)s' không có phiên bản %(number)s.",
                            process=process_id, number=number))
    return found


def compare(session: Session, user: User, process_id: str, old: int, new: int) -> process_diff.VersionDiff:
    """What changed from version ``old`` to version ``new``."""
    designed(session, user, process_id)
    before, after = _version(session, process_id, old), _version(session, process_id, new)
    return process_diff.diff(before.bpmn_xml, json.loads(before.forms_json),
                             after.bpmn_xml, json.loads(after.forms_json))


def version_xml(session: Session, user: User, process_id: str, number: int) -> str:
    designed(session, user, process_id)
    return _version(session, process_id, number).bpmn_xml


def lane_preview(session: Session, user: User, process_id: str, given: Work, settings: Settings,
                 expression: str) -> list[lane_check.LanePreview]:
    """Who a lane expression being typed names, per agency the posted diagram is deployed for
    (InvalidData with the grammar's message when it cannot be read)."""
    try:
        roles.parse(expression)
    except roles.RoleSyntaxError as err:
        raise InvalidData(Text("Biểu thức vai trò chưa đúng: %(err)s", err=str(err)),
                          {"expression": str(err)}) from None
    definition = check(session, user, process_id, given, settings)
    return lane_check.previews(session, definition, [("preview", expression)])


def dry_run(session: Session, user: User, process_id: str, given: Work, settings: Settings, initiator: str,
            data: dict[str, Any], answers: dict[str, list[dict[str, Any]]], now: datetime,
            every: bool = False) -> dry_runs.DryRun | dry_runs.Paths:
    """The posted work run in memory (engine.design.dry_run), once it would deploy: one run of
    the answers given, or with ``every`` each path they leave open."""
    definition = check(session, user, process_id, given, settings)
    if definition.problems:
        raise DefinitionRejected(definition.problems)
    if every:
        return dry_runs.explore(session, definition, process_id, initiator, data, answers, now)
    return dry_runs.run(session, definition, process_id, initiator, data, answers, now)
