"""The administrator in real Chromium: btl_admin creates an account with a designer's
position (the right to deploy processes), a weak password first refused beside its field
with what was typed kept; the new person then logs in, is asked to choose their own
password first, and finds the designer's pages."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures

PASSWORD = "Thiet-ke-2026-quy-trinh"
OWN = "Thiết kế quy trình của riêng tôi 2026"


def test_admin_creates_a_designer_who_logs_in(browser: Browser, live_url: str, platform: Platform) -> None:  # noqa: F811
    admin = Staff(browser, live_url, "btl_admin", backend(platform)).login()
    page = admin.page
    page.get_by_role("link", name="Quản trị").click()
    page.get_by_role("link", name="Thêm người dùng").click()
    page.fill("#new-username", "btl_thiet_ke_moi")
    page.fill("#new-full_name", "Ngô Thị Thiết Kế")
    page.fill("#new-email", "thietke@example.vn")
    page.fill("#new-password", "ngan")
    page.select_option("#new-unit", label="Phòng Tổ chức – Hành chính")
    page.select_option("#new-position", "designer")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator('[data-error-for="password"]')).to_have_text("Mật khẩu cần ít nhất 12 ký tự.")
    expect(page.locator("#new-full_name")).to_have_value("Ngô Thị Thiết Kế")
    expect(page.locator("#new-position")).to_have_value("designer")
    admin.shot("50-admin-user-refused")
    page.fill("#new-password", PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator(".flash")).to_have_text("Đã tạo tài khoản Ngô Thị Thiết Kế.")
    expect(page.get_by_test_id("positions")).to_contain_text("Thiết kế quy trình")
    admin.shot("51-admin-user")

    person = Staff(browser, live_url, "btl_thiet_ke_moi", backend(platform))
    person.page.goto("/login")
    person.page.fill("#username", "btl_thiet_ke_moi")
    person.page.fill("#password", PASSWORD)
    person.page.get_by_role("button", name="Đăng nhập").click()
    expect(person.page.get_by_test_id("change-password")).to_contain_text("do quản trị hệ thống đặt")
    person.page.goto("/inbox")  # nothing else until the password is changed
    expect(person.page.get_by_test_id("change-password")).to_be_visible()
    person.page.fill("#current_password", PASSWORD)
    person.page.fill("#new_password", OWN)
    person.shot("52-admin-new-user-password")
    person.page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(person.page.locator(".flash")).to_contain_text("Đã đổi mật khẩu.")
    expect(person.page.get_by_test_id("who")).to_have_text("Ngô Thị Thiết Kế")
    expect(person.page.get_by_role("link", name="Quản trị")).to_have_count(0)
    person.page.get_by_role("link", name="Thiết kế quy trình").click()
    expect(person.page.locator("h1")).to_contain_text("Thiết kế quy trình")
    person.shot("53-admin-new-designer")
    for staff in (admin, person):
        staff.close()
