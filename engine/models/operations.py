"""Incidents (sự cố): a step of a case that failed — a lane resolving to nobody, a diagram's
code over its budget, a timer or liên thông error, an action's exception — kept until an
operator repairs the case from the incident desk (engine/operations)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Incident(Base):
    """One failing step of a case: the same failure again (a timer retried at every sweep)
    counts up on the open row instead of adding rows."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_case", "status", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # the refusal's audit action: lane_unresolved, script_failed...
    task_id: Mapped[str | None] = mapped_column(String(36))  # the open task (or timer) whose step failed
    message: Mapped[str] = mapped_column(Text)  # the error, in Vietnamese, as the refusal said it
    detail_json: Mapped[str] = mapped_column(Text, default="{}")  # the refusal's payload and what was entered
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who took the step, if a person
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    count: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[IncidentStatus] = mapped_column(str_enum(IncidentStatus, 16))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(Text)  # the repair and the operator's reason
