"""Tables of the platform, in the SQLAlchemy 2 typed style."""

from .audit import AuditEntry, AuditHead
from .base import Base
from .documents import (
    Delivery,
    Direction,
    Document,
    DocumentFile,
    DocumentLink,
    DocumentStatus,
    LinkKind,
    Recipient,
    RegisterBook,
    RegisterCounter,
    Secrecy,
    Urgency,
)
from .org import POSITION_TITLES, Agency, ApiToken, Delegation, Position, Unit, UnitKind, User, UserPosition
from .workflow import (
    Case,
    CaseFollower,
    CaseStatus,
    HumanTask,
    ProcessVersion,
    TaskCandidate,
    TaskStatus,
    Timer,
)

__all__ = [
    "Delivery",
    "Direction",
    "Document",
    "DocumentFile",
    "DocumentLink",
    "DocumentStatus",
    "LinkKind",
    "Recipient",
    "RegisterBook",
    "RegisterCounter",
    "Secrecy",
    "Urgency",
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
    "TaskCandidate",
    "Timer",
    "Unit",
    "User",
    "UserPosition",
]
