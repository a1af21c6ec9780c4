"""Benchmark: registers, inboxes and search with a million documents.

Not a test: it prints a table (README "Documents at scale"). Run with
``.venv/bin/python bench/documents_scale.py [--documents 1000000] [--backends sqlite,postgresql]``.

For each backend, a fresh database migrated to head, five synthetic agencies (health
centres of sixteen units and ~110 staff each, their register books), and ``--documents``
documents spread over 2022 to 20 November 2026 in time order: 60 % incoming, 38 %
outgoing, 2 % secret, numbered in their books without gaps; each has the case that
handled it, with its completed tasks, and the newest 2 % (one in fifty) an open task,
so that inboxes have the sizes of a working agency. Rows go in with SQLAlchemy Core
executemany in large batches on SQLite and with COPY on PostgreSQL (started as the test
suite does, tests/pgserver.py), secondary indexes built after the load, then ANALYZE.

Measured through the Flask test client (token check, permission filter, JSON), each as
p50 and p95 of ``--samples`` requests after a warm-up:

* a register page: ``GET /api/v1/registers/incoming?year=2026&page=P`` with P drawn
  from the middle third of the year, as the clerk of the first agency;
* an inbox: ``GET /api/v1/tasks``, as the director of the first agency (its largest);
* search: ``GET /api/v1/search?q=…`` over a rotation of queries (words, a phrase, a
  number and symbol), as the clerk (a register keeper: the whole agency) and as a
  specialist (only what they created or handled).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import Connection, column, create_engine, event, func, select, table, text  # noqa: E402

from engine.core import schema  # noqa: E402
from engine.core.clock import VIETNAM, FakeClock  # noqa: E402
from engine.core.config import Settings  # noqa: E402
from engine.core.platform import Platform  # noqa: E402
from engine.demo import DEMO_PASSWORD  # noqa: E402
from engine.documents import doctypes, documents, textfold  # noqa: E402
from engine.models import (  # noqa: E402
    Agency,
    Document,
    Position,
    ProcessVersion,
    RegisterBook,
    Unit,
    UnitKind,
    User,
    UserPosition,
)
from engine.org.accounts import hash_password  # noqa: E402
from engine.registry import registers  # noqa: E402
from engine.workflow import bpmn_check, definitions  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402
from webui import create_app  # noqa: E402

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
FIRST_DAY = date(2022, 1, 3)
LAST_DAY = date(2026, 11, 19)
BATCH = 50_000
SEARCHES = ["tiem chung", "sốt xuất huyết", "kế hoạch phòng chống dịch", "125/SYT", "quyet dinh phe duyet",
            "an toàn thực phẩm Xuân Đỉnh"]

AGENCIES = [
    ("btl", "Trung tâm Y tế quận Bắc Từ Liêm"), ("cg", "Trung tâm Y tế quận Cầu Giấy"),
    ("dd", "Trung tâm Y tế quận Đống Đa"), ("tt", "Trung tâm Y tế huyện Thanh Trì"),
    ("st", "Trung tâm Y tế thị xã Sơn Tây"),
]
UNITS = [("BGD", "Ban Giám đốc", UnitKind.LEADERSHIP), ("TCHC", "Phòng Tổ chức – Hành chính", UnitKind.OFFICE),
         ("KHNV", "Phòng Kế hoạch – Nghiệp vụ", UnitKind.DEPARTMENT),
         ("KSDB", "Khoa Kiểm soát dịch bệnh", UnitKind.WARD), ("ATTP", "Khoa An toàn thực phẩm", UnitKind.WARD),
         ("DS", "Khoa Dược", UnitKind.WARD), ("XN", "Khoa Xét nghiệm", UnitKind.WARD),
         ("DDCS", "Khoa Dân số – Chăm sóc sức khỏe sinh sản", UnitKind.WARD),
         *[(f"TYT{i}", f"Trạm Y tế phường số {i}", UnitKind.STATION) for i in range(1, 9)]]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Thu", "Minh", "Quốc", "Thanh", "Hồng", "Ngọc", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến"]
ACTIONS = ["triển khai", "tăng cường", "tổ chức", "hướng dẫn thực hiện", "báo cáo kết quả", "phê duyệt", "điều chỉnh",
           "kiểm tra", "tổng kết", "đôn đốc", "rà soát", "bổ sung kinh phí", "giao chỉ tiêu", "sơ kết", "tập huấn",
           "thành lập đoàn kiểm tra", "góp ý dự thảo", "cử cán bộ tham gia", "đề nghị phối hợp", "ban hành quy chế"]
TOPICS = ["tiêm chủng mở rộng", "phòng chống dịch sốt xuất huyết", "an toàn thực phẩm", "khám sức khỏe người cao tuổi",
          "bảo hiểm y tế học sinh", "tuyển dụng viên chức", "phòng cháy chữa cháy", "quyết toán ngân sách",
          "mua sắm trang thiết bị y tế", "cải cách hành chính", "chuyển đổi số y tế", "thi đua khen thưởng",
          "phòng chống tác hại thuốc lá", "dân số và phát triển", "chăm sóc sức khỏe sinh sản", "phòng chống HIV/AIDS",
          "quản lý bệnh không lây nhiễm", "phòng chống bệnh lao", "vệ sinh môi trường", "sức khỏe học đường",
          "hồ sơ sức khỏe điện tử", "phòng chống dịch tay chân miệng", "phòng chống dịch COVID-19",
          "đào tạo liên tục nhân viên y tế", "đấu thầu thuốc", "kiểm soát nhiễm khuẩn", "phụ cấp chống dịch",
          "công tác dược", "khám chữa bệnh bảo hiểm y tế", "truyền thông giáo dục sức khỏe", "uống vitamin A",
          "phòng chống suy dinh dưỡng trẻ em", "phòng chống bệnh dại", "tháng hành động vì an toàn thực phẩm",
          "công tác dân vận", "quy chế dân chủ cơ sở", "phòng chống tham nhũng", "công tác văn thư lưu trữ",
          "kế hoạch phòng chống dịch mùa đông", "phòng chống ngộ độc thực phẩm"]
WARDS = ["Cổ Nhuế 1", "Cổ Nhuế 2", "Xuân Đỉnh", "Đông Ngạc", "Đức Thắng", "Phú Diễn", "Phúc Diễn", "Minh Khai",
         "Thượng Cát", "Liên Mạc", "Tây Tựu", "Thụy Phương", "Xuân Tảo", "Yên Hòa", "Dịch Vọng", "Láng Thượng"]
SCOPES = ["trên địa bàn", "năm {y}", "quý I năm {y}", "quý II năm {y}", "quý III năm {y}", "quý IV năm {y}",
          "6 tháng đầu năm {y}", "tại phường {w}", "đợt {n} năm {y}", "tại các trạm y tế"]
ISSUERS = [("Sở Y tế Hà Nội", "SYT", "000.00.12.H26", ["NVY", "KHTC", "TCCB", "VP"]),
           ("Ủy ban nhân dân quận", "UBND", "000.00.21.H26", ["VX", "VP", "NC"]),
           ("Bộ Y tế", "BYT", "000.00.00.G18", ["DP", "KCB", "KH-TC"]),
           ("Trung tâm Kiểm soát bệnh tật Hà Nội", "CDC", "000.12.30.H26", ["KSDB", "TCHC"]),
           ("Bảo hiểm xã hội quận", "BHXH", "000.00.31.H26", ["GĐBHYT"]),
           ("Sở Nội vụ Hà Nội", "SNV", "000.00.13.H26", ["CCVC", "VP"]),
           ("Sở Tài chính Hà Nội", "STC", "000.00.14.H26", ["HCSN"]),
           ("Chi cục An toàn vệ sinh thực phẩm Hà Nội", "CCATVSTP", "000.12.31.H26", ["NV"])]
OUTGOING_TYPES = ["CV"] * 8 + ["KH"] * 3 + ["QĐ"] * 3 + ["TB"] * 2 + ["BC"] * 2 + ["GM", "TTr"]
INCOMING_TYPES = ["CV"] * 8 + ["KH"] * 2 + ["QĐ"] * 3 + ["TB"] * 2 + ["BC", "GM", "HD"]


@dataclass
class Staff:
    user_id: int
    unit_id: int
    name: str
    position: Position


@dataclass
class Org:
    """One synthetic agency: its books by code and its staff by role."""

    id: int
    code: str
    books: dict[str, int]
    units: dict[str, int]
    director: Staff
    deputies: list[Staff]
    clerks: list[Staff]
    heads: dict[int, Staff]  # unit id → head
    specialists: list[Staff]
    counters: dict[tuple[int, int], int] = field(default_factory=dict)  # (book, year) → last number


# ----------------------------------------------------------------------------------------
# The organisation, through the engine's models (a few hundred rows).


def _people(rng: random.Random) -> Iterator[str]:
    while True:
        yield f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def create_orgs(platform: Platform, rng: random.Random) -> list[Org]:
    hashed = hash_password(DEMO_PASSWORD)
    names = _people(rng)
    orgs = []
    with platform.db.write() as s:
        for index, (code, name) in enumerate(AGENCIES, start=1):
            agency = Agency(code=code, name=name, abbreviation="TTYT", identifier_code=f"000.99.{index:02d}.H26")
            s.add(agency)
            s.flush()
            registers.create_default_books(s, agency.id)
            units = {c: Unit(agency_id=agency.id, code=c, name=n, kind=k) for c, n, k in UNITS}
            s.add_all(units.values())
            s.flush()
            staff: list[tuple[User, Unit, Position]] = []

            def person(username: str, unit: Unit, position: Position, staff: list[Any] = staff) -> None:
                user = User(username=username, full_name=next(names), password_hash=hashed,
                            has_certificate=position in (Position.DIRECTOR, Position.DEPUTY_DIRECTOR))
                user.positions = [UserPosition(unit_id=unit.id, position=position)]
                staff.append((user, unit, position))

            person(f"{code}_director", units["BGD"], Position.DIRECTOR)
            for i in range(1, 4):
                person(f"{code}_deputy{i}", units["BGD"], Position.DEPUTY_DIRECTOR)
            for i in range(1, 3):
                person(f"{code}_clerk{i}", units["TCHC"], Position.CLERK)
            person(f"{code}_office_chief", units["TCHC"], Position.OFFICE_CHIEF)
            person(f"{code}_admin", units["TCHC"], Position.ADMIN)
            for unit_code, unit in units.items():
                if unit_code in ("BGD", "TCHC"):
                    continue
                person(f"{code}_head_{unit_code.lower()}", unit, Position.HEAD)
                for i in range(1, 7):
                    person(f"{code}_spec_{unit_code.lower()}{i}", unit, Position.SPECIALIST)
            s.add_all(u for u, _, _ in staff)
            s.flush()
            made = [Staff(u.id, unit.id, u.full_name, p) for u, unit, p in staff]
            books = dict(s.execute(select(RegisterBook.code, RegisterBook.id)
                                   .where(RegisterBook.agency_id == agency.id)).all())
            orgs.append(Org(
                id=agency.id, code=code, books=books, units={c: u.id for c, u in units.items()},
                director=made[0], deputies=[m for m in made if m.position == Position.DEPUTY_DIRECTOR],
                clerks=[m for m in made if m.position == Position.CLERK],
                heads={m.unit_id: m for m in made if m.position == Position.HEAD},
                specialists=[m for m in made if m.position == Position.SPECIALIST],
            ))
    return orgs


def deploy_processes(platform: Platform) -> int:
    files = sorted((ROOT / "processes").glob("*/*.bpmn"))
    checked = bpmn_check.check_files(files, ROOT / "forms", platform.settings.max_bpmn_bytes)
    with platform.db.write() as s:
        for d in checked:
            definitions.deploy(s, d, NOW, None)
        version_id: int = s.scalars(select(ProcessVersion.id).order_by(ProcessVersion.id)).first() or 0
    return version_id


# ----------------------------------------------------------------------------------------
# The documents and their cases, generated as rows in time order.

DOC_COLUMNS = ["id", "agency_id", "direction", "status", "doc_type", "subject", "urgency", "secrecy", "book_id",
               "year", "number", "number_symbol", "document_date", "issuer_organ_id", "issuer_name",
               "arrival_date", "signer_authority", "signer_position", "signer_name", "signature_mode",
               "signature_status", "issued_at", "finished_at", "drafting_unit_id", "due_date", "backfilled",
               "created_by", "created_at", "updated_at", "search_text"]
RECIPIENT_COLUMNS = ["document_id", "unit_id", "organ_id", "name", "delivery"]
CASE_COLUMNS = ["id", "process_version_id", "agency_id", "initiator_id", "initiator_unit_id", "document_id",
                "title", "status", "created_at", "updated_at", "state_json", "data_json", "revision"]
FOLLOWER_COLUMNS = ["case_id", "user_id", "since"]
TASK_COLUMNS = ["id", "case_id", "spec_name", "title", "lane", "form", "status", "created_at", "due_at",
                "completed_at", "completed_by", "on_behalf_of"]
CANDIDATE_COLUMNS = ["task_id", "user_id", "task_open"]
PARTICIPANT_COLUMNS = ["user_id", "document_id"]


@dataclass
class Rows:
    """One batch of rows for every table, in the order foreign keys need."""

    documents: list[tuple[Any, ...]] = field(default_factory=list)
    recipients: list[tuple[Any, ...]] = field(default_factory=list)
    cases: list[tuple[Any, ...]] = field(default_factory=list)
    followers: list[tuple[Any, ...]] = field(default_factory=list)
    tasks: list[tuple[Any, ...]] = field(default_factory=list)
    candidates: list[tuple[Any, ...]] = field(default_factory=list)
    # What the triggers of migration 0012 derive from the cases, followers and candidates:
    # loaded as rows only where the load bypasses triggers (PostgreSQL's replica role).
    participants: list[tuple[Any, ...]] = field(default_factory=list)

    def tables(self) -> list[tuple[str, list[str], list[tuple[Any, ...]]]]:
        return [("documents", DOC_COLUMNS, self.documents), ("recipients", RECIPIENT_COLUMNS, self.recipients),
                ("cases", CASE_COLUMNS, self.cases), ("case_followers", FOLLOWER_COLUMNS, self.followers),
                ("human_tasks", TASK_COLUMNS, self.tasks), ("task_candidates", CANDIDATE_COLUMNS, self.candidates),
                ("document_participants", PARTICIPANT_COLUMNS, self.participants)]


@cache
def fold(text_: str) -> str:
    return textfold.fold(text_)


WORD = re.compile(r"[0-9a-z]+")


def search_text(subject: str, number_symbol: str | None, issuer: str | None, doc_type: str) -> str:
    """What documents.refresh_search_text stores, from cached folds of the repeated parts."""
    parts = [fold(subject)]
    if number_symbol:
        number, _, symbol = number_symbol.partition("/")
        parts.append(f"{number}/{fold(symbol)}")
    if issuer:
        parts.append(fold(issuer))
    parts.append(fold(doctypes.DOC_TYPES[doc_type]))
    return " " + " ".join(w for part in parts for w in WORD.findall(part)) + " "


class Generator:
    def __init__(self, orgs: list[Org], version_id: int, total: int, rng: random.Random) -> None:
        self.orgs, self.version_id, self.total, self.rng = orgs, version_id, total, rng
        self.open_from = total - total // 50  # the newest one in fifty are still being handled
        self.issuer_numbers = {abbr: 0 for _, abbr, _, _ in ISSUERS}

    def subject(self, year: int) -> str:
        rng = self.rng
        scope = rng.choice(SCOPES).format(y=year, w=rng.choice(WARDS), n=rng.randint(1, 4))
        return f"Về việc {rng.choice(ACTIONS)} {rng.choice(TOPICS)} {scope}"

    def number(self, org: Org, book: str, year: int) -> tuple[int, int]:
        book_id = org.books[book]
        taken = org.counters.get((book_id, year), 0) + 1
        org.counters[(book_id, year)] = taken
        return book_id, taken

    def batches(self) -> Iterator[Rows]:
        rows = Rows()
        span = (LAST_DAY - FIRST_DAY).days + 1
        for doc_id in range(1, self.total + 1):
            day = FIRST_DAY + timedelta(days=(doc_id - 1) * span // self.total)
            self.document(rows, doc_id, day)
            if doc_id % BATCH == 0 or doc_id == self.total:
                yield rows
                rows = Rows()

    def document(self, rows: Rows, doc_id: int, day: date) -> None:
        rng = self.rng
        org = rng.choice(self.orgs)
        at = datetime(day.year, day.month, day.day, 1 + rng.randint(0, 8), rng.randint(0, 59), tzinfo=UTC)
        is_open = doc_id > self.open_from
        roll = rng.random()
        secret = roll < 0.02
        incoming = roll < 0.01 or 0.02 <= roll < 0.62
        subject = self.subject(day.year)
        urgency = "khan" if rng.random() < 0.1 else "thuong"
        if incoming:
            doc_type = rng.choice(INCOMING_TYPES)
            issuer, abbr, organ, suffixes = rng.choice(ISSUERS)
            self.issuer_numbers[abbr] = self.issuer_numbers[abbr] % 3000 + 1
            number_symbol = f"{self.issuer_numbers[abbr]}/{abbr}-{rng.choice(suffixes)}"
            clerk = rng.choice(org.clerks)
            book_id, number = self.number(org, "incoming_secret" if secret else "incoming", day.year)
            finished = not is_open and (NOW.date() - day).days > 20
            rows.documents.append((
                doc_id, org.id, "incoming", "finished" if finished else "registered", doc_type, subject, urgency,
                "mat" if secret else "thuong", book_id, day.year, number, number_symbol,
                day - timedelta(days=rng.randint(0, 6)), organ, issuer, day, None, None, None, "electronic", "none",
                None, at + timedelta(days=10) if finished else None, None, day + timedelta(days=15), False,
                clerk.user_id, at, at, search_text(subject, number_symbol, issuer, doc_type)))
            handler = rng.choice(org.specialists)
            steps = [("direct", "Cho ý kiến chỉ đạo", "director", [org.director]),
                     ("handle", "Xử lý văn bản đến", "user(data.handler)", [handler])]
            self.case(rows, org, doc_id, clerk, subject, at, steps[:rng.randint(1, 2)] if is_open else steps, is_open)
            return
        drafter = rng.choice(org.specialists)
        doc_type = rng.choice(OUTGOING_TYPES)
        signer = rng.choice([org.director, *org.deputies])
        authority = "" if signer is org.director else "KT."
        unit_code = next(c for c, i in org.units.items() if i == drafter.unit_id)
        if is_open:  # still a draft: no number yet
            book_id, number, number_symbol, issued = None, None, None, None
        else:
            book_id, number = self.number(org, "outgoing_secret" if secret else "outgoing", day.year)
            number_symbol = doctypes.number_symbol(number, doctypes.symbol(doc_type, "TTYT", unit_code))
            issued = at + timedelta(days=3)
            external = rng.choice(ISSUERS)
            rows.recipients.append((doc_id, None, external[2], external[0], "electronic"))
            rows.recipients.append((doc_id, org.units["TCHC"], None, "Lưu: VT", "paper"))
        rows.documents.append((
            doc_id, org.id, "outgoing", "draft" if is_open else "issued", doc_type, subject, urgency,
            "mat" if secret else "thuong", book_id, day.year if number else None, number, number_symbol,
            day if number else None, None, None, None, authority or None,
            "Giám đốc" if signer is org.director else "Phó Giám đốc", signer.name, "electronic",
            "none" if is_open else "valid", issued, None, drafter.unit_id, None, False, drafter.user_id, at, at,
            search_text(subject, number_symbol, None, doc_type)))
        head = org.heads[drafter.unit_id]
        steps = [("head_review", "Trưởng đơn vị xem xét", "head(initiator)", [head]),
                 ("director_sign", "Lãnh đạo ký duyệt", "director", [org.director]),
                 ("clerk_issue", "Văn thư phát hành", "clerk", org.clerks)]
        # A finished outgoing case went through all three steps; an open one waits at one of them.
        self.case(rows, org, doc_id, drafter, subject, at, steps[:rng.randint(1, 3)] if is_open else steps, is_open)

    def case(self, rows: Rows, org: Org, doc_id: int, initiator: Staff, subject: str, at: datetime,
             steps: list[tuple[str, str, str, list[Staff]]], waiting: bool) -> None:
        """The document's case (one per document, same id) with a task per step done, the
        last one still open if the case is ``waiting``."""
        case_id = doc_id
        rows.cases.append((case_id, self.version_id, org.id, initiator.user_id, initiator.unit_id, doc_id,
                           subject, "running" if waiting else "completed", at, at, "{}", "{}", 1))
        rows.followers.append((case_id, initiator.user_id, at))
        people = {initiator.user_id}
        for index, (spec, title, lane, staff) in enumerate(steps):
            task_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            created = at + timedelta(hours=index + 1)
            is_open = waiting and index == len(steps) - 1
            if is_open:
                rows.tasks.append((task_id, case_id, spec, title, lane, None, "open", created, None, None, None, None))
            else:
                rows.tasks.append((task_id, case_id, spec, title, lane, None, "completed", created, None,
                                   created + timedelta(hours=1), staff[0].user_id, None))
            rows.candidates.extend((task_id, p.user_id, is_open) for p in staff)
            people.update(p.user_id for p in staff)
        rows.participants.extend((user_id, doc_id) for user_id in sorted(people))


# ----------------------------------------------------------------------------------------
# Loading: Core executemany on SQLite, COPY on PostgreSQL, indexes built afterwards.


def _secondary_indexes(conn: Connection, postgres: bool, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the plain indexes of ``tables``, not those backing a key."""
    if postgres:
        rows = conn.execute(text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(:t) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"), {"t": tables})
    else:
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                 "AND tbl_name IN (SELECT value FROM json_each(:t))"), {"t": json.dumps(tables)})
    return [(str(n), str(d)) for n, d in rows]


