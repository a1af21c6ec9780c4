"""The pages' security in Chromium: every POST form carries the session's CSRF token and a
POST without it (or with another) changes nothing; the session cookie is HttpOnly and
SameSite=Lax; a logout ends the session even for a copy of the cookie; the secret key
survives a restart."""

from __future__ import annotations

import stat
from pathlib import Path

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.browser import PAGE_TIMEOUT_MS, Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import to_head
from webui.common.security import secret_key

FORMS = "forms => forms.filter(f => f.method === 'post').map(f => [f.action, f.elements.csrf_token?.value ?? null])"


def test_every_page_form_has_the_token_and_a_post_without_it_is_refused(
    browser: Browser, live_url: str, platform: Platform, api: Api  # noqa: F811
) -> None:
    task = to_head(api)
    case = api.get("btl_head_khnv", f"/api/v1/tasks/{task['id']}").get_json()["case"]
    document = api.get("btl_head_khnv", f"/api/v1/cases/{case['id']}").get_json()["document"]

    anonymous = browser.new_context(base_url=live_url)
    anonymous.set_default_timeout(PAGE_TIMEOUT_MS)
    login = anonymous.new_page()
    login.goto("/login")
    tokens = login.eval_on_selector_all("form", FORMS)
    assert tokens and all(token for _, token in tokens)
    anonymous.close()

    head = Staff(browser, live_url, "btl_head_khnv", backend(platform)).login()
    clerk = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    pages = {head: ["/inbox", "/inbox?tab=done", "/notifications", "/new", "/new/btl_outgoing",
                    f"/tasks/{task['id']}", f"/cases/{case['id']}", f"/documents/{document['id']}"],
             clerk: ["/documents/incoming/new", f"/documents/{document['id']}"]}
    for person, paths in pages.items():
        seen: set[str] = set()
        for path in paths:
            person.page.goto(path)
            forms = person.page.eval_on_selector_all("form", FORMS)
            assert forms, path  # at least the logout and language forms
            assert all(token for _, token in forms), (path, forms)
            seen |= {token for _, token in forms}
        assert len(seen) == 1  # one token per session

    # Without the token, or with another session's, the approval is refused and the task stays open.
    request = head.context.request
    approve = {"decision": "approve", "route": "director"}
    refused = request.post(f"/tasks/{task['id']}", form=approve, max_redirects=0)
    assert refused.status == 400
    assert "CSRF" in refused.text()
    other = clerk.page.eval_on_selector_all("form", FORMS)[0][1]
    assert request.post(f"/tasks/{task['id']}", form={**approve, "csrf_token": other}, max_redirects=0).status == 400
    assert request.post("/logout", max_redirects=0).status == 400
    assert api.get("btl_head_khnv", f"/api/v1/tasks/{task['id']}").get_json()["status"] == "open"

    # With it, it goes through.
    head.page.goto(f"/tasks/{task['id']}")
    token = head.page.eval_on_selector_all("form", FORMS)[0][1]
    done = request.post(f"/tasks/{task['id']}", form={**approve, "csrf_token": token}, max_redirects=0)
    assert done.status == 302
    assert api.get("btl_head_khnv", f"/api/v1/cases/{case['id']}").get_json()["open_tasks"][0]["task"] == \
        "director_sign"
    for person in (head, clerk):
        person.close()


def test_session_cookie_flags_and_logout_ends_the_session(browser: Browser, live_url: str,  # noqa: F811
                                                          platform: Platform) -> None:
    spec = Staff(browser, live_url, "btl_spec_khnv", backend(platform)).login()
    cookie = next(c for c in spec.context.cookies() if c["name"] == "qlvb_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    spec.page.goto("/inbox")
    spec.page.get_by_role("button", name="Đăng xuất").click()
    expect(spec.page.locator("#username")).to_be_visible()

    # A copy of the cookie taken before the logout opens nothing.
    thief = browser.new_context(base_url=live_url)
    thief.set_default_timeout(PAGE_TIMEOUT_MS)
    thief.add_cookies([cookie])
    page = thief.new_page()
    page.goto("/inbox")
    assert "/login" in page.url
    thief.close()
    spec.close()


def test_the_secret_key_is_made_once_and_kept(tmp_path: Path) -> None:
    first = secret_key(tmp_path, {})
    assert len(first) == 64 and secret_key(tmp_path, {}) == first  # a restart keeps the sessions
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert secret_key(tmp_path, {"QLVB_SECRET_KEY": "given"}) == "given"
