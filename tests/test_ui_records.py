"""The pages of records (hồ sơ), messages, notification settings and compliance
statistics through the Flask test client: who may see and do what (403/404), refused
input coming back with its message beside the field and nothing lost (422), pages,
exports, and the audit entry of every change."""

from __future__ import annotations

import io
import re
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select, update

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.models import Agency, AuditEntry, Position, Unit, User, UserPosition
from tests.conftest import Api
from tests.flows import to_head
from tests.pdfs import minimal_pdf
from tests.test_compliance_stats import PERIOD, _laichau_incoming_handled
from tests.test_records import INCOMING, _document
from tests.test_ui_inbox import _login
from webui import create_app


def _client(platform: Platform, username: str) -> FlaskClient:
    client = create_app(platform).test_client()
    _login(client, username)
    return client


def _csrf(client: FlaskClient) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inbox").get_data(as_text=True))
    assert token is not None
    return token[1]


def _post(client: FlaskClient, path: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(path, data={"csrf_token": _csrf(client), **data}, **extra)


def _error(html: str, key: str) -> str | None:
    found = re.search(rf'data-error-for="{re.escape(key)}">([^<]*)<', html)
    return found[1] if found else None


def _actions(platform: Platform, username: str) -> list[str]:
    with platform.db.read() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        return list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == user_id)
                                    .order_by(AuditEntry.id)))


RECORD = {"notation": "01.YTDP", "title": "Hồ sơ phòng chống dịch năm 2026", "year": "2026",
          "retention": "10 năm", "access": "Công khai"}


