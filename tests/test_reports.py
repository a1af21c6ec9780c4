"""Reports on the registers: totals equal exactly what the test registered, issued and
handled; overdue as the clock moves; signature compliance; keepers only; bad parameters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from engine.core.clock import VIETNAM, FakeClock
from engine.core.platform import Platform
from engine.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Direction,
    Document,
    DocumentStatus,
    Secrecy,
    SignatureStatus,
    Unit,
    User,
)
from engine.registry import registers
from tests.conftest import START, Api
from tests.flows import issue_via_deputy

INCOMING = {"doc_type": "QĐ", "subject": "Về việc tổ chức tiêm chủng mở rộng đợt 1 năm 2026",
            "number_symbol": "125/QĐ-SYT", "issuer_name": "Sở Y tế Hà Nội", "document_date": "2026-02-27"}
ZEROS = {"incoming": 0, "outgoing": 0, "processed": 0, "unprocessed": 0, "overdue": 0}
UNCHANGED = {"recalled": 0, "corrected": 0, "replaced": 0, "voided": 0,  # test_lifecycle counts them
             "notices": 0}  # test_info_items counts them


def _register(api: Api, **data: Any) -> int:
    # The same sender's document many times over: each is confirmed past the duplicate warning.
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": {**INCOMING, **data},
                                                     "confirm_duplicates": True})
    assert r.status_code == 201, r.get_json()
    document_id: int = r.get_json()["document"]["id"]
    return document_id


def _ids(platform: Platform) -> tuple[int, int, dict[str, int]]:
    with platform.db.read() as s:
        agency_id = s.scalar(select(Agency.id).where(Agency.code == "btl"))
        clerk_id = s.scalar(select(User.id).where(User.username == "btl_clerk"))
        units = dict(s.execute(select(Unit.code, Unit.id).where(Unit.agency_id == agency_id)).all())
    assert agency_id is not None and clerk_id is not None
    return agency_id, clerk_id, units


def _assign(platform: Platform, document_id: int, unit: str, role: AssignmentRole = AssignmentRole.MAIN,
            status: AssignmentStatus = AssignmentStatus.OPEN, deadline: date | None = None) -> None:
    _, clerk_id, units = _ids(platform)
    with platform.db.write() as s:
        s.add(Assignment(document_id=document_id, from_user_id=clerk_id, to_unit_id=units[unit], role=role,
                         status=status, deadline=deadline, created_at=START,
                         finished_at=START if status == AssignmentStatus.DONE else None))


def _finish(platform: Platform, document_id: int) -> None:
    with platform.db.write() as s:
        doc = s.get(Document, document_id)
        assert doc is not None
        doc.status, doc.finished_at = DocumentStatus.FINISHED, START


def _issued(platform: Platform, at: datetime, unit: str | None, signature: SignatureStatus = SignatureStatus.NONE,
            secrecy: Secrecy = Secrecy.NONE) -> int:
    """An outgoing document issued at ``at``, written directly (its procedure is not the point)."""
    agency_id, clerk_id, units = _ids(platform)
    year = at.astimezone(VIETNAM).year
    with platform.db.write() as s:
        book = registers.book(s, agency_id, "outgoing" if secrecy == Secrecy.NONE else "outgoing_secret")
        number = registers.take_number(s, book.id, year)
        doc = Document(agency_id=agency_id, direction=Direction.OUTGOING, status=DocumentStatus.ISSUED,
                       doc_type="CV", subject="Về việc báo cáo công tác phòng chống dịch", book_id=book.id,
                       year=year, number=number, number_symbol=f"{number:02d}/TTYT-VP", secrecy=secrecy,
                       signature_status=signature, issued_at=at, drafting_unit_id=units[unit] if unit else None,
                       created_by=clerk_id, created_at=at, updated_at=at)
        s.add(doc)
        s.flush()
        return doc.id


def _issue_through_the_procedure(api: Api) -> int:
    """Bắc Từ Liêm outgoing, KSDB path: the deputy in charge signs, the clerk issues."""
    case = issue_via_deputy(api)
    assert case["document"]["status"] == "issued"
    document_id: int = case["document"]["id"]
    return document_id


def _summary(api: Api, query: str, user: str = "btl_clerk") -> dict[str, Any]:
    r = api.get(user, f"/api/v1/reports/summary?{query}")
    assert r.status_code == 200, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def _unit(report: dict[str, Any], code: str | None) -> dict[str, Any]:
    row: dict[str, Any] = next(u for u in report["units"] if (u["unit"]["code"] if u["unit"] else None) == code)
    return row


def _figures(row: dict[str, Any]) -> dict[str, int]:
    return {k: row[k] for k in ZEROS}


def test_summary_counts_exactly_what_was_registered_issued_and_handled(api: Api, platform: Platform,
                                                                       clock: FakeClock) -> None:
    done = _register(api)  # KHNV, its main assignment done
    late = _register(api, arrival_date="2026-02-20", due_date="2026-03-09")  # KHNV, open, due 9 March
    chased = _register(api, number_symbol="126/QĐ-SYT")  # KSDB, open, deadline 5 March
    secret = _register(api, secrecy="mat", number_symbol="07/M-SYT")  # no unit, finished
    _register(api, arrival_date="2025-12-31")  # before the period
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": INCOMING, "register": False})
    assert r.status_code == 201  # received, not registered: not counted
    _assign(platform, done, "KHNV", status=AssignmentStatus.DONE)
    _assign(platform, late, "KSDB", status=AssignmentStatus.RETURNED)  # sent back, then given to KHNV
    _assign(platform, late, "KHNV")
    _assign(platform, late, "KSDB", role=AssignmentRole.CO, status=AssignmentStatus.DONE)
    _assign(platform, chased, "KSDB", deadline=date(2026, 3, 5))
    _finish(platform, secret)
    _issue_through_the_procedure(api)  # KSDB, 2 March
    # 00:30 on 1 February in Hà Nội is still 31 January in UTC: it belongs to February.
    _issued(platform, datetime(2026, 1, 31, 17, 30, tzinfo=UTC), "TYT1")
    _issued(platform, datetime(2026, 4, 1, 3, 0, tzinfo=UTC), "TYT1")  # after the period

    report = _summary(api, "from=2026-01-01&to=2026-03-31&group=month")
    assert (report["as_of"], report["group"], report["agency"]["code"]) == ("2026-03-02", "month", "btl")
    assert report["totals"] == {"incoming": 4, "outgoing": 2, "processed": 2, "unprocessed": 2, "overdue": 0,
                                **UNCHANGED}
    assert [(p["period"], p["from"], p["to"]) for p in report["periods"]] == [
        ("2026-01", "2026-01-01", "2026-01-31"), ("2026-02", "2026-02-01", "2026-02-28"),
        ("2026-03", "2026-03-01", "2026-03-31")]
    assert [_figures(p) for p in report["periods"]] == [
        ZEROS, {**ZEROS, "incoming": 1, "outgoing": 1, "unprocessed": 1},
        {**ZEROS, "incoming": 3, "outgoing": 1, "processed": 2, "unprocessed": 1}]
    assert _figures(_unit(report, "KHNV")) == {**ZEROS, "incoming": 2, "processed": 1, "unprocessed": 1}
    assert _figures(_unit(report, "KSDB")) == {**ZEROS, "incoming": 1, "outgoing": 1, "unprocessed": 1}
    assert _figures(_unit(report, "TYT1")) == {**ZEROS, "outgoing": 1}
    assert _figures(_unit(report, None)) == {**ZEROS, "incoming": 1, "processed": 1}
    assert _figures(_unit(report, "BGD")) == ZEROS
    assert [_figures(p) for p in _unit(report, "KHNV")["periods"]] == [
        ZEROS, {**ZEROS, "incoming": 1, "unprocessed": 1}, {**ZEROS, "incoming": 1, "processed": 1}]
    assert "Về việc" not in str(report)  # counts only, no subjects

    by_day = _summary(api, "from=2026-03-01&to=2026-03-02&group=day")
    assert [(p["period"], p["incoming"], p["outgoing"]) for p in by_day["periods"]] == [
        ("2026-03-01", 0, 0), ("2026-03-02", 3, 1)]
    by_quarter = _summary(api, "from=2026-02-15&to=2026-06-30&group=quarter")
    assert [(p["period"], p["from"], p["incoming"], p["outgoing"]) for p in by_quarter["periods"]] == [
        ("2026-Q1", "2026-02-15", 4, 1), ("2026-Q2", "2026-04-01", 0, 1)]  # 1 February is out
    by_year = _summary(api, "from=2025-12-01&to=2026-12-31&group=year")
    assert [(p["period"], p["incoming"], p["outgoing"]) for p in by_year["periods"]] == [
        ("2025", 1, 0), ("2026", 4, 3)]

    clock.advance(timedelta(days=5))  # 7 March: the 5 March deadline has passed
    api.tokens.clear()  # tokens live 12 hours
    report = _summary(api, "from=2026-01-01&to=2026-03-31")
    assert (report["as_of"], report["totals"]["overdue"]) == ("2026-03-07", 1)
    assert _unit(report, "KSDB")["overdue"] == 1
    clock.advance(timedelta(days=4))  # 11 March: the 9 March due date too
    api.tokens.clear()
    report = _summary(api, "from=2026-01-01&to=2026-03-31")
    assert report["totals"]["overdue"] == 2
    assert [p["overdue"] for p in report["periods"]] == [0, 1, 1]
    _finish(platform, late)
    assert _summary(api, "from=2026-01-01&to=2026-03-31")["totals"] == {
        "incoming": 4, "outgoing": 2, "processed": 3, "unprocessed": 1, "overdue": 1, **UNCHANGED}


def test_daily_incoming_list_for_signing_hides_secret_subjects_from_the_administrator(
        api: Api, platform: Platform) -> None:
    ordinary = _register(api, urgency="khan")
    secret = _register(api, secrecy="mat", number_symbol="07/M-SYT", subject="Về việc bảo vệ bí mật nhà nước")
    _register(api, arrival_date="2026-03-01")  # the day before
    _assign(platform, ordinary, "KHNV", deadline=date(2026, 3, 10))
    _assign(platform, ordinary, "KSDB", role=AssignmentRole.CO)

    r = api.get("btl_clerk", "/api/v1/reports/daily-incoming?date=2026-03-02")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["date"], body["total"]) == ("2026-03-02", 2)
    first, second = body["items"]
    assert (first["id"], first["book"], first["number"], first["urgency"]) == (ordinary, "incoming", 1, "khan")
    assert (first["subject"], first["issuer_name"]) == (INCOMING["subject"], "Sở Y tế Hà Nội")
    assert [(g["role"], g["unit"]["code"], g["deadline"]) for g in first["receivers"]] == [
        ("main", "KHNV", "2026-03-10"), ("co", "KSDB", None)]
    assert (second["id"], second["book"], second["number"]) == (secret, "incoming_secret", 1)
    assert second["subject"] == "Về việc bảo vệ bí mật nhà nước"  # the clerk reads secrets
    assert [(u["unit"]["code"] if u["unit"] else None, u["documents"]) for u in body["units"]] == [
        ("KHNV", [ordinary]), ("KSDB", [ordinary]), (None, [secret])]
    assert api.get("btl_clerk", "/api/v1/reports/daily-incoming").get_json() == body  # today by default

    admin = api.get("btl_admin", "/api/v1/reports/daily-incoming?date=2026-03-02")
    assert admin.status_code == 200
    # The administrator is no secret reader: the secret entry is not even listed.
    assert [item["id"] for item in admin.get_json()["items"]] == [ordinary]
    assert "bí mật nhà nước" not in admin.get_data(as_text=True)
    assert admin.get_json()["items"][0]["subject"] == INCOMING["subject"]


def test_compliance_counts_valid_paper_unsigned_and_secret_by_month_and_unit(api: Api, platform: Platform) -> None:
    valid = _issued(platform, datetime(2026, 3, 2, 3, 0, tzinfo=UTC), "KHNV", SignatureStatus.VALID)
    paper = _issued(platform, datetime(2026, 3, 3, 3, 0, tzinfo=UTC), "KSDB", SignatureStatus.PAPER)
    # 00:00 on 1 January 2026 in Hà Nội: a 2026 document, though it is still 2025 in UTC.
    unsigned = _issued(platform, datetime(2025, 12, 31, 17, 0, tzinfo=UTC), "KHNV")
    invalid = _issued(platform, datetime(2026, 1, 20, 3, 0, tzinfo=UTC), "TYT1", SignatureStatus.INVALID)
    _issued(platform, datetime(2026, 2, 10, 3, 0, tzinfo=UTC), None, secrecy=Secrecy.SECRET)
    _issued(platform, datetime(2025, 12, 31, 16, 59, tzinfo=UTC), "KHNV")  # 23:59 on 31 December 2025
    procedure = _issue_through_the_procedure(api)  # signed for real by the deputy and the agency: valid

    r = api.get("btl_director", "/api/v1/reports/compliance?year=2026")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["year"] == 2026
    assert body["totals"] == {"issued": 6, "valid": 2, "paper": 1, "secret": 1, "unsigned": 1, "invalid": 1,
                              "noncompliant": 2}
    months = {m["month"]: (m["issued"], m["valid"], m["paper"], m["secret"], m["noncompliant"])
              for m in body["months"]}
    assert len(months) == 12
    assert (months["2026-01"], months["2026-02"], months["2026-03"], months["2026-04"]) == (
        (2, 0, 0, 0, 2), (1, 0, 0, 1, 0), (3, 2, 1, 0, 0), (0, 0, 0, 0, 0))
    units = {(u["unit"]["code"] if u["unit"] else None): (u["issued"], u["valid"], u["paper"], u["noncompliant"])
             for u in body["units"]}
    assert units == {"BGD": (0, 0, 0, 0), "TCHC": (0, 0, 0, 0), "KHNV": (2, 1, 0, 1), "KSDB": (2, 1, 1, 0),
                     "TYT1": (1, 0, 0, 1), None: (1, 0, 0, 0)}
    listed = [(i["id"], i["signature_status"]) for i in body["items"]]
    assert listed == [(unsigned, "none"), (invalid, "invalid"), (paper, "paper")]
    assert procedure not in (valid, paper, unsigned, invalid)
    assert api.get("btl_clerk", "/api/v1/reports/compliance?year=2025").get_json()["totals"]["issued"] == 1
    assert api.get("btl_clerk", "/api/v1/reports/compliance").get_json()["year"] == 2026  # this year by default


PATHS = ["/api/v1/reports/summary?from=2026-01-01&to=2026-03-31", "/api/v1/reports/daily-incoming",
         "/api/v1/reports/compliance?year=2026", "/api/v1/registers/incoming/print?year=2026"]


def test_only_register_keepers_read_reports_and_print_registers(api: Api) -> None:
    for user in ("btl_spec_khnv", "btl_head_khnv", "btl_head_tyt1", "btl_spec_ksdb"):
        for path in PATHS:
            r = api.get(user, path)
            assert r.status_code == 403, (user, path)
            assert "văn thư" in r.get_json()["error"]
    for user in ("btl_clerk", "btl_director", "btl_deputy2", "btl_office_chief", "btl_admin"):
        for path in PATHS:
            assert api.get(user, path).status_code == 200, (user, path)
    assert api.client.get(PATHS[0]).status_code == 401
    # A secret register only the clerk and the leaders print; not the system administrator.
    assert api.get("btl_admin", "/api/v1/registers/incoming_secret/print?year=2026").status_code == 403
    assert api.get("btl_director", "/api/v1/registers/outgoing_secret/print?year=2026").status_code == 200
    missing = api.get("btl_clerk", "/api/v1/registers/nonexistent/print?year=2026")
    assert missing.status_code == 404 and "nonexistent" in missing.get_json()["error"]


BAD = [
    ("/api/v1/reports/summary", {"from", "to"}),
    ("/api/v1/reports/summary?from=2026-13-01&to=2026-03-31", {"from"}),
    ("/api/v1/reports/summary?from=01/03/2026&to=2026-03-31", {"from"}),
    ("/api/v1/reports/summary?from=2026-03-31&to=2026-03-01", {"to"}),
    ("/api/v1/reports/summary?from=2026-01-01&to=2026-03-31&group=week", {"group"}),
    ("/api/v1/reports/summary?from=2025-01-01&to=2026-03-31&group=day", {"to"}),
    ("/api/v1/reports/summary?from=2000-01-01&to=2026-03-31", {"to"}),
    ("/api/v1/reports/summary?from=1800-01-01&to=2026-03-31", {"from"}),
    ("/api/v1/reports/summary?from=2026-01-01&to=2026-03-31&gruop=day", {"gruop"}),
    ("/api/v1/reports/summary?from=2026-01-01&to=2026-03-31&agency=khong_co", {"agency"}),
    ("/api/v1/reports/summary?from=2026-01-01&to=2026-03-31&agency=" + "x" * 40, {"agency"}),
    ("/api/v1/reports/daily-incoming?date=h%C3%B4m-nay", {"date"}),
    ("/api/v1/reports/compliance?year=abc", {"year"}),
    ("/api/v1/reports/compliance?year=1800", {"year"}),
    ("/api/v1/reports/compliance?year=%D9%A2%D9%A0%D9%A2%D9%A6", {"year"}),  # Arabic-Indic digits
    ("/api/v1/registers/incoming/print?year=20x6", {"year"}),
    ("/api/v1/registers/incoming/print?year=2026&page=2", {"page"}),
]


def test_bad_parameters_are_refused_with_a_message_per_field(api: Api) -> None:
    for path, fields in BAD:
        r = api.get("btl_clerk", path)
        assert r.status_code == 422, (path, r.get_json())
        body = r.get_json()
        assert set(body["fields"]) == fields, path
        assert body["error"] in ("Tham số không hợp lệ.", "Không có cơ quan này.")
        assert all(body["fields"].values())
    r = api.get("btl_clerk", "/api/v1/reports/summary?from=2026-13-01&to=2026-03-31")
    assert r.get_json()["fields"]["from"] == "Ngày '2026-13-01' không hợp lệ, dùng dạng YYYY-MM-DD."
