"""Every page shows Vietnamese with its diacritics intact (no mojibake, no lost characters,
the words each page should say), in UTF-8 and NFC; the English switch translates the
pages and switches back."""

from __future__ import annotations

import re
import unicodedata

import pytest
from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.browser import MOJIBAKE, Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import attach_pdf, complete, only_task, start

SUBJECT = "Báo cáo kết quả giám sát dịch sốt xuất huyết tuần 9"


def _check(staff: Staff, path: str, words: list[str], status: int = 200) -> None:
    response = staff.page.goto(path)
    assert response is not None and response.status == status, path
    viewers = staff.page.locator("[data-pdf]")
    if viewers.count():  # the PDF's text layer is read too, never half drawn
        expect(viewers.first).to_have_attribute("data-rendered", re.compile(r"^\d+$"))
    assert staff.page.evaluate("document.characterSet") == "UTF-8"
    assert staff.page.get_attribute("html", "lang") == "vi"
    text = staff.page.inner_text("body")
    assert not MOJIBAKE.search(text), (path, MOJIBAKE.findall(text))
    assert unicodedata.is_normalized("NFC", text), path
    for word in words:
        assert word in text, (path, word)


@pytest.mark.parametrize("words", ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Ngã ba Đà Nẵng", "Hà Nội", "ưu tiên"])
def test_the_mojibake_check_flags_misread_utf8_but_not_vietnamese(words: str) -> None:
    assert not MOJIBAKE.search(words)
    for codepage in ("latin-1", "cp1252"):
        assert MOJIBAKE.search(words.encode().decode(codepage, errors="replace")), codepage


def test_every_page_reads_in_proper_vietnamese(browser: Browser, live_url: str, platform: Platform,  # noqa: F811
                                               api: Api) -> None:
    case = start(api, data={"subject": SUBJECT, "doc_type": "BC", "urgency": "thuong_khan"})
    attach_pdf(api, "btl_spec_khnv", case)
    case = complete(api, "btl_spec_khnv", only_task(case), {"subject": SUBJECT, "doc_type": "BC"})
    task = only_task(case)
    document = case["document"]["id"]

    anonymous = Staff(browser, live_url, "", backend(platform))
    _check(anonymous, "/login", ["Đăng nhập", "Tên đăng nhập", "Mật khẩu"])
    head = Staff(browser, live_url, "btl_head_khnv", backend(platform)).login()
    _check(head, "/inbox", ["Hộp công việc", "Cần xử lý", "Đang theo dõi", "Đã xử lý", "Quá hạn", "Thượng khẩn",
                            SUBJECT, "Lãnh đạo phòng duyệt"])
    expect(head.page.get_by_test_id("urgent")).to_have_text("Thượng khẩn")
    head.shot("20-inbox")
    _check(head, "/inbox?tab=following", ["Đang theo dõi", "Không có mục nào."])
    _check(head, "/inbox?tab=done&sort=due", ["Đã xử lý"])
    _check(head, "/inbox?tab=overdue", ["Quá hạn"])
    _check(head, "/notifications", ["Thông báo", "Công việc mới"])
    _check(head, "/info", ["Văn bản để biết", "Để biết", "Văn bản thông báo", "Không có văn bản."])
    _check(head, "/info?kind=notice&q=kế hoạch&unread=1", ["Văn bản thông báo", "Không có văn bản."])
    head.shot("21-notifications")
    _check(head, "/new", ["Tạo văn bản", "Văn bản đi – Trung tâm Y tế Bắc Từ Liêm"])
    _check(head, "/new/btl_outgoing", ["Trích yếu nội dung", "Loại văn bản", "Độ khẩn", "Hỏa tốc", "Khởi tạo"])
    head.shot("22-start-form")
    _check(head, f"/tasks/{task['id']}", ["Lãnh đạo phòng duyệt", "Trích yếu", "Tệp đính kèm", "Cây công việc",
                                          "Lịch sử xử lý", "Duyệt và trình", "Trả lại để sửa", "Vũ Thu Hà"])
    _check(head, f"/cases/{case['id']}", ["Đang xử lý", "Hoàng Văn Bình", "Lịch sử xử lý"])
    _check(head, f"/documents/{document}", ["Văn bản đi", "Dự thảo", "Báo cáo"])
    _check(head, "/records", ["Hồ sơ", "Lập hồ sơ", "Chưa có hồ sơ nào."])
    _check(head, "/records/new", ["Ký hiệu hồ sơ", "Thời hạn bảo quản", "Vĩnh viễn", "Chế độ sử dụng", "Hạn chế"])
    _check(head, "/messages", ["Tin nhắn", "Tin nhắn mới", "Chưa có cuộc trò chuyện nào."])
    _check(head, "/messages/new", ["Người nhận", "Vũ Thu Hà – KHNV", "Nội dung"])
    _check(head, "/settings/notifications", ["Cài đặt thông báo", "Gửi thêm thông báo qua thư điện tử"])
    _check(head, "/statistics", ["Chỉ văn thư, lãnh đạo và quản trị"], status=403)
    _check(head, "/khong-co-trang-nay", ["Không tìm thấy trang hoặc dữ liệu bạn yêu cầu."], status=404)
    _check(head, "/documents/incoming/new", ["Chỉ văn thư mới vào sổ văn bản được."], status=403)
    head.shot("23-forbidden")

    clerk = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    _check(clerk, "/statistics", ["Thống kê tuân thủ", "Trung tâm Y tế quận Bắc Từ Liêm", "Theo đơn vị", "Trễ hạn",
                                  "Tải bảng tính (.xlsx)"])
    _check(clerk, "/documents/incoming/new", ["Vào sổ văn bản đến", "Cơ quan ban hành", "Ngày đến", "Độ mật"])
    clerk.page.select_option("#doc_type", "CV")
    clerk.page.fill("#subject", "Về việc tổ chức tiêm vắc-xin sởi cho trẻ")
    clerk.page.fill("#number_symbol", "123/SYT-NVY")
    clerk.page.fill("#issuer_name", "Sở Y tế Hà Nội")
    clerk.page.fill("#page_amount", "0")
    clerk.page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(clerk.page.locator('[data-error-for="page_amount"]')).to_have_text("Phải lớn hơn hoặc bằng 1.")
    expect(clerk.page.locator("#issuer_name")).to_have_value("Sở Y tế Hà Nội")
    clerk.page.fill("#page_amount", "2")
    clerk.page.check('input[name="channel"][value="electronic"]')
    clerk.page.get_by_role("button", name="Vào sổ", exact=True).click()  # the incoming procedure's first step
    expect(clerk.page.locator(".flash")).to_contain_text("Đã bắt đầu quy trình văn bản đến: vào sổ ở bước đầu tiên.")
    clerk.page.check('input[name="leader"][value="director"]')
    clerk.page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(clerk.page.locator(".flash")).to_be_visible()
    clerk.shot("24-incoming-registered")
    _check(clerk, "/registers/incoming?year=2026", ["Sổ văn bản đến", "Sở Y tế Hà Nội", "123/SYT-NVY"])
    _check(clerk, "/search?q=tiem+vac+xin", ["Tìm kiếm văn bản", "Tìm thấy 1 văn bản", "Về việc tổ chức tiêm vắc-xin"])
    _check(clerk, "/registers", ["Sổ đăng ký văn bản", "Sổ văn bản đến", "In sổ (PDF)"])
    _check(clerk, "/registers/incoming", ["Sổ văn bản đến – năm 2026", "Ngày đến", "Tên loại và trích yếu nội dung"])
    _check(clerk, "/reports", ["Báo cáo xử lý văn bản", "Theo tháng", "Theo đơn vị", "Phòng Kế hoạch – Nghiệp vụ"])
    _check(clerk, "/settings/delegations", ["Ủy quyền xử lý công việc", "Người được ủy quyền", "Đến hết ngày"])

    designer = Staff(browser, live_url, "btl_designer", backend(platform)).login()
    _check(designer, "/design", ["Thiết kế quy trình", "Văn bản đi – Trung tâm Y tế Bắc Từ Liêm", "Mở trình thiết kế"])
    _check(designer, "/design/btl_outgoing", ["Các phiên bản", "Người triển khai", "Hồ sơ đang chạy"])
    _check(designer, "/design/btl_outgoing/edit", ["Lưu", "Kiểm tra", "Triển khai", "Phần tử đã chọn"])
    _check(designer, "/design/btl_outgoing/diff?old=1&new=1", ["So sánh phiên bản 1 và 1", "Hai phiên bản giống nhau."])

    auditor = Staff(browser, live_url, "btl_auditor", backend(platform)).login()
    _check(auditor, "/audit/cases", ["Kiểm tra hồ sơ", "Trích yếu / tên hồ sơ", "Người xử lý", "Đang xử lý", SUBJECT])
    _check(auditor, f"/audit/cases/{case['id']}", ["Tính toàn vẹn của nhật ký", "Nguyên vẹn", "Chạy lại từ nhật ký",
                                                   "Khớp", "Nhật ký xử lý", "Đính kèm tệp", "Tệp và chữ ký số",
                                                   "Chưa có chữ ký số", "Vũ Thu Hà"])
    _check(head, "/audit/cases", ["Chỉ kiểm tra viên được tra cứu hồ sơ để kiểm tra."], status=403)
    admin = Staff(browser, live_url, "btl_admin", backend(platform)).login()
    _check(admin, "/admin/users?q=khnv", ["Người dùng", "Đơn vị", "Con dấu", "Sổ đăng ký", "Thêm người dùng",
                                          "Vũ Thu Hà", "Chuyên viên – Phòng Kế hoạch – Nghiệp vụ"])
    _check(admin, "/admin/users/new", ["Tên đăng nhập", "Mật khẩu ban đầu",
                                       "Thiết kế quy trình (triển khai quy trình)"])
    admin.page.goto("/admin/users?q=khnv")
    admin.page.get_by_role("link", name="Vũ Thu Hà").click()
    _check(admin, admin.page.url.removeprefix(live_url), ["Khóa tài khoản", "Đặt lại mật khẩu", "Chưa có chứng thư số.",
                                                          "Chứng thư số và ảnh chữ ký", "Mật khẩu của tệp"])
    _check(admin, "/admin/units", ["Phó giám đốc phụ trách", "KHNV", "Lê Thị Hồng Nhung", "Thêm đơn vị"])
    _check(admin, "/admin/delegations", ["Ủy quyền trong cơ quan", "Chỉ ủy quyền còn hiệu lực"])
    _check(admin, "/admin/seal", ["Ảnh con dấu của cơ quan", "Đã có ảnh con dấu."])
    _check(admin, "/admin/registers", ["Sổ đăng ký văn bản", "Sổ văn bản đến mật", "Thêm sổ đăng ký"])
    for person in (anonymous, head, clerk, designer, auditor, admin):
        person.close()


def test_english_switch(browser: Browser, live_url: str, platform: Platform) -> None:  # noqa: F811
    spec = Staff(browser, live_url, "btl_spec_khnv", backend(platform)).login()
    page = spec.page
    page.goto("/inbox?tab=following")
    page.get_by_role("button", name="English").click()
    expect(page.locator(".tabs")).to_contain_text("To do")
    expect(page.locator(".tabs")).to_contain_text("Following")
    assert page.get_attribute("html", "lang") == "en"
    assert page.url.endswith("/inbox?tab=following")  # back where the switch was pressed
    spec.shot("25-english")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator(".tabs")).to_contain_text("Cần xử lý")
    spec.close()
