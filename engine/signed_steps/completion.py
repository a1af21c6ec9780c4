"""A task completion that signs, in three phases, so that no transaction (SQLite's write lock, a
register's counter row, a case's row) is held while keys are unlocked, PDFs prepared and
signatures made, status-checked, time-stamped and verified:

1. :func:`plan`, in a read transaction: what the completion will sign (engine.signatures.signatures
   ``signing_kind``, or the issue's ``issue_outgoing`` action) and everything it needs, as a job
   (engine.signatures.jobs); at issuance with the number and date the book would give next.
2. ``job.make``, with no transaction open.
3. :func:`complete`'s write transaction: the task completed as any other (engine.workflow.cases),
   with the signature made; it is refused when the case moved meanwhile (the task done, the main
   file changed: binding.presigned_signer, jobs.check_sealed). The number is taken there, and
   only the one the file was signed with: when another issue of the same book took it meanwhile
   (registers.NumberMoved) nothing was taken and the three phases run again with the next. Issues
   of one book signing at once in this process sign with consecutive numbers and record in turn
   (engine.registry.tickets), so that none signs in vain. So a
   book's series stays gapless whatever fails between signing and recording (nothing was taken),
   and a server killed while signing leaves neither a number used nor a case held.

The same phases keep the other long checks out of the write transaction: an incoming document's
main file that a registering step numbers is verified in phase 2 (engine.registry.intake), and the
request's token is checked in phase 1, the write reading the person again by id.

ký số từ xa (engine.remote_signing) runs the same phases with the phone's answer for step 2.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.core.db import Database
from engine.core.errors import DomainError, NotFound
from engine.documents.storage import FileStore
from engine.models import Case, Delivery, Direction, Document, DocumentStatus, HumanTask, Secrecy, User
from engine.org import accounts
from engine.registry import registers
from engine.registry.intake import main_sha256
from engine.registry.tickets import TICKETS
from engine.signatures import binding, jobs, signatures
from engine.workflow import cases
from engine.workflow.actions import REGISTERING
from engine.workflow.bpmn_check import ACTION_PROPERTY
from engine.workflow.definitions import step_properties, version_info

ATTEMPTS = 50  # issues of one book racing for its next number: each round one of them wins it
ISSUE_ACTION = "issue_outgoing"

T = TypeVar("T")
# The request's person, its token checked in the read transaction; the write transaction reads
# the person again by id (engine.org.accounts.person_again), so no token lookup holds the write lock.
Who = Callable[[Session, datetime], User]
Then = Callable[[Session, User, Case, datetime], T]  # what the caller reads in the final transaction


def complete(db: Database, desk: signatures.Desk, task_id: str, data: Any, clock: Callable[[], datetime],
             who: Who, then: Then[T]) -> T:
    """Complete ``task_id`` with ``data`` as ``who`` is, signing outside any transaction; ``then``
    reads the answer in the completion's transaction."""
    for attempt in range(1, ATTEMPTS + 1):
        now = clock()
        with db.read() as session:
            user = who(session, now)
            user_id = user.id
            step = _step(session, user, task_id, data, now)
            job = plan(session, desk, user, task_id, step, data, now)
            unchecked = _unchecked_file(step)
        turn = (job.book, job.number) if isinstance(job, jobs.Seal) and job.book and job.number else None
        recorded = False
        try:
            ready = _made(desk, job, now)
            if unchecked is not None:
                ready = dataclasses.replace(ready, checked=signatures.check_file(desk.store, desk.keys, unchecked, now))
            if turn is not None:
                TICKETS.wait_turn(*turn)  # the issues of this book signing with smaller numbers record first
            with db.write() as session:
                user = accounts.person_again(session, user_id)
                answer = then(session, user, cases.complete_task(session, user, task_id, data, now, ready), now)
            recorded = True
            return answer
        except registers.NumberMoved:
            if attempt == ATTEMPTS:
                raise
        finally:
            if turn is not None:
                TICKETS.done(*turn, recorded)
    raise AssertionError("unreachable")


def _made(desk: signatures.Desk, job: jobs.Signature | jobs.Seal | None, now: datetime) -> signatures.Desk:
    """The desk with the completion's signature made, with no transaction open (the point of it
    all), or as it was when the completion signs nothing."""
    if job is None:
        return desk
    made = job.make(now)
    if isinstance(made, binding.Presigned):
        credentials = dataclasses.replace(desk.credentials, presigned=made)
    else:
        credentials = dataclasses.replace(desk.credentials, sealed=made)
    return dataclasses.replace(desk, credentials=credentials)


Step = tuple[HumanTask, Document | None, dict[str, str]]


