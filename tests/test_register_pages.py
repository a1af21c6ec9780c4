"""The staff pages of registers, search and reports through the Flask test client: who may
open them, their filters and pages, and refused filters shown beside their fields (the
browser test covers the charts' script)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask.testing import FlaskClient

from engine.core.platform import Platform
from engine.models import AssignmentStatus, SignatureStatus
from tests.conftest import Api
from tests.test_reports import _assign, _finish, _issued, _register
from tests.test_ui_inbox import _login
from webui import create_app


def _client(platform: Platform, username: str) -> FlaskClient:
    client = create_app(platform).test_client()
    _login(client, username)
    return client


def _page(client: FlaskClient, path: str, status: int = 200) -> str:
    r = client.get(path)
    assert r.status_code == status, (path, r.status_code)
    return r.get_data(as_text=True)


def _entries(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-entry="(\d+)"', html)]


def _hits(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-document="(\d+)"', html)]


def test_registers_list_filter_and_page_a_book(api: Api, platform: Platform) -> None:
    ids = [_register(api, subject=f"Công văn về việc tiêm chủng đợt {n:02d}", number_symbol=f"{100 + n}/SYT-NVY",
                     arrival_date="2026-02-25" if n % 2 else "2026-03-01") for n in range(1, 22)]
    dengue = _register(api, doc_type="KH", subject="Kế hoạch phòng chống sốt xuất huyết",
                       number_symbol="200/KH-SYT", arrival_date="2026-03-02")
    clerk = _client(platform, "btl_clerk")

    books = _page(clerk, "/registers")
    assert 'href="/registers"' in books and 'href="/reports"' in books  # the keeper's links
    assert re.search(r'data-book="incoming">.*?<td>22</td>', books, re.S)
    first = _page(clerk, "/registers/incoming?year=2026")
    second = _page(clerk, "/registers/incoming?year=2026&page=2")
    assert _entries(first) == ids[:20] and _entries(second) == [ids[20], dengue]  # number order, 20 a page
    assert "Trang 1 / 2" in first and "Tổng số: 22" in first
    assert "Ngày đến" in first and "Số, ký hiệu" in first and "Sở Y tế Hà Nội" in first
    assert f'href="/documents/{ids[0]}"' in first
    assert 'href="/registers/incoming/print.pdf?year=2026&amp;agency=btl"' in first

    # Words with or without diacritics, the type, the range of arrival dates; and together.
    assert _entries(_page(clerk, "/registers/incoming?q=sot+xuat+huyet")) == [dengue]
    assert _entries(_page(clerk, "/registers/incoming?q=Sốt+xuất+huyết")) == [dengue]
    assert _entries(_page(clerk, "/registers/incoming?doc_type=KH")) == [dengue]
    assert _entries(_page(clerk, "/registers/incoming?from=2026-02-01&to=2026-02-28")) == ids[::2]
    assert _entries(_page(clerk, "/registers/incoming?q=dot+05&from=2026-02-01")) == [ids[4]]
    assert _entries(_page(clerk, "/registers/incoming?year=2025")) == []
    api_page = api.get("btl_clerk", "/api/v1/registers/incoming?q=cong+van&per_page=100").get_json()
    assert [e["id"] for e in api_page["items"]] == ids  # the API takes the same filters

    refused = _page(clerk, "/registers/incoming?from=2026-03-05&to=2026-03-01&q=tiêm&doc_type=XX", 422)
    assert re.search(r'data-error-for="to">Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.', refused)
    assert 'data-error-for="doc_type">Loại văn bản không hợp lệ.' in refused
    assert 'value="tiêm"' in refused and 'value="2026-03-05"' in refused  # nothing typed is lost
    assert 'data-error-for="year"' in _page(clerk, "/registers/incoming?year=20x6", 422)
    assert 'data-error-for="q"' in _page(clerk, "/registers/incoming?q=" + "a" * 201, 422)

    pdf = clerk.get("/registers/incoming/print.pdf?year=2026")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert _page(clerk, "/registers/khong-co-so", 404)


def test_registers_and_reports_are_for_register_keepers(api: Api, platform: Platform) -> None:
    _register(api, secrecy="mat", number_symbol="07/M-SYT")
    specialist = _client(platform, "btl_spec_khnv")
    inbox = _page(specialist, "/inbox")
    assert 'href="/registers"' not in inbox and 'href="/reports"' not in inbox and 'href="/search"' in inbox
    for path in ("/registers", "/registers/incoming", "/reports", "/registers/incoming/print.pdf",
                 "/statistics.xlsx?from=2026-01-01&to=2026-12-31"):
        assert "Chỉ văn thư, lãnh đạo và quản trị" in _page(specialist, path, 403), path
    admin = _client(platform, "btl_admin")  # keeps the ordinary registers, not the secret one
    assert "data-book=\"incoming_secret\"" not in _page(admin, "/registers")
    assert "mật chỉ văn thư và lãnh đạo" in _page(admin, "/registers/incoming_secret", 403)
    assert 'data-book="incoming_secret"' in _page(_client(platform, "btl_clerk"), "/registers")
    other = _client(platform, "laichau_clerk")
    assert _page(other, "/registers?agency=btl", 403)
    assert _page(other, "/reports?agency=btl", 403)


def test_search_page_folds_diacritics_filters_and_pages(api: Api, platform: Platform) -> None:
    ids = [_register(api, doc_type="CV", subject=f"Công văn về việc giám sát dịch tuần {n:02d}",
                     number_symbol=f"{300 + n}/SYT-NVY") for n in range(1, 23)]
    plan = _register(api, doc_type="KH", subject="Kế hoạch giám sát dịch năm 2026", number_symbol="12/KH-SYT")
    clerk = _client(platform, "btl_clerk")
    assert "Tìm kiếm văn bản" in _page(clerk, "/search") and _hits(_page(clerk, "/search")) == []

    first = _page(clerk, "/search?q=cong+van+giam+sat")
    assert _hits(first) == ids[::-1][:20] and "Tìm thấy 22 văn bản" in first  # newest first, 20 a page
    assert _hits(_page(clerk, "/search?q=Công+văn+giám+sát&page=2")) == ids[1::-1]
    assert f'href="/documents/{ids[-1]}"' in first
    assert _hits(_page(clerk, "/search?q=giam+sat&doc_type=KH")) == [plan]
    assert _hits(_page(clerk, "/search?q=giam+sat&direction=outgoing")) == []
    assert len(_hits(_page(clerk, "/search?q=giam+sat&year=2026&direction=incoming&doc_type="))) == 20
    assert _hits(_page(clerk, "/search?q=giam+sat&year=2025")) == []
    assert "Không tìm thấy văn bản nào." in _page(clerk, "/search?q=khong+co+gi")

    refused = _page(clerk, "/search?q=giám+sát&year=hai&doc_type=XX", 422)
    assert 'data-error-for="year">Năm không hợp lệ' in refused
    assert 'data-error-for="doc_type">Loại văn bản không hợp lệ.' in refused
    assert 'value="giám sát"' in refused
    assert 'data-error-for="q">Nhập từ khóa' in _page(clerk, "/search?q=%21%21&direction=incoming", 422)
    # Someone who handles none of them finds none of them.
    assert _hits(_page(_client(platform, "btl_spec_tyt1"), "/search?q=giam+sat")) == []


def test_report_page_figures_by_month_and_unit(api: Api, platform: Platform) -> None:
    done = _register(api, arrival_date="2026-02-20")
    late = _register(api, arrival_date="2026-03-01", due_date="2026-03-01")
    _assign(platform, done, "KHNV", status=AssignmentStatus.DONE)
    _assign(platform, late, "KSDB", deadline=date(2026, 3, 1))
    _finish(platform, _register(api, arrival_date="2026-03-02"))  # processed, no unit
    _issued(platform, datetime(2026, 1, 10, 3, 0, tzinfo=UTC), "TYT1")  # without a signature
    _issued(platform, datetime(2026, 3, 2, 3, 0, tzinfo=UTC), "TYT1", SignatureStatus.VALID)
    _issued(platform, datetime(2025, 5, 2, 3, 0, tzinfo=UTC), "TYT1")  # another year
    html = _page(_client(platform, "btl_director"), "/reports")

    def row(attribute: str, value: str) -> dict[str, int]:
        cells = re.search(rf'data-{attribute}="{value}">(.*?)</tr>', html, re.S)
        assert cells is not None, value
        return {m: int(n) for m, n in re.findall(r'data-measure="(\w+)">(\d+)<', cells[1])}

    def figures(incoming: int, outgoing: int, processed: int, overdue: int, unsigned: int) -> dict[str, int]:
        return {"incoming": incoming, "outgoing": outgoing, "processed": processed, "overdue": overdue,
                "unsigned": unsigned}

    assert row("month", "2026-01") == figures(0, 1, 0, 0, 1)
    assert row("month", "2026-02") == figures(1, 0, 1, 0, 0)
    assert row("month", "2026-03") == figures(2, 1, 1, 1, 0)
    assert row("month", "2026-12") == figures(0, 0, 0, 0, 0)
    assert row("unit", "KHNV") == figures(1, 0, 1, 0, 0)
    assert row("unit", "KSDB") == figures(1, 0, 0, 1, 0)
    assert row("unit", "TYT1") == figures(0, 2, 0, 0, 1)
    assert row("unit", "") == figures(1, 0, 1, 0, 0)
    assert dict(re.findall(r'data-total="(\w+)">(\d+)<', html)) == {
        "incoming": "3", "outgoing": "2", "processed": "2", "overdue": "1", "unsigned": "1"}
    assert '<td>Tháng 3/2026</td>' in html and "2026-03</td>" not in html  # months as people write them
    assert 'id="report-data"' in html and 'id="chart-months"' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/statistics.xlsx?from=2026-01-01&amp;to=2026-12-31&amp;group=month&amp;agency=btl" in html
    director = _client(platform, "btl_director")
    assert row("month", "2026-01") != {} and "năm 2025" in _page(director, "/reports?year=2025")
    refused = _page(director, "/reports?year=hai", 422)
    assert 'data-error-for="year">Năm phải là số' in refused and 'value="hai"' in refused
    for fmt, kind in (("xlsx", "spreadsheetml"), ("pdf", "pdf")):
        r = director.get(f"/statistics.{fmt}?from=2026-01-01&to=2026-12-31&group=month")
        assert r.status_code == 200 and kind in r.mimetype, fmt
    assert _page(director, "/statistics.doc?from=2026-01-01&to=2026-12-31", 422)
