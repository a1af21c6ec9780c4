"""Compliance statistics per unit and per person equal the cases the test ran (on time,
late, unsigned, electronic share), and export to .xlsx and PDF."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.models import Document, Unit
from tests.conftest import Api
from tests.flows import attach_pdf, complete, issue_via_deputy, only_task
from tests.test_lai_chau import DIRECTION, INCOMING, _start, _task

PERIOD = "from=2026-03-01&to=2026-03-31&group=month"


def _laichau_incoming_handled(api: Api, clock: FakeClock) -> None:
    """QLCN (main, due 13 March) finishes on 20 March: late; QLTM (co, due 10 March)
    finishes on 3 March: on time."""
    case = _start(api, "laichau_incoming", "laichau_clerk", INCOMING)
    case = complete(api, "laichau_clerk", only_task(case), {"decision": "register"})
    case = complete(api, "laichau_director", only_task(case), DIRECTION)
    attach_pdf(api, "laichau_clerk", case)
    case = complete(api, "laichau_clerk", only_task(case), {"decision": "route"})
    case = complete(api, "laichau_head_qlcn", _task(case, "unit_assign", "laichau_head_qlcn"),
                    {"assignee": "laichau_spec_qlcn"})
    case = complete(api, "laichau_head_qltm", _task(case, "unit_assign", "laichau_head_qltm"),
                    {"assignee": "laichau_spec_qltm"})
    clock.advance(timedelta(days=1))
    api.tokens.clear()
    case = complete(api, "laichau_spec_qltm", _task(case, "handle", "laichau_spec_qltm"), {"decision": "finish"})
    clock.advance(timedelta(days=17))
    api.tokens.clear()
    complete(api, "laichau_spec_qlcn", _task(case, "handle", "laichau_spec_qlcn"), {"decision": "finish"})


def test_statistics_count_on_time_late_and_electronic(api: Api, clock: FakeClock, tmp_path: Path) -> None:
    _laichau_incoming_handled(api, clock)
    r = api.get("laichau_director", f"/api/v1/reports/statistics?{PERIOD}")
    assert r.status_code == 200, r.get_json()
    stats = r.get_json()
    units = {u["code"]: u for u in stats["units"]}
    assert (units["QLCN"]["late"], units["QLCN"]["on_time"], units["QLCN"]["open"]) == (1, 0, 0)
    assert (units["QLTM"]["late"], units["QLTM"]["on_time"]) == (0, 1)
    assert units["QLCN"]["electronic_share"] == 100.0  # handled with its scan in the system
    people = {p["username"]: p for p in stats["people"]}
    assert (people["laichau_spec_qlcn"]["late"], people["laichau_spec_qltm"]["on_time"]) == (1, 1)
    assert stats["periods"] == ["2026-03"]
    assert api.get("laichau_spec_qlcn", f"/api/v1/reports/statistics?{PERIOD}").status_code == 403

    xlsx = api.get("laichau_director", f"/api/v1/reports/statistics.xlsx?{PERIOD}")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    rows = {row[0]: row for row in book["Theo đơn vị"].iter_rows(min_row=3, values_only=True)}
    assert rows["Phòng Quản lý công nghiệp"][1:4] == (0, 1, 0)
    pdf = api.get("laichau_director", f"/api/v1/reports/statistics.pdf?{PERIOD}")
    (tmp_path / "s.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "THỐNG KÊ TUÂN THỦ XỬ LÝ VĂN BẢN" in text and "Phòng Quản lý công nghiệp" in text
    assert api.get("laichau_director", f"/api/v1/reports/statistics.doc?{PERIOD}").status_code == 422


def test_unsigned_issuance_counts_for_the_unit_and_the_drafter(api: Api, platform: Platform) -> None:
    issue_via_deputy(api)  # signed by the deputy and the agency: compliant
    # Entered after an outage: issued on paper during it, with no digital signature.
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "outgoing", "backfilled": True, "data": {
        "doc_type": "TB", "subject": "Thông báo lịch trực trong thời gian mất mạng", "document_date": "2026-03-02"}})
    assert r.status_code == 201, r.get_json()
    with platform.db.write() as session:  # the clerk's entry, for the unit she works in
        doc = session.get(Document, r.get_json()["document"]["id"])
        assert doc is not None
        doc.drafting_unit_id = session.scalar(select(Unit.id).where(Unit.code == "TCHC"))
    stats = api.get("btl_director", f"/api/v1/reports/statistics?{PERIOD}").get_json()
    units = {u["code"]: u for u in stats["units"]}
    assert (units["KSDB"]["issued"], units["KSDB"]["unsigned"], units["KSDB"]["electronic_share"]) == (1, 0, 100.0)
    assert (units["TCHC"]["issued"], units["TCHC"]["unsigned"]) == (1, 1)
    people = {p["username"]: p for p in stats["people"]}
    assert (people["btl_spec_ksdb"]["unsigned"], people["btl_clerk"]["unsigned"]) == (0, 1)
