"""The clerk's intake in the pages (tiếp nhận văn bản đến): the entry of an incoming
document with its PDF, whose signatures are verified before the number is taken; and, on the
document's page, the clerk's decision when a check found something: register anyway (with a
note for an invalid signature, confirming a possible duplicate), or refuse it (lifecycle_pages)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext

from engine.core.clock import VIETNAM
from engine.core.errors import Conflict, InvalidData
from engine.documents.storage import FileStore
from engine.models import Document, Secrecy
from engine.office import desk, workspace
from engine.registry import incoming, intake
from engine.scans import conversion, queue
from engine.signatures import signatures
from engine.workflow import cases
from webui.common.context import platform, signing_desk
from webui.common.pageutil import render, staff
from webui.forms import fields as formfields
from webui.forms import formui

bp = Blueprint("intake", __name__)
ENTRY_FORM_REF = "common/incoming_entry.schema.json"  # no such schema: workspace.ENTRY_FORM is built


def _store() -> FileStore:
    return FileStore(platform().settings.files_dir)


def _entry_ui() -> dict[str, Any]:
    """The entry form is built from the documents' metadata schema; its description is a file all the same."""
    return formui.load(platform().settings.forms_dir, ENTRY_FORM_REF)


def _keys() -> signatures.Keys:
    return signing_desk(signatures.Credentials()).keys


def _scan_id() -> int | None:
    raw = request.values.get("scan", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _converted(scan_id: int) -> conversion.Converted:
    """The recognised scan signed by the agency with the conversion mark, with no transaction
    open while the key signs."""
    with staff(write=False) as (db, user, _now):
        job = queue.conversion_job(db, _store(), _keys(), user, scan_id, request.form.get("agency_password") or None)
    return job.make(platform().clock.now())


@bp.get("/documents/incoming/new")
def entry_form() -> Any:
    """The clerk's form to enter an incoming document in the register (vào sổ văn bản đến); with
    ``?scan=``, the scan's progress, then the form filled with what was read from it."""
    scan_id = _scan_id()
    with staff(write=False) as (db, user, now):
        schema = workspace.entry(db, user)
        scan = queue.view(db, user, scan_id) if scan_id is not None else None
        read = {k: v for k, v in (scan["fields"] or {}).items() if v and k in schema["properties"]} if scan else {}
        # A scan is of a paper that arrived: received on paper (not marked: not a guess).
        values = {**read, "channel": "paper"} if scan else {}
        form = formfields.build(schema, values, {}, {}, _entry_ui(), now.astimezone(VIETNAM).date())
        return render("documents/incoming.html", db, user, form=form, error=None, scan=scan, prefilled=sorted(read),
                      duplicates=scan["duplicates"] if scan else [], agencies=incoming.for_clerk(db, user))


@bp.post("/documents/incoming/new")
def enter() -> Any:
    """A secret document is entered as metadata and numbered at once; any other entry starts the
    agency's incoming procedure, whose first step (the clerk's) registers it once its PDF has
    been verified outside the transaction. An agency without one is refused (engine.incoming)."""
    data, unreadable = formfields.parse(workspace.ENTRY_FORM, request.form)
    sent = request.files.get("file")
    scan_id = _scan_id()
    settings = platform().settings
    secret = data.get("secrecy", Secrecy.NONE.value) != Secrecy.NONE.value
    confirm = request.form.get("confirm_duplicates") == "on"
    try:
        if unreadable:
            raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", unreadable)
        converted = _converted(scan_id) if scan_id is not None else None
        with staff(write=True) as (db, user, now):
            if secret:
                doc, _ = desk.enter(db, user, {"direction": "incoming", "data": data,
                                               "confirm_duplicates": confirm}, now)
                document_id, number, task_id = doc.id, doc.number, None
            else:
                case = desk.start_incoming(db, user, data, request.form.get("procedure") or None, now)
                assert case.document_id is not None
                document_id, number = case.document_id, None
                task_id = next((t.id for t in cases.open_tasks(db, case.id)
                                if user.id in {c.user_id for c in t.candidates}), None)
            if converted is not None:  # the recognised scan, signed with the conversion mark, is the main file
                scanned = db.get(Document, document_id)
                assert scanned is not None
                queue.attach_result(db, _store(), user, converted, scanned, settings.max_upload_bytes, now)
            elif sent is not None and sent.filename:
                # the entry and its file are one transaction: a refused file enters nothing
                desk.may_attach(db, user, document_id, sent.filename, sent.stream, "main", now)
                received = desk.receive(_store(), sent.filename, sent.stream, "main", settings.max_upload_bytes)
                desk.upload(db, user, document_id, received, "main", now)
    except (InvalidData, Conflict, intake.NeedsDecision) as refused:
        with staff(write=False) as (db, user, _now):
            form = formfields.build(workspace.ENTRY_FORM, data, getattr(refused, "fields", {}), {}, _entry_ui())
            found = refused.details["duplicates"] if isinstance(refused, intake.NeedsDecision) else []
            scan = queue.view(db, user, scan_id) if scan_id is not None else None
            return render("documents/incoming.html", db, user, refused.status, form=form, scan=scan, prefilled=[],
                          error=refused.message, duplicates=found, agencies=incoming.for_clerk(db, user))
    if number is not None:  # a secret entry: metadata only, numbered as it is entered
        flash(gettext("Đã vào sổ văn bản đến, số đến %(number)s.", number=number), "success")
        return redirect(f"/documents/{document_id}")
    if scan_id is not None or (sent is not None and sent.filename):
        precheck(document_id)
    flash(gettext("Đã bắt đầu quy trình văn bản đến: vào sổ ở bước đầu tiên."), "success")
    return redirect(f"/tasks/{task_id}" if task_id else f"/documents/{document_id}")


def _register(document_id: int, given: dict[str, Any]) -> Any:
    """Verify the main file outside the transaction (kept on the document whatever the
    clerk decides), then register; a finding sends the clerk to the page's decision."""
    with staff(write=False) as (db, user, _now):
        sha = desk.main_file(db, user, document_id)
    store, keys = _store(), _keys()
    check = intake.check_file(store, keys, sha, platform().clock.now()) if sha else None
    try:
        with staff(write=True) as (db, user, now):
            doc, _ = desk.register(db, user, document_id, given, check, store, keys, now)
            number = doc.number
    except intake.NeedsDecision as found:
        with staff(write=True) as (db, user, now):
            desk.keep_check(db, user, document_id, check, now)
        flash(found.message, "warning")
        return redirect(f"/documents/{document_id}#intake")
    flash(gettext("Đã vào sổ văn bản đến, số đến %(number)s.", number=number), "success")
    return redirect(f"/documents/{document_id}")


def precheck(document_id: int) -> None:
    """After an upload: check a received document's new main file outside the transaction."""
    with staff(write=False) as (db, user, now):
        sha = desk.unchecked_file(db, user, document_id, now)
    if sha is not None:
        check = intake.check_file(_store(), _keys(), sha, platform().clock.now())
        with staff(write=True) as (db, user, now):
            desk.keep_check(db, user, document_id, check, now)


@bp.post("/documents/<int:document_id>/register")
def register(document_id: int) -> Any:
    """The clerk's decision on the page: vào sổ with a note and/or confirming a duplicate."""
    return _register(document_id, {"note": request.form.get("note") or None,
                                   "confirm_duplicates": request.form.get("confirm_duplicates") == "on"})