def _step(session: Session, user: User, task_id: str, data: Any, now: datetime) -> Step | None:
    """The open task ``user`` may act on, its document and its step's properties; None when the
    completion will be refused (it refuses in its own order, in its transaction), and when it
    has nothing to do before its transaction (most steps: two columns read in one statement)."""
    try:
        if not _works_before(_properties(session, task_id), data.get("decision") if isinstance(data, dict) else None):
            return None
        return cases.task_step(session, user, task_id, now)
    except DomainError:
        return None


# Built once (engine/core/db.py says why): every completion's read runs it.
_STEP_OF_TASK = (select(HumanTask.spec_name, Case.process_version_id).join(Case, Case.id == HumanTask.case_id)
                 .where(HumanTask.id == bindparam("task_id")))


def _properties(session: Session, task_id: str) -> dict[str, str]:
    """The properties of task ``task_id``'s step, read as two columns: a completion that signs and
    checks nothing needs no more before its transaction, neither the task nor its case (whose
    saved workflow is its largest column). NotFound when there is no such task."""
    found = session.execute(_STEP_OF_TASK, {"task_id": task_id}).first()
    if found is None:
        raise NotFound("Không tìm thấy công việc.")
    return step_properties(version_info(session, found.process_version_id), found.spec_name)


def _works_before(props: dict[str, str], decision: Any) -> bool:
    """Whether a completion of a step with ``props`` and ``decision`` may sign (:func:`plan`) or
    check a file (:func:`_unchecked_file`) before its transaction."""
    return signatures.signing_kind(props, decision) is not None or props.get(ACTION_PROPERTY) in REGISTERING \
        or (props.get(ACTION_PROPERTY) == ISSUE_ACTION and decision == "issue")


def _unchecked_file(step: Step | None) -> str | None:
    """The main file of the incoming document a registering step (engine.workflow.actions
    ``REGISTERING``) numbers, when its signatures were not verified yet (a document received from
    another agency, a scan attached on the form): verified before the transaction, not in it."""
    if step is None:
        return None
    _, doc, props = step
    if doc is None or props.get(ACTION_PROPERTY) not in REGISTERING or doc.direction != Direction.INCOMING \
            or doc.status != DocumentStatus.DRAFT:
        return None
    sha = main_sha256(doc)
    return sha if sha != doc.verified_sha256 else None


def plan(session: Session, desk: signatures.Desk, user: User, task_id: str, step: Step | None, data: Any,
         now: datetime) -> jobs.Signature | jobs.Seal | None:
    """The job a completion of ``task_id`` (its ``step``) with ``data`` signs, or None. A refusal
    found here (no permission, no password) is left to the completion, which refuses it in its own
    order before any signing."""
    decision = data.get("decision") if isinstance(data, dict) else None
    if step is None:
        return None
    row, doc, props = step
    if doc is None or doc.direction != Direction.OUTGOING:
        return None  # nothing to sign (cases.signing_task's refusal)
    try:
        kind = signatures.signing_kind(props, decision)
        if kind in ("leader", "approval"):
            approval = (props, cases.approval_unit(session, row, props)) if kind == "approval" else None
            return jobs.signature(session, desk.store, desk.keys, doc, user, task_id, props, desk.credentials,
                                  approval)
        if props.get(ACTION_PROPERTY) == ISSUE_ACTION and decision == "issue" and doc.secrecy == Secrecy.NONE \
                and doc.status == DocumentStatus.DRAFT:
            paper = props.get("signatureMode") == "paper" or doc.signature_mode == Delivery.PAPER
            return jobs.seal(session, desk.store, desk.keys, doc, user, desk.credentials.agency_password, paper,
                             now, TICKETS.take)
    except DomainError:
        return None
    return None


def request_signature(db: Database, store: FileStore, keys: signatures.Keys, task_id: str, certificate: Any,
                      clock: Callable[[], datetime], who: Who) -> dict[str, Any]:
    """Split signing's first half (a USB token) in the same three phases: the request read, its PDF
    prepared (and the certificate's status checked) with no transaction open, then stored."""
    now = clock()
    with db.read() as session:
        user = who(session, now)
        user_id = user.id
        row, doc, props = cases.signing_task(session, user, task_id, now)
        approval = (props, cases.approval_unit(session, row, props)) if signatures.APPROVAL_PROPERTY in props else None
        job = jobs.split_request(session, store, keys, doc, user, task_id, props, certificate, approval)
    pending = job.begin(now)
    with db.write() as session:
        user = accounts.person_again(session, user_id)
        _, doc, _ = cases.signing_task(session, user, task_id, now)
        return signatures.record_split(session, doc, user, task_id, job.source, pending)
