"""The process designer's pages (thiết kế quy trình): the processes they may change with their
versions, the bpmn-js modeler with save (draft), validate and deploy, the comparison of two
versions and the live preview of a task's form. Only designers of the process's agency
get past engine.design.designer's checks."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData, localized
from engine.design import designer
from engine.design import dry_run as dry_runs
from engine.design import heatmap as heatmaps
from engine.models import Agency, User
from engine.office import workspace
from engine.org.permissions import agency_codes
from engine.workflow.actions import ACTIONS
from engine.workflow.bpmn_check import DefinitionRejected, Problem, form_problem
from webui.common import labels
from webui.common.context import platform
from webui.common.pageutil import PER_PAGE, page_number, render, staff
from webui.contract.boundary import json_object
from webui.forms import fields as formfields
from webui.forms import formui

bp = Blueprint("design", __name__)


def _problems(problems: list[Problem]) -> list[dict[str, str | None]]:
    """Each problem on its element, in the page's language where the check gives a Text."""
    return [{"element": p.element, "message": localized(p.message)} for p in problems]


def _refused(rejected: DefinitionRejected) -> Any:
    return jsonify({"error": gettext("Quy trình chưa hợp lệ, chưa triển khai được."),
                    "problems": _problems(rejected.problems)}), 422


def _work(db: Session, user: User, process_id: str) -> designer.Work:
    """The posted diagram and forms, read once the person is known to design this process, so
    that a refusal says nothing about what was sent."""
    designer.designed(db, user, process_id)
    given = designer.Work.read(json_object(), platform().settings.max_bpmn_bytes)
    forms_dir = platform().settings.forms_dir
    # A version keeps the descriptions its designer changed; the others stay forms/'s.
    changed = {ref: ui for ref, ui in given.ui.items() if ui != formui.load(forms_dir, ref)}
    for ref, ui in changed.items():
        schema = given.forms.get(ref)
        wrong = formui.problems(ui, schema) if isinstance(schema, dict) else []
        if wrong:
            message = gettext("Mô tả giao diện của biểu mẫu %(form)s chưa hợp lệ: %(problems)s",
                              form=ref, problems="; ".join(wrong))
            raise InvalidData(message, {"ui": message})
    return designer.Work(given.xml, given.forms, changed)


@bp.get("/design")
def index() -> Any:
    with staff(write=False) as (db, user, _now):
        found = designer.processes(db, user, page_number(request.args), PER_PAGE)
        return render("design/index.html", db, user, found=found)


@bp.get("/design/<process_id>")
def versions(process_id: str) -> Any:
    with staff(write=False) as (db, user, _now):
        found = designer.versions(db, user, process_id, page_number(request.args), PER_PAGE)
        return render("design/versions.html", db, user, found=found)


@bp.get("/design/<process_id>/edit")
def edit(process_id: str) -> Any:
    with staff(write=False) as (db, user, _now):
        version = designer.designed(db, user, process_id)
        # The lane picker's positions: the ones a role expression may name (engine.workflow.roles).
        positions = [(code, str(title)) for code, title in labels.POSITION.items()
                     if code not in ("designer", "auditor")]
        return render("design/edit.html", db, user, process=version, positions=positions, actions=sorted(ACTIONS),
                      initiator=user.username)


@bp.get("/design/<process_id>/work.json")
def work(process_id: str) -> Any:
    with staff(write=False) as (db, user, _now):
        opened = designer.work(db, user, process_id)
        # The forms' UI descriptions for the form editor: those saved with the draft or the version,
        # else the repository's.
        forms_dir = platform().settings.forms_dir
        opened["ui"] = {ref: formui.load(forms_dir, ref) for ref in opened["forms"]} | opened["ui"]
        return jsonify(opened)


@bp.post("/design/<process_id>/draft")
def save(process_id: str) -> Any:
    try:
        with staff(write=True) as (db, user, now):
            problems = designer.save_draft(db, user, process_id, _work(db, user, process_id), platform().settings, now)
            return jsonify({"saved_at": now.isoformat(), "problems": _problems(problems)})
    except DefinitionRejected as rejected:
        return jsonify({"error": gettext("Chưa lưu được: sơ đồ hoặc biểu mẫu không đọc được."),
                        "problems": _problems(rejected.problems)}), 422


@bp.post("/design/<process_id>/validate")
def validate(process_id: str) -> Any:
    with staff(write=False) as (db, user, _now):
        definition = designer.check(db, user, process_id, _work(db, user, process_id), platform().settings)
        return jsonify({"problems": _problems(definition.problems)})


@bp.post("/design/<process_id>/deploy")
def deploy(process_id: str) -> Any:
    try:
        with staff(write=True) as (db, user, now):
            given = _work(db, user, process_id)
            confirmed = json_object().get("confirm") is True
            version, created = designer.deploy(db, user, process_id, given, platform().settings, now, confirmed)
            number = version.version
    except DefinitionRejected as rejected:
        return _refused(rejected)
    message = (gettext("Đã triển khai phiên bản %(version)s.", version=number) if created
               else gettext("Không có thay đổi: phiên bản %(version)s vẫn là phiên bản hiện hành.", version=number))
    flash(message, "success" if created else "warning")
    return jsonify({"version": number, "created": created, "message": message,
                    "url": url_for("design.versions", process_id=process_id)}), 201 if created else 200


