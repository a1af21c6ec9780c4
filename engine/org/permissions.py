"""Who may see and do what. The one place that owns these rules.

A task may be completed by the people its lane resolved to, or by someone they have
delegated to (ủy quyền) for that day and process, who then acts "on behalf of" them.
A case may be seen by its initiator, its followers (đồng gửi), anyone who has or had a
task in it, and those people's active delegates; an agency's administrators and auditors
(kiểm tra viên) see all cases of their agency. Its designers change and deploy its processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, any_, bindparam, exists, false, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from engine.core.errors import Forbidden, Text
from engine.models import (
    Agency,
    Case,
    CaseFollower,
    Delegation,
    Direction,
    Document,
    DocumentParticipant,
    DocumentStatus,
    HumanTask,
    Position,
    ProcessVersion,
    RegisterBook,
    Secrecy,
    TaskCandidate,
    TaskStatus,
    Unit,
    User,
    UserPosition,
)

# Built once: every task completion asks (engine/core/db.py says why).
_CANDIDATES = select(TaskCandidate.user_id).where(TaskCandidate.task_id == bindparam("task_id"))


_GRANTS = select(Delegation.grantor_id, Delegation.scope).where(
    Delegation.delegate_id == bindparam("user_id"), Delegation.revoked.is_(False),
    Delegation.starts_on <= bindparam("today"), Delegation.ends_on >= bindparam("today"),
)


def active_grants(session: Session, user_id: int, today: date) -> list[tuple[int, str]]:
    """(grantor id, scope) of the delegations ``user_id`` holds today (every inbox and task view asks)."""
    return [(int(g), str(s)) for g, s in session.execute(_GRANTS, {"user_id": user_id, "today": today})]


def _scope_covers(scope: str, process_id: str) -> bool:
    return scope == "*" or process_id in {s.strip() for s in scope.split(",")}


def _seen_through(session: Session, user: User, today: date) -> tuple[list[int], list[ColumnElement[bool]]]:
    """Whose cases ``user`` sees through their delegations: the people (``user`` and the
    grantors of whole delegations) whose cases are theirs to see, and conditions on Case for
    the grantors of delegations limited to some processes: their cases of those processes only."""
    people: list[int] = [user.id]
    scoped: list[ColumnElement[bool]] = []
    for grantor, scope in active_grants(session, user.id, today):
        if scope == "*":
            people.append(grantor)
        else:
            scoped.append(and_(_involved([grantor]), exists().where(
                ProcessVersion.id == Case.process_version_id,
                ProcessVersion.process_id.in_([s.strip() for s in scope.split(",")]))))
    return people, scoped


def acting_for(session: Session, user: User, task: HumanTask, process_id: str, today: date,
               candidates: set[int] | None = None) -> int | None:
    """None if ``user`` may complete ``task`` in their own name, the grantor's id if they
    may through a delegation; Forbidden otherwise. ``candidates``: the task's candidates' ids,
    when the caller has read them already (a task's view reads them with their names)."""
    if candidates is None:
        candidates = set(session.scalars(_CANDIDATES, {"task_id": task.id}))
    if user.id in candidates:
        return None
    for grantor, scope in active_grants(session, user.id, today):
        if grantor in candidates and _scope_covers(scope, process_id):
            return grantor
    raise Forbidden("Bạn không được giao xử lý công việc này.")


def task_visibility(session: Session, user: User, today: date) -> ColumnElement[bool]:
    """A filter on HumanTask (joined with Case and ProcessVersion) for the tasks ``user`` may act on."""
    return visibility_of(user, active_grants(session, user.id, today))


def task_people(user: User, grants: list[tuple[int, str]]) -> list[int] | None:
    """:func:`visibility_of` as the people whose candidacies ``user`` acts on: themselves and the
    grantors of whole delegations; None when a delegation is limited to some processes."""
    if any(scope != "*" for _, scope in grants):
        return None
    return [user.id, *(grantor for grantor, _ in grants)]


def visibility_of(user: User, grants: list[tuple[int, str]]) -> ColumnElement[bool]:
    """:func:`task_visibility` with the delegations ``user`` holds today (:func:`active_grants`)."""
    conditions: list[ColumnElement[bool]] = [TaskCandidate.user_id == user.id]
    for grantor, scope in grants:
        cond = TaskCandidate.user_id == grantor
        if scope != "*":
            cond = and_(cond, ProcessVersion.process_id.in_([s.strip() for s in scope.split(",")]))
        conditions.append(cond)
    return or_(*conditions)


def holds(session: Session, user: User, agency_id: int, positions: Iterable[Position]) -> bool:
    """Whether the person holds one of these positions in a unit of the agency."""
    return session.scalar(
        select(exists().where(
            UserPosition.user_id == user.id, UserPosition.position.in_(list(positions)),
            UserPosition.unit_id == Unit.id, Unit.agency_id == agency_id,
        ))
    ) is True


def agencies_where(session: Session, user: User, position: Position) -> dict[str, int]:
    """The agencies (code -> id) where the person holds this position."""
    rows = session.execute(
        select(Agency.code, Agency.id).join(Unit, Unit.agency_id == Agency.id)
        .join(UserPosition, UserPosition.unit_id == Unit.id)
        .where(UserPosition.user_id == user.id, UserPosition.position == position)
    )
    return {code: agency_id for code, agency_id in rows}


def ensure_can_design(session: Session, user: User, agency_property: str | None) -> None:
    """Changing and deploying a process is for a designer (người thiết kế quy trình) of every
    agency whose staff may start it; a process open to all agencies is deployed from the
    command line (``qlvb process deploy``) by whoever runs the platform."""
    if not design_rule(session, user)(agency_property):
        raise Forbidden("Bạn không có quyền thiết kế và triển khai quy trình này.")


def design_rule(session: Session, user: User) -> Callable[[str | None], bool]:
    """The rule of ``ensure_can_design`` for one person, as a test of a process's ``agency``
    property, so that a list of processes is filtered with one query."""
    mine = set(agencies_where(session, user, Position.DESIGNER))

    def may(agency_property: str | None) -> bool:
        codes = agency_codes(agency_property)
        return bool(codes) and set(codes or ()) <= mine

    return may


def ensure_auditor(session: Session, user: User, agency_id: int) -> None:
    """The audit trail, replay and dossier of an agency's cases are for its auditors (kiểm tra viên)."""
    if not holds(session, user, agency_id, (Position.AUDITOR,)):
        raise Forbidden("Chỉ kiểm tra viên của cơ quan được xem nhật ký kiểm tra của hồ sơ này.")


def administered(session: Session, user: User) -> dict[str, int]:
    """The agencies (code -> id) whose users, units, delegations, keys and registers the
    person manages as their administrator (quản trị hệ thống); Forbidden if none."""
    mine = agencies_where(session, user, Position.ADMIN)
    if not mine:
        raise Forbidden("Chỉ quản trị hệ thống của cơ quan được dùng chức năng quản trị.")
    return mine


def operated(session: Session, user: User) -> dict[str, int]:
    """The agencies (code -> id) whose stuck cases the person repairs at the incident desk and
    moves between process versions: their administrators and their named operators (vận hành
    quy trình); Forbidden if none."""
    mine = {**agencies_where(session, user, Position.ADMIN), **agencies_where(session, user, Position.OPERATOR)}
    if not mine:
        raise Forbidden("Chỉ quản trị hệ thống hoặc người vận hành quy trình của cơ quan được xử lý sự cố.")
    return mine


def _involved(user_ids: list[int]) -> ColumnElement[bool]:
    # Copied per document into document_participants by the triggers of migration 0012: a
    # change to this rule is a new migration changing them (tests/test_search.py checks that
    # the table and this rule agree).
    return or_(
        Case.initiator_id.in_(user_ids),
        exists().where(CaseFollower.case_id == Case.id, CaseFollower.user_id.in_(user_ids)),
        exists().where(
            HumanTask.case_id == Case.id, TaskCandidate.task_id == HumanTask.id,
            TaskCandidate.user_id.in_(user_ids),
        ),
    )


def ensure_can_view(session: Session, user: User, case: Case, today: date) -> None:
    people, scoped = _seen_through(session, user, today)
    visible = session.scalar(select(exists().where(Case.id == case.id, or_(_involved(people), *scoped))))
    if not visible and not holds(session, user, case.agency_id, (Position.ADMIN, Position.AUDITOR)):
        raise Forbidden("Bạn không có quyền xem hồ sơ công việc này.")


def agencies_of(session: Session, user: User) -> set[int]:
    return set(session.scalars(
        select(Unit.agency_id).join(UserPosition, UserPosition.unit_id == Unit.id)
        .where(UserPosition.user_id == user.id)
    ))


def agency_codes(property_value: str | None) -> list[str] | None:
    """A process's ``agency`` property: one agency code, or several separated by commas
    (one diagram for an agency and its communes); None means any agency."""
    if property_value is None:
        return None
    return [code.strip() for code in property_value.split(",") if code.strip()]


def ensure_can_start(session: Session, user: User, version: ProcessVersion, agency_code: str | None) -> None:
    codes = agency_codes(agency_code)
    if codes is None:
        return
    allowed = set(session.scalars(select(Agency.id).where(Agency.code.in_(codes))))
    if not allowed & agencies_of(session, user):
        raise Forbidden(Text("Quy trình '%(process)s' thuộc cơ quan khác, bạn không được khởi tạo.",
                             process=version.name))


def positions_in(session: Session, user: User, agency_id: int) -> set[str]:
    rows = session.scalars(
        select(UserPosition.position).join(Unit, Unit.id == UserPosition.unit_id)
        .where(UserPosition.user_id == user.id, Unit.agency_id == agency_id)
    )
    return {p.value for p in rows}


# Who keeps the registers and may see every ordinary entry of them.
REGISTER_KEEPERS = frozenset({"clerk", "director", "deputy_director", "office_chief", "deputy_office_chief",
                              "admin"})
# Who may see a secret entry: the clerk and the leaders, not the system administrator.
SECRET_READERS = REGISTER_KEEPERS - {"admin"}
# Who may open every ordinary document of the agency: its keepers, and its auditors, who see
# every case (``ensure_can_view``) and so every document a case handles.
ORDINARY_READERS = REGISTER_KEEPERS | {"auditor"}


def ensure_clerk(session: Session, user: User, agency_id: int) -> None:
    if "clerk" not in positions_in(session, user, agency_id):
        raise Forbidden("Chỉ văn thư mới thực hiện được thao tác này.")


def _cases_of(session: Session, document: Document) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.document_id == document.id)))


