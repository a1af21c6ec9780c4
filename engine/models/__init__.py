"""Tables of the platform, in the SQLAlchemy 2 typed style."""

from .audit import AuditEntry, AuditHead
from .base import Base
from .org import POSITION_TITLES, Agency, ApiToken, Delegation, Position, Unit, UnitKind, User, UserPosition
from .workflow import (
    Case,
    CaseFollower,
    CaseStatus,
    HumanTask,
    ProcessVersion,
    Register,
    TaskCandidate,
    TaskStatus,
    Timer,
)

__all__ = [
    "POSITION_TITLES",
    "CaseStatus",
    "TaskStatus",
    "UnitKind",
    "Agency",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "CaseFollower",
    "Delegation",
    "HumanTask",
    "Position",
    "ProcessVersion",
    "Register",
    "TaskCandidate",
    "Timer",
    "Unit",
    "User",
    "UserPosition",
]