def test_records_pages_open_fill_close_archive_and_export(api: Api, platform: Platform) -> None:
    later, earlier = (_document(api, *d) for d in INCOMING)
    clerk = _client(platform, "btl_clerk")

    refused = _post(clerk, "/records/new", {**RECORD, "notation": "sai ký hiệu!", "retention": "mãi mãi"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert _error(html, "notation") == "Ký hiệu hồ sơ: chữ, số, dấu chấm hoặc gạch ngang, tối đa 20 ký tự."
    assert _error(html, "retention") is not None and _error(html, "title") is None
    assert 'value="Hồ sơ phòng chống dịch năm 2026"' in html  # nothing typed is lost
    made = _post(clerk, "/records/new", RECORD)
    assert made.status_code == 302
    page = made.headers["Location"]
    record_id = int(page.rsplit("/", 1)[1])
    twice = _post(clerk, "/records/new", RECORD)
    assert twice.status_code == 409 and "đã có" in (_error(twice.get_data(as_text=True), "notation") or "")

    shown = clerk.get(page).get_data(as_text=True)
    assert "000.99.01.H26.2026.01.YTDP" in shown and "Hồ sơ chưa có văn bản." in shown
    assert f'<option value="{later}"' in shown and f'<option value="{earlier}"' in shown  # the choices offered
    for doc in (later, earlier):
        assert _post(clerk, f"{page}/documents", {"document_id": str(doc)}).status_code == 302
    shown = clerk.get(page).get_data(as_text=True)
    assert re.findall(r'<tr data-document="(\d+)"', shown) == [str(earlier), str(later)]  # date order
    again = _post(clerk, f"{page}/documents", {"document_id": str(later)})
    assert again.status_code == 409
    assert _error(again.get_data(as_text=True), "document_id") == "Văn bản đã có trong hồ sơ."
    bad = _post(clerk, f"{page}/documents", {"document_id": "abc"})
    assert bad.status_code == 422 and _error(bad.get_data(as_text=True), "document_id") == "Không có văn bản này."
    assert _post(clerk, f"{page}/documents/{later}/remove", {}).status_code == 302
    assert re.findall(r'<tr data-document="(\d+)"', clerk.get(page).get_data(as_text=True)) == [str(earlier)]

    wrong_day = _post(clerk, f"{page}/close", {"closed_on": "31/12/2025"})
    assert wrong_day.status_code == 422 and _error(wrong_day.get_data(as_text=True), "closed_on") == "Dạng YYYY-MM-DD."
    assert 'value="31/12/2025"' in wrong_day.get_data(as_text=True)
    assert _post(clerk, f"{page}/close", {"closed_on": "2025-03-20"}).status_code == 302
    closed = clerk.get(page).get_data(as_text=True)  # due a year on, 20 March: flagged 30 days ahead
    assert "20/03/2026" in closed and 'data-testid="due-for-archiving"' in closed
    assert _post(clerk, f"{page}/archive", {"archived": "1"}).status_code == 302
    assert "Đã nộp lưu" in clerk.get(page).get_data(as_text=True)

    pdf = clerk.get(f"{page}/export.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    xml = clerk.get(f"{page}/export.xml")
    assert xml.status_code == 200 and b"<FileNotation>01.YTDP</FileNotation>" in xml.data
    assert "attachment" in xml.headers["Content-Disposition"]
    assert clerk.get(f"{page}/export.doc").status_code == 422
    assert _actions(platform, "btl_clerk")[-9:] == [
        "record_created", "record_document_added", "record_document_added", "record_document_removed",
        "record_updated", "record_updated", "record_exported", "printout_issued", "record_exported"]

    # From the document's page: the records holding it, and mine it may still go in.
    doc_page = clerk.get(f"/documents/{later}").get_data(as_text=True)
    panel = doc_page.split('data-testid="document-records"')[1].split("</section>")[0]
    assert "000.99.01.H26.2026.01.YTDP" not in panel and "Đưa vào hồ sơ của tôi" not in panel  # taken out; archived
    second = _post(clerk, "/records/new", {**RECORD, "notation": "02.TC", "title": "Hồ sơ tiêm chủng"})
    assert second.status_code == 302
    unchosen = _post(clerk, f"/documents/{later}/records", {"record_id": ""})
    assert unchosen.status_code == 422 and _error(unchosen.get_data(as_text=True), "record_id") == "Chưa chọn hồ sơ."
    assert _post(clerk, f"/documents/{later}/records", {"record_id": second.headers["Location"].rsplit("/", 1)[1]}
                 ).status_code == 302
    panel = clerk.get(f"/documents/{later}").get_data(as_text=True).split('data-testid="document-records"')[1]
    assert "000.99.01.H26.2026.02.TC" in panel.split("</ul>")[0]

    # A colleague sees the public record but may not change it; another agency does not see it.
    colleague = _client(platform, "btl_spec_khnv")
    seen = colleague.get(page)
    assert seen.status_code == 200 and "Đưa văn bản vào hồ sơ" not in seen.get_data(as_text=True)
    assert _post(colleague, f"{page}/documents", {"document_id": str(later)}).status_code == 403
    assert _post(colleague, f"{page}/archive", {"archived": "0"}).status_code == 403
    assert _client(platform, "qn_clerk").get(page).status_code == 404
    assert _client(platform, "qn_clerk").get(f"/records/{record_id}/export.pdf").status_code == 404


def test_records_list_pages_filters_and_keeps_personal_records_private(api: Api, platform: Platform) -> None:
    for i in range(21):
        r = api.post("btl_clerk", "/api/v1/records", {"notation": f"{i:02d}.TH", "title": f"Hồ sơ tổng hợp số {i}",
                                                      "retention": "5 năm", "access": "Công khai"})
        assert r.status_code == 201, r.get_json()
    api.post("btl_clerk", "/api/v1/records", {"notation": "99.CU", "title": "Hồ sơ năm trước", "retention": "5 năm",
                                             "year": 2025, "access": "Công khai"})
    clerk = _client(platform, "btl_clerk")
    first = clerk.get("/records").get_data(as_text=True)
    second = clerk.get("/records?page=2").get_data(as_text=True)
    rows = re.findall(r'<tr data-record="(\d+)"', first), re.findall(r'<tr data-record="(\d+)"', second)
    assert (len(rows[0]), len(rows[1])) == (20, 2) and set(rows[0]).isdisjoint(rows[1])
    assert "Trang 1 / 2" in first and "Tổng số: 22" in first
    assert "Hồ sơ năm trước" in clerk.get("/records?year=2025").get_data(as_text=True)
    assert "Hồ sơ năm trước" not in clerk.get("/records?year=2026").get_data(as_text=True)
    assert re.search(r'<td><span lang="vi">Đỗ Thị Mai</span> \(Văn thư\)</td><td>22</td><td>0</td><td>0</td>',
                     first)  # records per keeper
    for bad in ("/records?year=20x6", "/records?page=0"):
        assert clerk.get(bad).status_code == 422, bad

    spec = _client(platform, "btl_spec_khnv")
    made = _post(spec, "/records/new", {**RECORD, "notation": "CN.01", "personal": "1"})
    assert made.status_code == 302
    assert spec.get(made.headers["Location"]).status_code == 200
    assert clerk.get(made.headers["Location"]).status_code == 404  # another's personal record is not even said to exist
    assert "CN.01" not in clerk.get("/records?year=2026&page=2").get_data(as_text=True)


def test_message_pages_send_read_and_refuse(api: Api, platform: Platform) -> None:
    spec = _client(platform, "btl_spec_khnv")
    form = spec.get("/messages/new").get_data(as_text=True)
    assert 'value="btl_head_khnv"' in form and 'value="btl_spec_khnv"' not in form  # my agency, not me
    empty = _post(spec, "/messages/new", {"text": "Chào anh"})
    assert empty.status_code == 422 and _error(empty.get_data(as_text=True), "members") == "Danh sách tên đăng nhập."
    blank = _post(spec, "/messages/new", {"members": ["btl_head_khnv", "btl_spec_ksdb"], "title": "Tiêm chủng",
                                          "text": "  "})
    html = blank.get_data(as_text=True)
    assert blank.status_code == 422 and _error(html, "text") == "Nhập nội dung hoặc gửi tệp."
    assert 'value="btl_spec_ksdb" checked' in html and 'value="Tiêm chủng"' in html
    assert spec.get("/messages").get_data(as_text=True).count("data-conversation=") == 0  # nothing half-made

    sent = _post(spec, "/messages/new", {"members": ["btl_head_khnv", "btl_spec_ksdb"], "title": "Tiêm chủng",
                                         "text": "Gửi anh chị số liệu tuần này"})
    assert sent.status_code == 302
    page = sent.headers["Location"]
    conversation = page.rsplit("/", 1)[1]
    head = _client(platform, "btl_head_khnv")
    notice = head.get("/notifications").get_data(as_text=True).split('class="notice kind-message unread"')[1]
    assert 'name="next" value="/messages"' in notice.split("</li>")[0]  # the notification leads to the messages
    listed = head.get("/messages").get_data(as_text=True)
    assert 'data-testid="conversation-unread">1 chưa đọc' in listed
    assert re.search(r'data-testid="messages-unread">1<', listed)
    opened = head.get(page).get_data(as_text=True)
    assert "Gửi anh chị số liệu tuần này" in opened and re.search(r'data-testid="messages-unread">0<', opened)
    listed = head.get("/messages").get_data(as_text=True)
    assert "chưa đọc" not in listed and re.search(r'data-testid="messages-unread">0<', listed)
    head.get(page)  # opened again: nothing new, no second audit entry
    assert _actions(platform, "btl_head_khnv").count("conversation_read") == 1

    not_pdf = _post(head, page, {"text": "Kèm tệp", "file": (io.BytesIO(b"MZ not a pdf"), "bang.pdf")},
                    content_type="multipart/form-data")
    assert not_pdf.status_code == 422 and _error(not_pdf.get_data(as_text=True), "file") == "Nội dung không phải PDF."
    assert "Kèm tệp</textarea>" in not_pdf.get_data(as_text=True)
    link = _post(head, page, {"text": "Xem hồ sơ", "case_id": "x"})
    assert link.status_code == 422 and _error(link.get_data(as_text=True), "case_id") == "Không có hồ sơ này."
    ok = _post(head, page, {"text": "Đã nhận, gửi lại bảng", "file": (io.BytesIO(minimal_pdf("bang")), "bang.pdf")},
               content_type="multipart/form-data")
    assert ok.status_code == 302
    shown = spec.get(page).get_data(as_text=True)
    download = re.search(rf'href="(/messages/{conversation}/\d+/files/\d+)\?download=1">bang.pdf<', shown)
    assert download is not None
    assert spec.get(download[1]).data == minimal_pdf("bang")

    outsider = _client(platform, "btl_clerk")
    assert outsider.get(page).status_code == 403
    assert outsider.get(download[1]).status_code == 403
    assert _post(outsider, page, {"text": "Xin chào"}).status_code == 403
    assert outsider.get("/messages/99999").status_code == 404
    assert _actions(platform, "btl_spec_khnv").count("message_posted") == 1


def test_messages_about_a_case_show_on_its_page(api: Api, platform: Platform) -> None:
    case_id = to_head(api)["case_id"]
    spec = _client(platform, "btl_spec_khnv")
    form = spec.get(f"/messages/new?case_id={case_id}").get_data(as_text=True)
    assert f'name="case_id" value="{case_id}"' in form  # from the case page's link
    outsider = _post(spec, "/messages/new", {"members": ["btl_spec_ksdb"], "text": "Nhờ chị xem", "case_id": case_id})
    assert outsider.status_code == 422
    assert _error(outsider.get_data(as_text=True), "case_id") == "Có người nhận không được xem."
    sent = _post(spec, "/messages/new", {"members": ["btl_head_khnv"], "text": "Dự thảo đã trình anh",
                                         "case_id": case_id})
    assert sent.status_code == 302
    for person in ("btl_spec_khnv", "btl_head_khnv"):
        page = _client(platform, person).get(f"/cases/{case_id}").get_data(as_text=True)
        panel = page.split('data-testid="case-messages"')[1].split("</section>")[0]
        assert "Dự thảo đã trình anh" in panel and "Vũ Thu Hà" in panel, person
        listed = api.get(person, f"/api/v1/cases/{case_id}/messages").get_json()["items"]
        assert [m["text"] for m in listed] == ["Dự thảo đã trình anh"]
    assert api.get("btl_spec_ksdb", f"/api/v1/cases/{case_id}/messages").status_code == 403  # may not see the case
    assert api.get("btl_spec_khnv", "/api/v1/cases/99999/messages").status_code == 404


def test_notification_settings_turn_email_on_and_off(api: Api, platform: Platform) -> None:
    spec = _client(platform, "btl_spec_khnv")
    page = spec.get("/settings/notifications").get_data(as_text=True)
    assert "btl_spec_khnv@demo.invalid" in page and 'name="email_notifications" value="1" checked' not in page
    assert _post(spec, "/settings/notifications", {"email_notifications": "1"}).status_code == 302
    assert 'value="1" checked' in spec.get("/settings/notifications").get_data(as_text=True)
    assert api.get("btl_spec_khnv", "/api/v1/me").get_json()["email_notifications"] is True
    assert _post(spec, "/settings/notifications", {}).status_code == 302
    assert api.get("btl_spec_khnv", "/api/v1/me").get_json()["email_notifications"] is False
    assert _actions(platform, "btl_spec_khnv").count("settings_changed") == 2

    with platform.db.write() as session:
        session.execute(update(User).where(User.username == "btl_spec_khnv").values(email=None))
    refused = _post(spec, "/settings/notifications", {"email_notifications": "1"})
    assert refused.status_code == 422
    assert _error(refused.get_data(as_text=True), "email_notifications") == \
        "Chưa có địa chỉ thư điện tử để gửi thông báo."


def test_statistics_page_for_keepers_with_exports(api: Api, platform: Platform, clock: FakeClock) -> None:
    _laichau_incoming_handled(api, clock)
    director = _client(platform, "laichau_director")
    r = director.get(f"/statistics?{PERIOD}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    units = html.split('data-testid="statistics-units"')[1].split("</table>")[0]
    row = next(tr for tr in units.split("<tr>") if "Phòng Quản lý công nghiệp" in tr)
    figures = dict(re.findall(r'data-measure="(\w+)">([^<]*)<', row))
    assert (figures["late"], figures["on_time"], figures["open"]) == ("1", "0", "0")
    chart = re.search(r'<script type="application/json" id="statistics-data">(.*?)</script>', html, re.S)
    assert chart is not None and '"labels": ["Tháng 3/2026"]' in chart[1]
    assert "Thống kê tuân thủ" in director.get("/inbox").get_data(as_text=True)  # the header's link

    xlsx = director.get(f"/statistics.xlsx?{PERIOD}")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.data)).sheetnames == ["Theo đơn vị", "Theo cá nhân"]
    pdf = director.get(f"/statistics.pdf?{PERIOD}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    bad = director.get("/statistics?from=2026-03-31&to=2026-03-01&group=month")
    assert bad.status_code == 422
    assert _error(bad.get_data(as_text=True), "to") == "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."
    assert 'value="2026-03-31"' in bad.get_data(as_text=True)
    assert director.get("/statistics").status_code == 200  # this year so far, by month

    with platform.db.write() as session:  # the director also keeps the registers of a second agency
        director_id = session.scalar(select(User.id).where(User.username == "laichau_director"))
        unit_id = session.scalar(select(Unit.id).join(Agency, Agency.id == Unit.agency_id).where(Agency.code == "btl"))
        session.add(UserPosition(user_id=director_id, unit_id=unit_id, position=Position.DIRECTOR))
    which = director.get(f"/statistics?{PERIOD}")
    assert which.status_code == 422
    assert _error(which.get_data(as_text=True), "agency") == "Bắt buộc khi bạn thuộc nhiều cơ quan."
    assert '<option value="btl" lang="vi">' in which.get_data(as_text=True)
    chosen = director.get(f"/statistics?{PERIOD}&agency=laichau").get_data(as_text=True)
    assert "Phòng Quản lý công nghiệp" in chosen and '<option value="laichau" selected lang="vi">' in chosen

    specialist = _client(platform, "laichau_spec_qlcn")
    assert specialist.get(f"/statistics?{PERIOD}").status_code == 403
    assert specialist.get("/statistics?from=bad").status_code == 403  # refused before the input is looked at
    assert specialist.get(f"/statistics.xlsx?{PERIOD}").status_code == 403
    assert "Thống kê tuân thủ" not in specialist.get("/inbox").get_data(as_text=True)


def test_the_new_pages_switch_to_english(api: Api, platform: Platform) -> None:
    clerk = _client(platform, "btl_clerk")
    assert _post(clerk, "/language", {"lang": "en", "next": "/records"}).status_code == 302
    for path, words in (("/records", ["Records", "Open a record", "No records yet."]),
                        ("/records/new", ["Record notation", "Retention period", "Personal record"]),
                        ("/messages", ["New message", "No conversations yet."]),
                        ("/messages/new", ["Recipients", "Link a case (its number)"]),
                        ("/settings/notifications", ["Notification settings", "Also send my notifications by e-mail"]),
                        ("/statistics", ["Compliance statistics", "By unit", "By person", "Download the PDF"])):
        html = clerk.get(path).get_data(as_text=True)
        for word in words:
            assert word in html, (path, word)
