"""Actions a task may name in its ``action`` property, run in the same transaction when a
person completes it: the platform's side of a step (saving the draft's metadata, taking
a number, recording a direction in the work tree). Each returns the data it adds to the
case, so a replay of the case from its audit log needs none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import hooks
from engine.audit.refusals import Refused
from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData, Text
from engine.documents import circulation, documents, worktree
from engine.models import (
    Case,
    CaseFollower,
    Delivery,
    Direction,
    Document,
    DocumentLink,
    LinkKind,
    Secrecy,
    Unit,
    User,
    UserPosition,
)
from engine.office import info_items, notifications
from engine.registry import intake, lifecycle
from engine.signatures import signatures
from engine.workflow import roles

# Starts another case (process id, its start data, the initiator) and returns it; given by
# engine.workflow.cases, which owns starting cases.
StartCase = Callable[[str, dict[str, Any], User], Case]


@dataclass(frozen=True)
class ActionContext:
    session: Session
    case: Case
    user: User  # who completes the task (a delegate acts in their own name)
    document: Document | None
    now: datetime
    entered: dict[str, Any]  # what the person just entered in the task's form
    data: dict[str, Any]  # the task's data with that applied (earlier steps' fields included)
    properties: dict[str, str]  # the task's extension properties in the diagram
    start_case: StartCase
    desk: signatures.Desk | None = None  # files, keys and the signer's credentials, where signing is possible

    def require_desk(self) -> signatures.Desk:
        if self.desk is None:
            raise InvalidData("Bước này cần ký số.", {"signing": "Chưa có thông tin ký số."})
        return self.desk

    def require_document(self) -> Document:
        if self.document is None:
            raise InvalidData("Hồ sơ này không gắn với văn bản nào.")
        return self.document

    def unit(self) -> str:
        code = self.data.get("unit")
        if not isinstance(code, str):
            raise InvalidData("Bước này phải nằm trong phần xử lý của một đơn vị.")
        return code


Action = Callable[[ActionContext], dict[str, Any]]


def save_draft(ctx: ActionContext) -> dict[str, Any]:
    """Copy the metadata fields of the form onto the draft document."""
    fields = set(documents.METADATA_SCHEMA["properties"])
    documents.update_draft(ctx.session, ctx.require_document(),
                           {k: v for k, v in ctx.entered.items() if k in fields}, ctx.now)
    return {}


def issue_outgoing(ctx: ActionContext) -> dict[str, Any]:
    """Lấy số và phát hành: the outgoing number is given at issuance, never at draft time."""
    if ctx.entered.get("decision") != "issue":
        return {}
    doc = ctx.require_document()
    save_draft(ctx)
    paper = ctx.properties.get("signatureMode") == "paper"
    if paper:
        doc.signature_mode = Delivery.PAPER  # ký tay: the leader signed on paper
    sealed = ctx.desk.credentials.sealed if ctx.desk is not None and doc.secrecy == Secrecy.NONE else None
    # Signed before this transaction: exactly the number its file carries (else NumberMoved, nothing taken).
    documents.issue(ctx.session, doc, ctx.now, expected=sealed.number if sealed is not None else None)
    if doc.secrecy == Secrecy.NONE:
        # The agency's signature over the leader's (over the scan of the paper a leader signed by
        # hand, as its conversion mark); a refusal undoes the numbering with the rest.
        signatures.seal(ctx.session, ctx.require_desk(), doc, ctx.user, ctx.now)
    notifications.document_issued(ctx.session, doc, ctx.now)
    # Internal recipient units get the issued document to read in their "để biết" list, not only a notice.
    units = [r.unit_id for r in doc.recipients if r.unit_id is not None]
    if units:
        info_items.send_for_information(ctx.session, doc, ctx.case.id, ctx.user, units, [], None, ctx.now)
    superseded = lifecycle.supersede(ctx.session, ctx.user, doc, ctx.now)  # what it corrects or replaces
    hooks.document_issued(ctx.session, doc, ctx.now)  # electronic recipients of other installations
    return {"superseded": superseded, "number": doc.number, "number_symbol": doc.number_symbol,
            "issued_on": ctx.now.astimezone(VIETNAM).date().isoformat(), "signature_status": doc.signature_status.value}


def register_incoming(ctx: ActionContext) -> dict[str, Any]:
    """Vào sổ văn bản đến, after engine.registry.intake's checks: an invalid signature needs the
    step's note (ghi chú), a possible duplicate the step's ``confirm_duplicates``."""
    doc = ctx.require_document()
    save_draft(ctx)
    desk = ctx.desk
    check = intake.current_check(desk.store, desk.keys, doc, ctx.now, desk.checked) if desk is not None else None
    found = intake.register(ctx.session, doc, intake.Decision.parse(ctx.entered.get("note"),
                                                                    ctx.entered.get("confirm_duplicates")),
                            check, ctx.now)
    return {"arrival_number": doc.number, "signature_status": found["signature_status"],
            "duplicates": [d["id"] for d in found["duplicates"]]}


def record_direction(ctx: ActionContext) -> dict[str, Any]:
    """Bút phê: the units that will handle the document, for the per-unit part of the diagram."""
    units = worktree.direct(ctx.session, ctx.require_document(), ctx.case.id, ctx.user, ctx.entered, ctx.now)
    return {"units": units}


def assign_in_unit(ctx: ActionContext) -> dict[str, Any]:
    """Phân công: the unit head names the person who handles the document."""
    person = worktree.assign(ctx.session, ctx.require_document(), ctx.case.id, ctx.user, ctx.unit(), ctx.entered,
                             ctx.now)
    return {"assignee": person}


def _start_reply(ctx: ActionContext, doc: Document, drafter: User, subject: str, field: str) -> dict[str, Any]:
    """Start the task's ``replyProcess`` (the agency's outgoing procedure) for ``drafter``,
    with a draft linked to ``doc`` as its reply."""
    process = ctx.properties.get("replyProcess")
    if process is None:
        raise InvalidData("Bước này không cho phép trả lời bằng văn bản đi.", {field: "Không chọn được."})
    reply = ctx.start_case(process, {"subject": subject[:500], "doc_type": "CV"}, drafter)
    assert reply.document_id is not None
    ctx.session.add(DocumentLink(source_id=reply.document_id, target_id=doc.id, kind=LinkKind.REPLY_TO))
    return {"reply_case": reply.id, "reply_document": reply.document_id}


def _colleague(ctx: ActionContext, field: str) -> User:
    """The active person of the case's agency named in ``field``, who is not the one acting."""
    person = roles.member(ctx.session, ctx.entered.get(field), ctx.case.agency_id)
    if person is None or person.id == ctx.user.id:
        raise InvalidData("Người được chọn không hợp lệ.", {field: "Cần một người khác trong cơ quan."})
    return person