@bp.post("/design/<process_id>/discard")
def discard(process_id: str) -> Any:
    with staff(write=True) as (db, user, now):
        designer.discard_draft(db, user, process_id, now)
    flash(gettext("Đã bỏ bản nháp."), "success")
    return redirect(url_for("design.versions", process_id=process_id))


def _version_arg(name: str) -> int:
    raw = request.args.get(name, "")
    if not raw.isdigit():
        raise InvalidData(gettext("Chọn hai phiên bản để so sánh."), {name: gettext("Cần số phiên bản.")})
    return int(raw)


@bp.get("/design/<process_id>/diff")
def diff(process_id: str) -> Any:
    with staff(write=False) as (db, user, _now):
        latest = designer.designed(db, user, process_id)
        old, new = _version_arg("old"), _version_arg("new")
        changes = designer.compare(db, user, process_id, old, new)
        marks = {c.id: c.change for c in changes.elements}
        return render("design/diff.html", db, user, process=latest, old=old, new=new, changes=changes,
                      marks=json.dumps(marks))


@bp.get("/design/<process_id>/versions/<int:number>.bpmn")
def version_xml(process_id: str, number: int) -> Any:
    with staff(write=False) as (db, user, _now):
        return Response(designer.version_xml(db, user, process_id, number), mimetype="application/xml")


def _json(text: str, field: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        message = gettext("JSON không hợp lệ (dòng %(line)s, cột %(col)s): %(msg)s",
                          line=err.lineno, col=err.colno, msg=err.msg)
        raise InvalidData(message, {field: message}) from None


def _ui(text: Any) -> dict[str, Any] | None:
    """The UI description being edited beside the form (react-jsonschema-form's ``ui:`` keys)."""
    if text is None:
        return None
    ui = _json(text, "ui") if isinstance(text, str) else text
    if not isinstance(ui, dict):
        raise InvalidData(gettext("Mô tả giao diện phải là đối tượng JSON."), {"ui": gettext("Cần JSON.")})
    return ui


@bp.post("/design/<process_id>/form-preview")
def form_preview(process_id: str) -> Any:
    """A form's JSON Schema as the task page will show it, or why it cannot be one."""
    with staff(write=False) as (db, user, _now):
        version = designer.designed(db, user, process_id)
        given = json_object()
        name, text = str(given.get("name") or ""), given.get("schema")
        if not isinstance(text, str):
            raise InvalidData(gettext("Thiếu nội dung biểu mẫu."), {"schema": gettext("Cần JSON.")})
        schema = _json(text, "schema")
        problem = form_problem(name, schema)
        if problem is not None:
            raise InvalidData(problem, {"schema": problem})
        code = (agency_codes(version.agency_code) or [""])[0]
        agency = db.scalars(select(Agency).where(Agency.code == code)).first()
        directory = workspace.directory(db, agency.id) if agency else {}
        form = formfields.build(schema, {}, {}, directory, _ui(given.get("ui")))
        return render_template("design/form_preview.html", form=form)


@bp.post("/design/<process_id>/impact")
def impact(process_id: str) -> Any:
    """What deploying the posted work would change, shown before the designer confirms."""
    with staff(write=False) as (db, user, _now):
        return jsonify(designer.impact(db, user, process_id, _work(db, user, process_id)))


@bp.post("/design/<process_id>/lane-preview")
def lane_preview(process_id: str) -> Any:
    """Who a lane expression names in each agency of the process, as the designer types it."""
    with staff(write=False) as (db, user, _now):
        given = _work(db, user, process_id)
        expression = json_object().get("expression")
        if not isinstance(expression, str):
            raise InvalidData(gettext("Thiếu biểu thức vai trò."), {"expression": gettext("Cần văn bản.")})
        found = designer.lane_preview(db, user, process_id, given, platform().settings, expression)
        return jsonify({"agencies": [{"agency": p.agency, "people": list(p.people), "count": p.count,
                                      "depends_on_case": p.depends_on_case} for p in found]})


@bp.post("/design/<process_id>/dry-run")
def dry_run(process_id: str) -> Any:
    """The posted work run in memory against the chosen start data and answers; nothing stored."""
    try:
        with staff(write=False) as (db, user, now):
            given = _work(db, user, process_id)
            posted = json_object()
            data = posted.get("data") or {}
            if not isinstance(data, dict):
                raise InvalidData(gettext("Dữ liệu khởi tạo phải là đối tượng JSON."), {"data": gettext("Cần JSON.")})
            answers = dry_runs.read_answers(posted.get("answers"))
            run = designer.dry_run(db, user, process_id, given, platform().settings,
                                   str(posted.get("initiator") or user.username), data, answers, now,
                                   every=posted.get("all") is True)
            return jsonify(run.as_json())
    except DefinitionRejected as rejected:
        return _refused(rejected)


@bp.get("/design/<process_id>/heatmap.json")
def heatmap(process_id: str) -> Any:
    """Per task: cases passed, median and p90 hours open (the designer's and auditor's diagram)."""
    with staff(write=False) as (db, user, _now):
        designer.designed(db, user, process_id)
        return jsonify({"elements": heatmaps.as_json(heatmaps.heatmap(db, process_id))})
