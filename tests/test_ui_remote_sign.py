"""Ký bằng chữ ký số từ xa from the task page, in Chromium: the Bắc Từ Liêm administrator adds the
service on the Quản trị page, the Director chooses it on their sign step, and the page shows
"Đang chờ xác nhận trên điện thoại…" with the time left and a cancel button while it asks the
server every few seconds; a cancel ends the wait with nothing signed, and an approval on the
phone (the test service's endpoint) moves the page on with the task completed and the document
signed. The page routes refuse another person's task and a post without the CSRF token."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from signing.pades.verify import verify_pdf
from tests import remote_services
from tests.browser import MOJIBAKE, Staff, backend, browser, serving  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import only_task, to_director
from tests.test_remote_signing import own_api, own_platform, services  # noqa: F401 - fixtures

CHOICE = "Ký bằng chữ ký số từ xa"


@pytest.fixture
def site(own_platform: Platform) -> Iterator[str]:  # noqa: F811
    with serving(own_platform) as url:
        yield url


def _transaction(services: remote_services.Services, known: set[str]) -> str:  # noqa: F811
    """The service's new transaction, once the page's request has reached it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fresh = set(services.transactions) - known
        if fresh:
            return fresh.pop()
        time.sleep(0.1)
    raise AssertionError("no signing request reached the service")


def _add_service(browser: Browser, site: str, platform: Platform, url: str) -> None:  # noqa: F811
    admin = Staff(browser, site, "btl_admin", backend(platform)).login()
    page = admin.page
    page.goto("/admin/remote-signing")
    form = page.get_by_test_id("provider-new")
    form.get_by_label("Tên dịch vụ").fill("SmartCA thử nghiệm")
    form.get_by_label("Loại dịch vụ").select_option("approval")
    form.get_by_label("Địa chỉ dịch vụ").fill(url)
    form.get_by_label("Mã ứng dụng (client id, sp_id)").fill(remote_services.CLIENT_ID)
    form.get_by_label("Khóa bí mật (client secret, sp_password)").fill(remote_services.SECRET)
    form.get_by_role("button", name="Thêm dịch vụ").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text("Đã lưu dịch vụ ký số từ xa.")
    assert remote_services.SECRET not in page.content()
    expect(page.locator("[data-provider]")).to_contain_text("Đã lưu khóa bí mật.")
    admin.shot("remote-signing-settings")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Remote signing service")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("h1")).to_have_text("Dịch vụ ký số từ xa")
    admin.close()


def test_director_approves_on_the_phone_and_the_page_moves_on(
    browser: Browser, site: str, own_platform: Platform, own_api: Api,  # noqa: F811
    services: remote_services.Services, demo_pki: Path  # noqa: F811
) -> None:
    _add_service(browser, site, own_platform, services.url)
    case = to_director(own_api)
    task = only_task(case)
    director = Staff(browser, site, "btl_director", backend(own_platform)).login()
    page = director.page
    page.goto(f"/tasks/{task['id']}")
    page.get_by_label(CHOICE).check()
    page.get_by_label("Tài khoản ký số từ xa (số CCCD, mã số thuế hoặc tên đăng nhập)").fill("btl_director")

    # Sent, then cancelled while waiting: nothing signed, the task still open.
    page.get_by_role("button", name="Ký số").click()
    wait = page.get_by_test_id("remote-wait")
    expect(wait).to_contain_text("Đang chờ xác nhận trên điện thoại…")
    expect(wait).to_contain_text("giây")
    text = wait.inner_text()
    assert not MOJIBAKE.search(text)
    first = _transaction(services, set())
    director.shot("remote-sign-waiting")
    wait.get_by_role("button", name="Hủy yêu cầu ký").click()
    expect(page.get_by_test_id("agent-status")).to_have_text("Đã hủy yêu cầu ký số từ xa.")
    expect(wait).to_be_hidden()
    assert services.transactions[first].status == "cancelled"
    assert own_api.get("btl_director", f"/api/v1/tasks/{task['id']}").get_json()["status"] == "open"

    # Sent again and approved on the phone: the page moves on by itself.
    page.get_by_role("button", name="Ký số").click()
    expect(wait).to_contain_text("Đang chờ xác nhận trên điện thoại…")
    services.phone("approve", _transaction(services, {first}))
    page.wait_for_url("**/inbox", timeout=60_000)
    expect(page.locator("body")).to_contain_text("Đã ký số và xử lý xong công việc.")
    director.shot("remote-sign-done")
    director.close()

    doc: dict[str, Any] = own_api.get("btl_director", f"/api/v1/documents/{case['document']['id']}").get_json()
    main = next(f for f in doc["files"] if f["role"] == "main")
    pdf = own_api.get("btl_director", f"/api/v1/documents/{doc['id']}/files/{main['id']}").data
    root = x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())
    assert [(r.field, r.valid, r.trusted) for r in verify_pdf(pdf, [root])] == [("LanhDao", True, True)]
    after = own_api.get("btl_clerk", f"/api/v1/cases/{case['id']}").get_json()
    assert [t["task"] for t in after["open_tasks"]] == ["clerk_issue"]


def test_remote_signing_routes_refuse_others_and_forms_without_the_token(
    browser: Browser, site: str, own_platform: Platform, own_api: Api  # noqa: F811
) -> None:
    task = only_task(to_director(own_api))
    head = Staff(browser, site, "btl_head_khnv", backend(own_platform)).login()
    head.page.goto("/inbox")
    csrf = head.page.locator('input[name="csrf_token"]').first.input_value()
    refused = head.context.request.post(f"/tasks/{task['id']}/remote-signing",
                                        headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
                                        form={"decision": "sign", "remote_provider": "1", "remote_account": "x"})
    assert refused.status == 403, refused.text()
    for path in (f"/tasks/{task['id']}/remote-signing", f"/tasks/{task['id']}/remote-signing/abc/cancel",
                 "/admin/remote-signing"):
        without = head.context.request.post(path, form={"decision": "sign"}, max_redirects=0)
        assert without.status == 400 and "CSRF" in without.text(), path
    assert head.page.request.get("/admin/remote-signing").status == 403  # not an administrator
    head.close()