def _to_sqlite(value: Any) -> Any:
    # SQLAlchemy's format for DateTime on SQLite; the driver's own adapter drops zero microseconds.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def load(url: str, generator: Generator) -> None:
    postgres = url.startswith("postgresql")
    engine = create_engine(url)
    if not postgres:
        @event.listens_for(engine, "connect")
        def _big_cache(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA cache_size = -1000000")  # 1 GB: the indexes of random UUIDs

    tables = [name for name, _, _ in Rows().tables()]
    with engine.begin() as conn:
        indexes = _secondary_indexes(conn, postgres, tables)
        for name, _ in indexes:
            conn.execute(text(f"DROP INDEX {name}"))
    for rows in generator.batches():
        with engine.begin() as conn:
            if postgres:
                # The rows are consistent by construction; skipping the foreign-key triggers
                # is the usual bulk load (COPY + replica role), as a restore does.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                for name, columns, data in rows.tables():
                    with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row([v.replace(tzinfo=None) if isinstance(v, datetime) else v
                                            for v in row])
            else:
                for name, columns, data in rows.tables():
                    if name == "document_participants":
                        continue  # the triggers of migration 0012 wrote them with the cases
                    conn.exec_driver_sql(
                        f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",  # noqa: S608
                        [tuple(_to_sqlite(v) for v in row) for row in data])
        print(f"  {rows.documents[-1][0]:,} documents", file=sys.stderr, flush=True)
    with engine.begin() as conn:
        for org in generator.orgs:
            for (book_id, year), last in org.counters.items():
                conn.execute(text("INSERT INTO register_counters (book_id, year, last_number) VALUES (:b, :y, :n)"),
                             {"b": book_id, "y": year, "n": last})
        if postgres:
            conn.execute(text("SET maintenance_work_mem = '1GB'"))
            for name in ("documents", "cases", "recipients"):
                ids = table(name, column("id")).c.id
                conn.execute(select(func.setval(func.pg_get_serial_sequence(name, "id"),
                                                select(func.max(ids)).scalar_subquery())))
        for _, definition in indexes:
            conn.execute(text(definition))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))
    engine.dispose()