def ensure_can_view_document(session: Session, user: User, document: Document, today: date) -> None:
    positions = positions_in(session, user, document.agency_id)
    if document.secrecy != Secrecy.NONE:
        # Văn bản mật: only the clerk and the leaders see even the register entry.
        if not positions & SECRET_READERS:
            raise Forbidden("Văn bản mật chỉ văn thư và lãnh đạo được xem.")
        return
    if positions & ORDINARY_READERS or document.created_by == user.id:
        return
    for case in _cases_of(session, document):
        try:
            ensure_can_view(session, user, case, today)
            return
        except Forbidden:
            continue
    raise Forbidden("Bạn không có quyền xem văn bản này.")


def ensure_can_forward(session: Session, user: User, document: Document, today: date) -> None:
    """Chuyển để biết: whoever may see an ordinary document may send it to colleagues of its
    agency to read (they then see it, as people sent it by a direction do); a secret one goes
    only where a direction sends it."""
    if document.secrecy != Secrecy.NONE:
        raise Forbidden("Văn bản mật không được chuyển để biết từ danh sách.")
    ensure_can_view_document(session, user, document, today)


def positions_by_agency(session: Session, user: User) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    rows = session.execute(
        select(Unit.agency_id, UserPosition.position).join(UserPosition, UserPosition.unit_id == Unit.id)
        .where(UserPosition.user_id == user.id)
    )
    for agency_id, position in rows:
        found.setdefault(agency_id, set()).add(position.value)
    return found


