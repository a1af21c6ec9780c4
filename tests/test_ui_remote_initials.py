"""Ký nháy through remote signing from the task page, in Chromium (issue 16, item 6 for the
approvals of a circulation chain): Đồng Nai's head of office chooses the agency's service on
their ký nháy step, the page shows "Đang chờ xác nhận trên điện thoại…" and moves on once the
phone has approved; the approval signature is in the document, at B-LT."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from signing.keystore import pki
from tests import remote_services
from tests.browser import Staff, backend, browser, serving  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import only_task
from tests.test_signing_initials_long_term import (  # noqa: F401 - fixtures
    _provider,
    _remote,
    _to_cvp,
    ca,
    identities,
    platform,
    services,
)


@pytest.fixture
def site(platform: Platform) -> Iterator[str]:  # noqa: F811
    with serving(platform) as url:
        yield url


def test_a_head_approves_the_ky_nhay_on_the_phone_from_the_task_page(
        browser: Browser, site: str, api: Api, platform: Platform,  # noqa: F811
        services: remote_services.Services, identities: dict[str, pki.Identity]) -> None:  # noqa: F811
    _provider(platform, _remote(platform), services, "approval")
    case = _to_cvp(api)
    task = only_task(case)
    head = Staff(browser, site, "dn_cvp", backend(platform)).login()
    page = head.page
    page.goto(f"/tasks/{task['id']}")
    page.get_by_label("Ký bằng chữ ký số từ xa").check()
    page.get_by_label("Tài khoản ký số từ xa (số CCCD, mã số thuế hoặc tên đăng nhập)").fill("dn_cvp")
    page.get_by_role("button", name="Ký nháy, chuyển tiếp").click()
    expect(page.get_by_test_id("remote-wait")).to_contain_text("Đang chờ xác nhận trên điện thoại…")
    deadline = time.monotonic() + 60
    while not services.transactions and time.monotonic() < deadline:
        time.sleep(0.1)
    services.phone("approve", services.only_transaction())
    page.wait_for_url("**/inbox", timeout=60_000)
    expect(page.locator("body")).to_contain_text("Đã ký số và xử lý xong công việc.")
    head.close()
    after = api.get("dn_cvp", f"/api/v1/cases/{case['id']}").get_json()
    assert [(s["field"], s["signer"], s["level"]) for s in after["document"]["signatures"]] == [
        ("KyNhay1", "Lâm Văn Hiếu", "B-LT")]
    assert [t["task"] for t in after["open_tasks"]] == ["head_initial"]
