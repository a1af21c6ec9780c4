"""Deployed process versions, running cases, their open human tasks and timers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, str_enum

if TYPE_CHECKING:
    from .documents import Document


class ProcessVersion(Base):
    """One deployed version of a process: its BPMN and its forms, frozen by content hash."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(255))
    agency_code: Mapped[str | None] = mapped_column(String(32))  # whose staff may start it
    document_kind: Mapped[str | None] = mapped_column(String(16))  # the document it handles: outgoing/incoming
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms_json: Mapped[str] = mapped_column(Text)  # {form name: JSON Schema}
    # {form name: UI description} a designer deployed with the version; forms/ has the others
    ui_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))



class ProcessDraft(Base):
    """A designer's unfinished change to a process (bản nháp): kept by "Lưu" without being
    deployed, one per process, started from a deployed version and gone once deployed."""

    __tablename__ = "process_drafts"

    process_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms_json: Mapped[str] = mapped_column(Text)  # {form name: JSON Schema}, the designer's edits included
    ui_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")  # the UI descriptions edited
    saved_at: Mapped[datetime]
    saved_by: Mapped[int] = mapped_column(ForeignKey("users.id"))

class CaseStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    initiator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    initiator_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)  # the văn bản handled
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, 16), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The live part of the SpiffWorkflow instance, without its diagram (see engine.workflow.state).
    state_json: Mapped[str] = mapped_column(Text)
    data_json: Mapped[str] = mapped_column(Text, default="{}")  # the case data after the last step
    revision: Mapped[int] = mapped_column(Integer, default=1)

    process_version: Mapped[ProcessVersion] = relationship()
    # A step reads its document through the case (engine.workflow.cases), so that the case holds
    # it for the rest of the transaction: one reached only by Session.get leaves the (weak)
    # identity map with the step's objects, and the answer (queries.completion_view) read it again.
    document: Mapped[Document | None] = relationship(viewonly=True)

    __mapper_args__ = {"version_id_col": revision}


class CaseFollower(Base):
    """Đồng gửi: people who follow a case without a task in it."""

    __tablename__ = "case_followers"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    since: Mapped[datetime]


class DocumentParticipant(Base):
    """Who takes part in a document's cases (their initiator, followers and task candidates,
    the rule of ``engine.org.permissions._involved``), so that the documents someone who is not a
    register keeper takes part in are one range of the key. Kept by database triggers
    (migration 0012), so that no code path that adds a follower, opens a task or links a
    case to its document has to remember it; read only by ``engine.org.permissions``."""

    __tablename__ = "document_participants"
    __table_args__ = (
        # A document's pairs, recomputed by the triggers when a case's people change.
        Index("ix_document_participants_document", "document_id", "user_id"),
        {"sqlite_with_rowid": False},
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class HumanTask(Base):
    """A user task of a case, kept apart from the workflow so that an inbox never loads one."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        Index("ix_human_tasks_case_status", "case_id", "status"),
        # From a task to its case without the row: who took part in which case (0008).
        Index("ix_human_tasks_id_case", "id", "case_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the SpiffWorkflow task id
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    spec_name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str] = mapped_column(String(255))
    form: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus, 16))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_behalf_of: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    candidates: Mapped[list[TaskCandidate]] = relationship(cascade="all, delete-orphan")


class TaskCandidate(Base):
    """Who the task's lane resolved to; delegates act through ``engine.org.permissions``."""

    __tablename__ = "task_candidates"
    # A user's inbox, read without visiting the tasks they had before, and their tasks'
    # ids without visiting the rows (migration 0008).
    __table_args__ = (Index("ix_task_candidates_user_open", "user_id", "task_open", "task_id"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("human_tasks.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    # Whether the task is open: a copy of HumanTask.status kept by a database trigger
    # (migration 0008), so that no code path that closes a task has to remember it.
    task_open: Mapped[bool] = mapped_column(server_default=true())


class Timer(Base):
    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_pending", "fired_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))  # the waiting timer event's task
    spec_name: Mapped[str] = mapped_column(String(255))
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    cancelled: Mapped[bool] = mapped_column(default=False)