@dataclass(frozen=True)
class DocumentReach:
    """Which documents of which of their agencies a user may see, by the rule of
    ``ensure_can_view_document``."""

    every: tuple[int, ...] = ()  # secret readers: every document, secret ones included
    ordinary: tuple[int, ...] = ()  # other register keepers and auditors: every ordinary document
    own: tuple[int, ...] = ()  # everyone else: the ordinary documents they created or handle


def document_reach(session: Session, user: User) -> DocumentReach:
    by_agency = sorted(positions_by_agency(session, user).items())
    return DocumentReach(
        every=tuple(a for a, p in by_agency if p & SECRET_READERS),
        ordinary=tuple(a for a, p in by_agency if p & ORDINARY_READERS and not p & SECRET_READERS),
        own=tuple(a for a, p in by_agency if not p & ORDINARY_READERS),
    )


def document_visibility(session: Session, user: User, today: date,
                        reach: DocumentReach | None = None, driving: bool = False) -> ColumnElement[bool]:
    """The rule of ``ensure_can_view_document`` as a filter on Document, so that a list or a
    search over a million documents is filtered by the database, limited to the user's own
    agencies. ``driving``: the query has nothing narrower, so one's own documents are the
    set it starts from, on either backend (see ``_own``)."""
    reach = reach or document_reach(session, user)
    conditions: list[ColumnElement[bool]] = []
    if reach.every:
        conditions.append(Document.agency_id.in_(reach.every))
    if reach.ordinary:
        conditions.append(and_(Document.agency_id.in_(reach.ordinary), Document.secrecy == Secrecy.NONE))
    if reach.own:
        people, scoped = _seen_through(session, user, today)
        mine = _own(session, user.id, people, driving)
        if scoped:  # a delegation limited to some processes: the documents of those cases only
            mine = or_(mine, exists().where(Case.document_id == Document.id, or_(*scoped)))
        conditions.append(and_(Document.agency_id.in_(reach.own), Document.secrecy == Secrecy.NONE, mine))
    return or_(*conditions) if conditions else false()


