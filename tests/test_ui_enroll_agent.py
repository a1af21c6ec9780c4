"""A token-only official registers the certificate on their USB token from "Chứng thư số của tôi",
in Chromium, through their sign agent (SoftHSM token behind qlvb sign-agent on 127.0.0.1): a wrong
PIN registers nothing; the right one registers the certificate (no key uploaded), which the page
then lists, and their signing request with it is accepted where it was refused before."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlalchemy import delete, select

from engine.core.platform import Platform
from engine.models import User, UserCertificate
from tests.browser import MOJIBAKE, Staff, backend, browser  # noqa: F401 - fixtures
from tests.conftest import TOKEN_PIN, Api
from tests.flows import only_task, to_director
from tests.test_ui_sign_agent import Site, _token_certificate, served, site  # noqa: F401 - fixtures

ENROLL = "Đăng ký chứng thư số trên USB token"


def test_a_token_only_official_enrolls_from_the_page(
    browser: Browser, site: Site, platform: Platform, api: Api, demo_pki: Path  # noqa: F811
) -> None:
    with platform.db.write() as session:
        director = session.scalars(select(User).where(User.username == "btl_director")).one()
        session.execute(delete(UserCertificate).where(UserCertificate.user_id == director.id))
    task = only_task(to_director(api))
    certificate = _token_certificate(site)
    refused = api.post("btl_director", f"/api/v1/tasks/{task['id']}/signing-request", {"certificate": certificate})
    assert refused.status_code == 422 and "chưa được đăng ký" in refused.get_json()["error"]

    staff = Staff(browser, site.url, "btl_director", backend(platform)).login()
    page = staff.page
    page.goto("/settings/certificates")
    expect(page.get_by_test_id("my-certificates")).to_contain_text("Chưa có chứng thư số nào được đăng ký.")
    text = page.inner_text("body")
    assert not MOJIBAKE.search(text) and unicodedata.is_normalized("NFC", text)

    site.pins.append("000000")
    page.get_by_role("button", name=ENROLL).click()
    expect(page.get_by_test_id("agent-status")).to_have_text(
        "Mã PIN không đúng: chứng thư số chưa được đăng ký. Bấm lại để thử lại.")
    with platform.db.read() as session:
        assert session.scalars(select(UserCertificate).where(UserCertificate.user_id == director.id)).all() == []

    site.pins.append(TOKEN_PIN)
    page.get_by_role("button", name=ENROLL).click()
    expect(page.get_by_test_id("my-certificates")).to_contain_text("Trần Minh Quang")
    expect(page.locator("body")).to_contain_text("Đã đăng ký chứng thư số của Trần Minh Quang.")
    staff.shot("enroll-agent-registered")
    assert site.pins == [] and staff.errors == []
    with platform.db.read() as session:
        rows = session.scalars(select(UserCertificate).where(UserCertificate.user_id == director.id)).all()
        assert [(r.subject_name, r.source) for r in rows] == [("Trần Minh Quang", "agent")]
    accepted = api.post("btl_director", f"/api/v1/tasks/{task['id']}/signing-request", {"certificate": certificate})
    assert accepted.status_code == 201, accepted.get_json()