_OUTCOMES = {"finish": "finished", "return": "returned", "reply": "replied"}


def handle_assignment(ctx: ActionContext) -> dict[str, Any]:
    """The handler's outcome. ``reply`` starts the agency's outgoing procedure with a draft
    linked to this document (trả lời văn bản đến); ``comment`` keeps it with the handler and
    asks the colleague named in ``commenter`` for an opinion (xin ý kiến góp ý)."""
    decision = str(ctx.entered.get("decision"))
    if decision == "comment":
        request = worktree.request_comment(ctx.session, ctx.require_document(), ctx.case.id, ctx.user, ctx.unit(),
                                           _colleague(ctx, "commenter"), ctx.entered.get("note"), ctx.now)
        return {"comment_request": request}
    if decision not in _OUTCOMES:
        return {}
    doc = ctx.require_document()
    worktree.close(ctx.session, doc, ctx.user, ctx.unit(), _OUTCOMES[decision], ctx.entered.get("note"), ctx.now)
    if decision == "finish" and ctx.properties.get("finishFiles") == "notice":
        # Kết thúc: a document for information, filed under Văn bản thông báo (seed 002, Art. 8).
        unit_id = ctx.session.scalar(select(Unit.id).where(Unit.agency_id == ctx.case.agency_id,
                                                           Unit.code == ctx.unit()))
        info_items.file_notice(ctx.session, doc, ctx.case.id, ctx.user, unit_id, ctx.entered.get("note"), ctx.now)
    if decision != "reply":
        return {}
    return _start_reply(ctx, doc, ctx.user, f"V/v trả lời văn bản số {doc.number_symbol or doc.id}: {doc.subject}",
                        "decision")


