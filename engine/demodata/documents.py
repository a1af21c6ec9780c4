"""The demo agencies' documents, made in bulk (one pass of inserts, a few seconds), not through
hundreds of procedure steps: incoming documents registered months back and handled, under way,
overdue, secret, waiting to be registered; outgoing ones issued; some filed in records; and a
few real cases started through each agency's outgoing procedure, so that the inboxes hold
tasks. Dates run back from today, so that this month's figures are not empty either.

Issued demo documents carry no digital signature (they were not signed: the compliance report
shows them as such, and a third as signed on paper); every non-secret one has the agency's demo
PDF as its main file, whose text full-text search finds."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.documents import doctypes, documents
from engine.documents.storage import FileStore
from engine.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Delivery,
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
    Position,
    Record,
    RecordDocument,
    Secrecy,
    SignatureStatus,
    Unit,
    UnitKind,
    Urgency,
    User,
    UserPosition,
)
from engine.registry import registers

from . import letters, retention

INCOMING, OUTGOING, WAITING, SECRET, RECORDS = 40, 24, 4, 3, 2
DAYS_BACK = 180
PdfFile = tuple[str, int]  # sha256 and size of a stored file
URGENCIES = (Urgency.NORMAL,) * 6 + (Urgency.URGENT, Urgency.URGENT, Urgency.VERY_URGENT, Urgency.FLASH)


def _moment(rng: random.Random, i: int, now: datetime, every: int) -> datetime:
    """When the i-th document arrived or was issued: an eighth today (this month's figures are
    never empty, even on the 1st), some in the last fortnight, the others over six months."""
    if i % 8 == 0:
        return now - timedelta(minutes=20 * (i % 5 + 1))
    days = rng.randrange(15) if i % every == 0 else rng.randrange(1, DAYS_BACK)
    return (now - timedelta(days=max(days, 1))).astimezone(VIETNAM).replace(hour=8 + i % 9, minute=0, second=0,
                                                                            microsecond=0)


def _period(day: date) -> str:
    return f"tháng {day.month} năm {day.year}"


class _Agency:
    """What the demo needs of one agency: its units, people and books."""

    def __init__(self, session: Session, agency: Agency) -> None:
        self.agency = agency
        self.units = list(session.scalars(select(Unit).where(Unit.agency_id == agency.id).order_by(Unit.id)))
        self.departments = [u for u in self.units if u.kind not in (UnitKind.LEADERSHIP, UnitKind.OFFICE)] or self.units
        rows = session.execute(select(User, UserPosition.position, UserPosition.unit_id)
                               .join(UserPosition, UserPosition.user_id == User.id)
                               .where(UserPosition.unit_id.in_([u.id for u in self.units])).order_by(User.id))
        self.by_position: dict[Position, list[User]] = {}
        self.by_unit: dict[int, list[User]] = {}
        for user, position, unit_id in rows:
            self.by_position.setdefault(position, []).append(user)
            self.by_unit.setdefault(unit_id, []).append(user)
        self.clerk = (self.by_position.get(Position.CLERK) or [next(iter(self.by_unit.values()))[0]])[0]
        self.leader = (self.by_position.get(Position.DIRECTOR) or [self.clerk])[0]
        self.books = {code: registers.book(session, agency.id, code) for code in registers.DEFAULT_CODES}

    def person_in(self, unit: Unit) -> User:
        return (self.by_unit.get(unit.id) or [self.clerk])[-1]


def _main_file(sha: str, size: int, user: User, at: datetime) -> DocumentFile:
    return DocumentFile(role="main", filename="van-ban.pdf", sha256=sha, size=size, content_type="application/pdf",
                        uploaded_by=user.id, uploaded_at=at, page_count=1)


def _numbered(session: Session, doc: Document, book_code: str, a: _Agency, on: date) -> None:
    book = a.books[book_code]
    doc.book_id, doc.year = book.id, on.year
    doc.number = registers.take_number(session, book.id, on.year)


def _incoming(session: Session, a: _Agency, rng: random.Random, i: int, today: date, now: datetime,
              pdf: tuple[str, int], secret: bool) -> Document:
    at = _moment(rng, i, now, 5)
    arrival = at.astimezone(VIETNAM).date()
    k = rng.randrange(len(letters.ISSUERS))
    doc = Document(
        agency_id=a.agency.id, direction=Direction.INCOMING, status=DocumentStatus.REGISTERED,
        doc_type=letters.TYPES[i % len(letters.TYPES)], subject=letters.subject(i, _period(arrival)),
        urgency=rng.choice(URGENCIES), secrecy=Secrecy.SECRET if secret else Secrecy.NONE,
        number_symbol=f"{rng.randrange(1, 999)}/{letters.ISSUER_SYMBOLS[k]}", document_date=arrival - timedelta(days=2),
        issuer_name=letters.ISSUERS[k], arrival_date=arrival, due_date=arrival + timedelta(days=10 + i % 10),
        created_by=a.clerk.id, created_at=at, updated_at=at,
        files=[] if secret else [_main_file(*pdf, a.clerk, at)],
    )
    _numbered(session, doc, "incoming_secret" if secret else "incoming", a, arrival)
    documents.refresh_search_text(doc)
    session.add(doc)
    session.flush()
    unit = a.departments[i % len(a.departments)]
    handled = arrival < today - timedelta(days=25) and i % 7 != 0  # older ones are done, a few stay overdue
    if i % 6 != 5:  # a sixth waits for the leader's direction (no assignment yet)
        session.add(Assignment(document_id=doc.id, from_user_id=a.leader.id, to_unit_id=unit.id,
                               to_user_id=a.person_in(unit).id, role=AssignmentRole.MAIN,
                               deadline=doc.due_date,
                               status=AssignmentStatus.DONE if handled else AssignmentStatus.OPEN,
                               outcome="finished" if handled else None, created_at=at,
                               finished_at=at + timedelta(days=3) if handled else None))
    if handled:
        doc.status, doc.finished_at = DocumentStatus.FINISHED, at + timedelta(days=3)
    return doc


def _outgoing(session: Session, a: _Agency, rng: random.Random, i: int, now: datetime,
              pdf: tuple[str, int]) -> Document:
    at = _moment(rng, i, now, 4)
    issued_on = at.astimezone(VIETNAM).date()
    unit = a.departments[i % len(a.departments)]
    doc_type = letters.TYPES[(i + 3) % len(letters.TYPES)]
    paper = i % 3 == 0
    doc = Document(
        agency_id=a.agency.id, direction=Direction.OUTGOING, status=DocumentStatus.ISSUED, doc_type=doc_type,
        subject=letters.subject(i + 5, _period(issued_on)), urgency=rng.choice(URGENCIES),
        signer_position="Giám đốc", signer_name=a.leader.full_name, document_date=issued_on,
        signature_mode=Delivery.PAPER if paper else Delivery.ELECTRONIC,
        signature_status=SignatureStatus.PAPER if paper else SignatureStatus.NONE,
        drafting_unit_id=unit.id, created_by=a.person_in(unit).id, created_at=at - timedelta(days=2), updated_at=at,
        issued_at=at, files=[_main_file(*pdf, a.clerk, at)],
    )
    _numbered(session, doc, "outgoing", a, issued_on)
    doc.number_symbol = doctypes.number_symbol(doc.number or 0, doctypes.symbol(doc_type, a.agency.abbreviation,
                                                                                  unit.code))
    documents.refresh_search_text(doc)
    session.add(doc)
    return doc


def _waiting(a: _Agency, i: int, today: date, now: datetime, pdf: tuple[str, int]) -> Document:
    """Received through liên thông, not registered yet (chờ vào sổ)."""
    k = i % len(letters.ISSUERS)
    doc = Document(
        agency_id=a.agency.id, direction=Direction.INCOMING, status=DocumentStatus.DRAFT, doc_type="CV",
        subject=letters.subject(i + 2, _period(today)), number_symbol=f"{100 + i}/{letters.ISSUER_SYMBOLS[k]}",
        document_date=today - timedelta(days=1), issuer_name=letters.ISSUERS[k], created_by=a.clerk.id,
        created_at=now - timedelta(hours=i + 1), updated_at=now, files=[_main_file(*pdf, a.clerk, now)],
    )
    documents.refresh_search_text(doc)
    return doc


def empty_agencies(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the agencies without any document: those the demo fills."""
    has_documents = select(Document.id).where(Document.agency_id == Agency.id).exists()
    return [(code, name) for code, name in session.execute(
        select(Agency.code, Agency.name).where(~has_documents).order_by(Agency.id))]


