"""Danh sách văn bản: the left-hand tree of document lists and one list's page, with its
filters (remembered for the session, per list), pages, and the batch action "mark read".
Thin: the lists and who sees what are engine.office.document_lists' and engine.permissions'."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext, ngettext

from engine.core.errors import DomainError, InvalidData
from engine.models import Urgency
from engine.office import document_lists, forwarding, queries, reading, workspace
from engine.office.document_lists import ListFilter
from engine.org import permissions
from engine.signatures import signatures
from webui.common.context import complete_signing, platform
from webui.common.pageutil import PER_PAGE, page_number, render, session_user, staff

bp = Blueprint("lists", __name__)
FILTERS = ("q", "urgency", "unread")


def _wanted(name: str) -> tuple[ListFilter, dict[str, str]]:
    """The filters asked for, else those this list had last in the session; "reset" clears them."""
    key = f"doclist:{name}"
    if request.args.get("reset"):
        session.pop(key, None)
    asked = {k: request.args[k].strip() for k in FILTERS if k in request.args}
    if asked or "filter" in request.args:
        session[key] = {k: v for k, v in asked.items() if v}
    given = dict(session.get(key, {}))
    text = given.get("q", "")
    if len(text) > 200:
        raise InvalidData("Từ khóa quá dài.", {"q": "Tối đa 200 ký tự."})
    urgency = given.get("urgency") or None
    if urgency is not None and urgency not in {u.value for u in Urgency}:
        raise InvalidData("Độ khẩn không hợp lệ.", {"urgency": "Chọn một độ khẩn trong danh sách."})
    return ListFilter(text=text, urgency=urgency, unread=given.get("unread") == "1"), given


@bp.get("/documents")
def index() -> Any:
    """One list of the tree (chờ xử lý first), with every list's count."""
    name = request.args.get("list", "in_waiting")
    if name not in document_lists.LISTS:
        raise InvalidData("Danh sách không hợp lệ.", {"list": "Chọn một danh sách trong cây văn bản."})
    wanted, given = _wanted(name)
    page = page_number(request.args)
    with staff(write=False) as (db, user, now):
        found = document_lists.listing(db, user, now, name, wanted, page, PER_PAGE)
        work = queries.inbox(db, user, now, "todo", queries.InboxFilter(), 1, 1)["counts"]
        agencies = permissions.agencies_of(db, user)
        directory = workspace.directory(db, min(agencies)) if agencies else {}
        # Chờ ký: each document's signing step, for the batch signed with a USB token (the page's
        # script asks each step's one-time request, then the agent signs them all with one PIN).
        signing = (document_lists.my_signing_tasks(db, user, now, [d["id"] for d in found["items"]])
                   if name == "out_signing" else {})
        return render("lists/index.html", db, user, found=found, given=given, groups=document_lists.GROUPS,
                      work=work, directory=directory, signing=signing,
                      agent_port=platform().settings.sign_agent_port)


def _ticked() -> tuple[list[int], str]:
    raw = request.form.getlist("ids")
    back = request.form.get("list", "in_waiting")
    if not all(v.isdigit() and len(v) < 10 for v in raw):
        raise InvalidData("Danh sách văn bản không hợp lệ.", {"ids": "Chọn lại văn bản trong danh sách."})
    return [int(v) for v in raw], back if back in document_lists.LISTS else "in_waiting"


@bp.post("/documents/read")
def mark_read() -> Any:
    """Đánh dấu đã đọc: the documents ticked in a list."""
    ids, back = _ticked()
    with staff(write=True) as (db, user, now):
        count = reading.mark_read(db, user, ids, now)
    flash(ngettext("Đã đánh dấu đã đọc %(num)s văn bản.", "Đã đánh dấu đã đọc %(num)s văn bản.", count), "success")
    return redirect(url_for("lists.index", list=back))


@bp.post("/documents/forward")
def forward() -> Any:
    """Chuyển để biết: the ticked documents, to the units and people chosen."""
    ids, back = _ticked()
    with staff(write=True) as (db, user, now):
        count = forwarding.forward(db, user, ids, request.form.getlist("units"), request.form.getlist("people"),
                                   request.form.get("note", "").strip() or None, now)
    flash(ngettext("Đã chuyển để biết %(num)s văn bản.", "Đã chuyển để biết %(num)s văn bản.", count), "success")
    return redirect(url_for("lists.index", list=back))


@bp.post("/documents/sign")
def sign_many() -> Any:
    """Ký số hàng loạt with the server-held key: the ticked documents waiting for my signature,
    each signed with the one password given (with a USB token the page's script signs them
    through the agent, sign-many-agent.js), each its own completion (transaction, audit entry) as if signed one by one;
    the first refusal (a wrong password refuses them all) stops the rest."""
    ids, back = _ticked()
    password = request.form.get("signing_password") or None
    if not ids or password is None:
        raise InvalidData("Chọn văn bản và nhập mật khẩu chứng thư số để ký.",
                          {"ids": "Chọn ít nhất một văn bản chờ ký.", "signing_password": "Nhập mật khẩu."})
    with staff(write=False) as (db, user, now):
        tasks = document_lists.my_signing_tasks(db, user, now, ids)
    signed: list[str] = []
    refusal: str | None = None
    for document_id in ids:
        if document_id not in tasks:
            refusal = gettext("Văn bản #%(id)s không chờ bạn ký.", id=document_id)
            break
        try:
            signed.append(complete_signing(signatures.Credentials(password=password), tasks[document_id],
                                           {"decision": "sign"}, session_user, lambda _d, _u, case, _n: case.title))
        except DomainError as refused:
            details = list(refused.fields.values()) if isinstance(refused, InvalidData) else []
            refusal = gettext("Chưa ký được văn bản #%(id)s: %(reason)s", id=document_id,
                              reason=" ".join([refused.message, *details]))
            break
    if signed:
        flash(ngettext("Đã ký số %(num)s văn bản.", "Đã ký số %(num)s văn bản.", len(signed)) + " "
              + "; ".join(signed), "success")
    if refusal:
        flash(refusal, "warning")
    return redirect(url_for("lists.index", list=back))