def answer_comment(ctx: ActionContext) -> dict[str, Any]:
    """Chuyển ý kiến đóng góp: the colleague's opinion, recorded in the work tree."""
    worktree.answer_comment(ctx.session, int(ctx.data["comment_request"]), ctx.entered.get("opinion"), ctx.now)
    return {}


def take_or_assign(ctx: ActionContext) -> dict[str, Any]:
    """The unit head handles the document themselves (``handle``) or hands it to a deputy
    head or specialist of the unit (``assign``, as assign_in_unit)."""
    entered = dict(ctx.entered)
    if entered.get("decision") == "handle":
        entered["assignee"] = ctx.user.username
    person = worktree.assign(ctx.session, ctx.require_document(), ctx.case.id, ctx.user, ctx.unit(), entered,
                             ctx.now)
    return {"assignee": person}


def distribute_or_order(ctx: ActionContext) -> dict[str, Any]:
    """Chánh Văn phòng phân văn bản: to the agency's units (``distribute``, as
    record_direction), or, for units outside the agency, ``paper``: the person named in
    ``drafter`` drafts an outgoing document, issued on paper, through the task's
    ``replyProcess``; the incoming document is then handled."""
    if ctx.entered.get("decision") != "paper":
        return record_direction(ctx)
    doc = ctx.require_document()
    drafter = _colleague(ctx, "drafter")
    note = ctx.entered.get("note")
    worktree.forward(ctx.session, doc, ctx.case.id, ctx.user, drafter, note, ctx.now)
    return _start_reply(ctx, doc, drafter, f"V/v giao việc theo văn bản số {doc.number_symbol or doc.id}: "
                                           f"{doc.subject}", "decision")


def save_circulation(ctx: ActionContext) -> dict[str, Any]:
    """Soạn và chọn luồng luân chuyển: check the route (units of the agency, starting at the
    creator's own), the người trình and the người ký, then save the draft's metadata."""
    circulation.check(ctx.session, ctx.case.agency_id, ctx.case.initiator_unit_id, list(ctx.entered["route"]),
                      ctx.entered.get("presenter"), ctx.entered.get("signer"))
    return save_draft(ctx)


def assign_person(ctx: ActionContext) -> dict[str, Any]:
    """Giao việc: the leader names the official who handles the document."""
    person = worktree.assign_person(ctx.session, ctx.require_document(), ctx.case.id, ctx.user, ctx.entered,
                                    ctx.now)
    return {"assignee": person}


def start_outgoing_draft(ctx: ActionContext) -> dict[str, Any]:
    """The official answers the document they were given with an outgoing draft (a reply,
    or a Tờ trình to the level above): the draft becomes the case's document, linked to
    the one it answers, and the official follows the case from then on. Sent back for
    revision, the same draft is revised."""
    current = ctx.require_document()
    fields = set(documents.METADATA_SCHEMA["properties"])
    entered = {k: v for k, v in ctx.entered.items() if k in fields}
    if current.direction == Direction.OUTGOING:
        documents.update_draft(ctx.session, current, entered, ctx.now)
        return {"draft_document": current.id}
    unit_id = ctx.session.scalar(
        select(UserPosition.unit_id).join(Unit, Unit.id == UserPosition.unit_id)
        .where(UserPosition.user_id == ctx.user.id, Unit.agency_id == ctx.case.agency_id).order_by(UserPosition.id)
    )
    draft = documents.create(ctx.session, ctx.user, ctx.case.agency_id, Direction.OUTGOING, entered, ctx.now, unit_id)
    ctx.session.add(DocumentLink(source_id=draft.id, target_id=current.id, kind=LinkKind.REPLY_TO))
    worktree.finish_for(ctx.session, current, ctx.user, "replied", ctx.now)
    ctx.case.document_id = draft.id
    _follow(ctx, ctx.user.id)
    return {"draft_document": draft.id}