def store_letters(store: FileStore, agencies: list[tuple[str, str]], fonts: tuple[Path, Path]) -> dict[str, PdfFile]:
    """Each agency's demo PDF, stored before the transaction that refers to it."""
    found = {}
    for code, name in agencies:
        content = letters.letter(name, *fonts)
        found[code] = store.put(io.BytesIO(content), len(content), lambda head: None)
    return found


def seed(session: Session, pdfs: dict[str, PdfFile], now: datetime) -> int:
    """Add the demo documents to the agencies of ``pdfs`` that have none yet; returns how many."""
    made = 0
    today = now.astimezone(VIETNAM).date()
    for agency in session.scalars(select(Agency).where(Agency.code.in_(pdfs)).order_by(Agency.id)):
        if session.scalar(select(func.count()).select_from(Document).where(Document.agency_id == agency.id)):
            continue
        rng = random.Random(agency.code)  # noqa: S311 - the same demo on every machine, not a secret
        a = _Agency(session, agency)
        pdf = pdfs[agency.code]
        incoming = [_incoming(session, a, rng, i, today, now, pdf, secret=i < SECRET) for i in range(INCOMING)]
        outgoing = [_outgoing(session, a, rng, i, now, pdf) for i in range(OUTGOING)]
        session.add_all(_waiting(a, i, today, now, pdf) for i in range(WAITING))
        session.flush()
        table = retention.seed(session, agency, now)
        for r in range(RECORDS):
            item = table[retention.INCOMING_RECORDS if r == 0 else retention.OUTGOING_RECORDS]
            record = Record(agency_id=agency.id, year=today.year, notation=f"{r + 1:02d}.{agency.abbreviation}",
                            title=f"Hồ sơ văn bản {'đến' if r == 0 else 'đi'} năm {today.year}", retention=item.term,
                            retention_item_id=item.id, access="Công khai", owner_id=a.clerk.id, created_at=now)
            session.add(record)
            session.flush()
            chosen = [d for d in (incoming if r == 0 else outgoing) if d.secrecy == Secrecy.NONE][:6]
            session.add_all(RecordDocument(record_id=record.id, document_id=d.id, added_by=a.clerk.id, added_at=now)
                            for d in chosen)
        made += len(incoming) + len(outgoing) + WAITING
    return made