def _own(session: Session, user_id: int, people: list[int], driving: bool = False) -> ColumnElement[bool]:
    """The documents ``user_id`` created or whose cases ``_involved`` admits ``people`` to:
    two index ranges, the documents they created and their pairs in DocumentParticipant
    (``_involved`` per document, kept by triggers: migration 0012), whose size is what they
    handled, whatever the number of documents it filters. Its shape is the one each planner
    does well with: SQLite can start a query from a lone IN list; PostgreSQL would plan that
    IN as a join from its row estimate, which for a text search is often a single row, and
    rescan the set for every match, while under an OR it keeps it as one hashed lookup per row."""
    involved = select(DocumentParticipant.document_id).where(DocumentParticipant.user_id.in_(people))
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql and not driving:
        return or_(Document.created_by == user_id, Document.id.in_(involved))
    created = aliased(Document)
    own = union(select(created.id).where(created.created_by == user_id), involved)
    if postgresql:
        # As an array computed first, the documents are read by their keys whatever the
        # estimates: a statement psycopg prepared runs on a generic plan, whose guesses (any
        # user's share, an unknown LIMIT) made it scan every document newest first (0.5 s).
        return Document.id == any_(func.array(own.scalar_subquery()))
    return Document.id.in_(own)


def ensure_register_keeper(session: Session, user: User) -> None:
    """The registers and their reports are for the register keepers of some agency; which
    books and which agency's figures, each view decides with the rules below."""
    if not any(p & REGISTER_KEEPERS for p in positions_by_agency(session, user).values()):
        raise Forbidden("Chỉ văn thư, lãnh đạo và quản trị của cơ quan được xem sổ đăng ký văn bản và báo cáo.")


def register_visibility(session: Session, user: User) -> ColumnElement[bool]:
    """A filter on RegisterBook for the books ``user`` may read (``ensure_can_read_register``)."""
    by_agency = positions_by_agency(session, user)
    readers = [a for a, p in by_agency.items() if p & SECRET_READERS]
    keepers = [a for a, p in by_agency.items() if p & REGISTER_KEEPERS]
    return or_(RegisterBook.agency_id.in_(readers),
               and_(RegisterBook.agency_id.in_(keepers), RegisterBook.secret.is_(False)))


def ensure_can_read_register(session: Session, user: User, book: RegisterBook) -> None:
    positions = positions_in(session, user, book.agency_id)
    if not positions & REGISTER_KEEPERS:
        raise Forbidden("Chỉ văn thư, lãnh đạo và quản trị của cơ quan được xem sổ đăng ký văn bản.")
    if book.secret and not positions & SECRET_READERS:
        raise Forbidden("Sổ văn bản mật chỉ văn thư và lãnh đạo được xem.")


def ensure_can_edit_document(session: Session, user: User, document: Document, today: date) -> None:
    """Add files or change a draft: its creator, the clerk, or whoever holds an open task on it.
    An outgoing draft the clerk did not create is theirs only at their own step (the issue): before
    it, the draft is the drafter's and the leaders'."""
    if document.created_by == user.id:
        return
    clerk = "clerk" in positions_in(session, user, document.agency_id)
    if clerk and not (document.direction == Direction.OUTGOING and document.status == DocumentStatus.DRAFT):
        return
    holds = session.scalar(select(exists().where(
        Case.document_id == document.id, HumanTask.case_id == Case.id, HumanTask.status == TaskStatus.OPEN,
        TaskCandidate.task_id == HumanTask.id, ProcessVersion.id == Case.process_version_id,
        task_visibility(session, user, today),
    )))
    if not holds:
        raise Forbidden("Bạn không có quyền sửa văn bản này.")