# ----------------------------------------------------------------------------------------
# Measuring.


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


class Probe:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def get(self, username: str, path: str) -> Any:
        if username not in self.tokens:
            r = self.client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
            self.tokens[username] = r.get_json()["token"]
        r = self.client.get(path, headers={"Authorization": f"Bearer {self.tokens[username]}"})
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code} {r.get_json()}")
        return r.get_json()

    def time(self, username: str, paths: Callable[[int], str], samples: int) -> list[float]:
        for i in range(5):
            self.get(username, paths(i))
        times = []
        for i in range(samples):
            t0 = time.perf_counter()
            self.get(username, paths(i))
            times.append(time.perf_counter() - t0)
        return times


def measure(platform: Platform, orgs: list[Org], samples: int, rng: random.Random) -> dict[str, Any]:
    probe = Probe(create_app(platform).test_client())
    org = orgs[0]
    clerk, director = f"{org.code}_clerk1", f"{org.code}_director"
    specialist = f"{org.code}_spec_ksdb1"
    year = NOW.astimezone(VIETNAM).year
    register = probe.get(clerk, f"/api/v1/registers/incoming?year={year}")
    pages = max(1, register["total"] // 20)
    middle = [rng.randint(pages // 3 + 1, max(pages // 3 + 1, 2 * pages // 3)) for _ in range(samples + 5)]
    inbox = probe.get(director, "/api/v1/tasks")["total"]
    result: dict[str, Any] = {
        "register entries": register["total"], "inbox size": inbox,
        "register page": percentiles(probe.time(
            clerk, lambda i: f"/api/v1/registers/incoming?year={year}&page={middle[i]}", samples)),
        "inbox": percentiles(probe.time(director, lambda i: "/api/v1/tasks", samples)),
    }
    for label, user in (("clerk", clerk), ("specialist", specialist)):
        result[f"search hits ({label})"] = {q: probe.get(user, f"/api/v1/search?q={q}")["total"] for q in SEARCHES}
        times = probe.time(user, lambda i: f"/api/v1/search?q={SEARCHES[i % len(SEARCHES)]}", samples)
        result[f"search ({label})"] = percentiles(times)
        result[f"search p50 by query ({label})"] = {
            q: statistics.median(times[n::len(SEARCHES)]) * 1000 for n, q in enumerate(SEARCHES)}
    return result


def run(backend: str, total: int, samples: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    workdir = Path(tempfile.mkdtemp(prefix="qlvb-scale-"))
    server = None
    if backend == "postgresql":
        server = PostgresServer()
        server.start()
        with create_engine(server.url(), isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text("CREATE DATABASE bench"))
        url = server.url("bench")
    else:
        url = f"sqlite:///{workdir / 'qlvb.sqlite3'}"
    try:
        platform = Platform.from_settings(Settings(database_url=url, data_dir=workdir / "data"), FakeClock(NOW))
        t0 = time.perf_counter()
        schema.upgrade(platform.db)
        version_id = deploy_processes(platform)
        orgs = create_orgs(platform, rng)
        generator = Generator(orgs, version_id, total, rng)
        _check_search_text(generator)
        load(url, generator)
        generated = time.perf_counter() - t0
        _check_participants(url, f"{orgs[0].code}_spec_ksdb1")
        platform.db.dispose()
        result = measure(platform, orgs, samples, rng)
        result["generation (s)"] = generated
        platform.db.dispose()
        return result
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _check_participants(url: str, username: str) -> None:
    """The specialist's pairs in document_participants (written by the triggers on SQLite, by
    the generator on PostgreSQL) are those the rule gives from the cases."""
    engine = create_engine(url)
    with engine.connect() as conn:
        user_id = conn.execute(text("SELECT id FROM users WHERE username = :u"), {"u": username}).scalar_one()
        pairs = set(conn.scalars(text("SELECT document_id FROM document_participants WHERE user_id = :u"),
                                 {"u": user_id}))
        rule = set(conn.scalars(text(
            "SELECT document_id FROM cases WHERE initiator_id = :u AND document_id IS NOT NULL "
            "UNION SELECT c.document_id FROM case_followers f JOIN cases c ON c.id = f.case_id "
            "WHERE f.user_id = :u AND c.document_id IS NOT NULL "
            "UNION SELECT c.document_id FROM task_candidates k JOIN human_tasks t ON t.id = k.task_id "
            "JOIN cases c ON c.id = t.case_id WHERE k.user_id = :u AND c.document_id IS NOT NULL"), {"u": user_id}))
    engine.dispose()
    assert pairs == rule and pairs, (len(pairs), len(rule))


def _check_search_text(generator: Generator) -> None:
    """The synthetic search text is the one documents.refresh_search_text would store."""
    for subject, number_symbol, issuer, doc_type in [
        (generator.subject(2026), "125/SYT-NVY", "Sở Y tế Hà Nội", "QĐ"),
        (generator.subject(2025), "05/QĐ-TTYT", None, "QĐ"), (generator.subject(2024), None, None, "CV"),
    ]:
        doc = Document(subject=subject, number_symbol=number_symbol, issuer_name=issuer, doc_type=doc_type)
        documents.refresh_search_text(doc)
        assert doc.search_text == search_text(subject, number_symbol, issuer, doc_type), doc.search_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    results = {}
    for backend in args.backends.split(","):
        print(f"{backend}: generating {args.documents:,} documents", file=sys.stderr, flush=True)
        results[backend] = run(backend, args.documents, args.samples, args.seed)
        for key, value in results[backend].items():
            print(f"  {key}: {value}", file=sys.stderr, flush=True)
    print(f"{'request':<22}" + "".join(f" | {b + ' p50 / p95 (ms)':>28}" for b in results))
    for key in ("register page", "inbox", "search (clerk)", "search (specialist)"):
        print(f"{key:<22}" + "".join(f" | {r[key][0]:>13.1f} / {r[key][1]:>12.1f}" for r in results.values()))
    print(f"{'generation (s)':<22}" + "".join(f" | {r['generation (s)']:>28.0f}" for r in results.values()))
    print("search p50 by query, clerk / specialist (ms):")
    for q in SEARCHES:
        print(f"  {q:<28}" + "".join(f" | {r['search p50 by query (clerk)'][q]:>6.1f} / "
                                     f"{r['search p50 by query (specialist)'][q]:>6.1f}" for r in results.values()))


if __name__ == "__main__":
    main()