def _follow(ctx: ActionContext, user_id: int) -> None:
    if ctx.session.get(CaseFollower, (ctx.case.id, user_id)) is None:
        ctx.session.add(CaseFollower(case_id=ctx.case.id, user_id=user_id, since=ctx.now))


def record_submitter(ctx: ActionContext) -> dict[str, Any]:
    """Trình lãnh đạo: who submitted the document for signature, for ``signed_to_followers``."""
    return {"submitted_by": ctx.user.username} if ctx.entered.get("decision") == "approve" else {}


def signed_to_followers(ctx: ActionContext) -> dict[str, Any]:
    """Ký ban hành (seed 004, liên thông step 12): once signed, the document goes at once to
    the clerk who issues it (the next task) and to the leader who submitted it, who follows
    the case from then on (the specialist who drafted it already does)."""
    if ctx.entered.get("decision") == "sign":
        person = roles.member(ctx.session, ctx.data.get("submitted_by"), ctx.case.agency_id)
        if person is not None:
            _follow(ctx, person.id)
    return {}


def register_copy(ctx: ActionContext) -> dict[str, Any]:
    """Vào sổ bản sao: the copy's number in the agency's copies series."""
    doc = ctx.require_document()
    documents.register_copy(ctx.session, doc, ctx.now)
    return {"number": doc.number, "number_symbol": doc.number_symbol}


def require_main_file(ctx: ActionContext) -> dict[str, Any]:
    """Scan và chuyển: the document must carry its PDF before it goes to the units."""
    doc = ctx.require_document()
    if not any(f.role == "main" for f in doc.files):
        raise InvalidData("Văn bản chưa có tệp chính (bản scan PDF).", {"file": "Cần tải tệp PDF trước khi chuyển."})
    return {}


def register_scanned(ctx: ActionContext) -> dict[str, Any]:
    """Scan, đính kèm và vào sổ: a paper document is numbered only once its scan is attached."""
    require_main_file(ctx)
    return register_incoming(ctx)


# The steps that number an incoming document after verifying its main file's signatures: the
# verification is made before their transaction (engine.signed_steps).
REGISTERING = frozenset({"register_incoming", "register_scanned"})

ACTIONS: dict[str, Action] = {
    "assign_person": assign_person,
    "start_outgoing_draft": start_outgoing_draft,
    "register_copy": register_copy,
    "require_main_file": require_main_file,
    "save_draft": save_draft,
    "issue_outgoing": issue_outgoing,
    "register_incoming": register_incoming,
    "record_direction": record_direction,
    "assign_in_unit": assign_in_unit,
    "handle_assignment": handle_assignment,
    "answer_comment": answer_comment,
    "take_or_assign": take_or_assign,
    "distribute_or_order": distribute_or_order,
    "save_circulation": save_circulation,
    "register_scanned": register_scanned,
    "record_submitter": record_submitter,
    "signed_to_followers": signed_to_followers,
}

# The names an action may add to a case's data (the dicts returned above): a diagram's condition
# may read them (engine/workflow/flow_check.py); tests/test_flow_check.py checks the list against
# the dicts the actions return (their source).
OUTPUTS = frozenset({
    "superseded", "number", "number_symbol", "issued_on", "signature_status", "arrival_number", "duplicates",
    "units", "assignee", "reply_case", "reply_document", "comment_request", "draft_document", "submitted_by",
})


class ActionFailed(Refused):
    """An action of the platform (numbering, issuing, sending…) failed with an unexpected error."""

    action = "action_failed"

    def __init__(self, element: str, name: str, err: Exception) -> None:
        reason = f"{type(err).__name__}: {err}"[:500]
        super().__init__(Text("Thao tác '%(action)s' của bước '%(element)s' gặp lỗi: %(reason)s.",
                              action=name, element=element, reason=reason), {"action": reason},
                         {"element": element, "action": name, "reason": reason})
