"""Ký bằng USB token from the task page, in Chromium: the Bắc Từ Liêm Director's key sits on a
SoftHSM token behind the local sign agent (qlvb sign-agent) on 127.0.0.1, whose PIN prompt the
test answers. A wrong PIN is refused with nothing signed; the right one signs, and the page
shows the signature the server verified. The page says in Vietnamese when the agent does not
run or the token is not there. The page routes refuse another person's task, a post without the
CSRF token and forged signatures; the page may talk to the agent's loopback origin and no other.
A Đồng Nai head's ký nháy goes through the agent the same way."""

from __future__ import annotations

import http.client
import json
import socket
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from playwright.sync_api import Browser, Page, expect

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from signing.keystore import softhsm
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests.browser import MOJIBAKE, Staff, backend, browser, serving  # noqa: F401 - fixtures
from tests.conftest import TOKEN_PIN, Api
from tests.flows import only_task, to_director
from tests.signing_support import running_agent

TOKEN_CHOICE = "Ký bằng USB token (phần mềm ký số trên máy)"
UNREACHABLE = "Không kiểm tra được trạng thái thu hồi của chứng thư số"
WARNED = ("Hãy đọc cảnh báo về chứng thư số trên USB token ở trên; bấm Ký số lần nữa để vẫn ký (cảnh báo được lưu "
          "kèm chữ ký).")


@dataclass
class Site:
    url: str
    agent_port: int  # where the page looks for the agent
    pins: list[str]  # what the Director types at the agent's PIN prompt, in order


def _free_port() -> int:
    """A loopback port nobody listens on, for the agent: the platform must know it before the
    agent (which must know the platform's origin) starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(platform: Platform, clock: FakeClock) -> Iterator[Site]:
    """The platform configured with the agent's port and served; no agent runs yet."""
    port = _free_port()
    configured = Platform.from_settings(replace(platform.settings, sign_agent_port=port), clock)
    try:
        with serving(configured) as url:
            yield Site(url, port, [])
    finally:
        configured.db.dispose()


@pytest.fixture
def site(served: Site, clock: FakeClock, softhsm_tokens: dict[str, softhsm.Token]) -> Iterator[Site]:
    """… and the Director's sign agent running there, answering the platform's origin."""
    with running_agent(softhsm_tokens["giam-doc"], served.url, clock.now, served.agent_port) as (_, pins):
        yield replace(served, pins=pins)


def _document(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = api.get("btl_director", f"/api/v1/documents/{case['document']['id']}").get_json()
    return found


def _token_certificate(site: Site) -> str:
    """The certificate on the Director's token, as the agent gives it to the platform's page."""
    conn = http.client.HTTPConnection("127.0.0.1", site.agent_port, timeout=30)
    conn.request("GET", "/certificate", headers={"Origin": site.url})
    answer = json.loads(conn.getresponse().read())
    conn.close()
    certificate: str = answer["certificate"]
    return certificate


def _sign_with_token(page: Page, warned: bool = True) -> None:
    """Choose the token and press Ký số, once the token's status is shown (``warned``: the agent
    runs and the demo certificate, naming no OCSP responder or CRL, cannot be checked)."""
    page.get_by_label(TOKEN_CHOICE).check()
    if warned:
        expect(page.get_by_test_id("signing-check")).to_contain_text(UNREACHABLE)
    page.get_by_role("button", name="Ký số").click()


def test_director_signs_through_the_sign_agent_from_the_task_page(
    browser: Browser, site: Site, platform: Platform, api: Api, demo_pki: Path  # noqa: F811
) -> None:
    case = to_director(api)
    task = only_task(case)
    unsigned = _document(api, case)
    director = Staff(browser, site.url, "btl_director", backend(platform)).login()
    page = director.page
    page.goto(f"/tasks/{task['id']}")
    panel = page.locator("[data-sign-agent]")
    expect(panel).to_contain_text(f"http://127.0.0.1:{site.agent_port}")
    text = panel.inner_text()
    assert "Cách ký số" in text and not MOJIBAKE.search(text) and unicodedata.is_normalized("NFC", text)

    # A wrong PIN: the agent refuses, the page says so, nothing is signed and the task stays open.
    site.pins.append("000000")
    _sign_with_token(page)
    status = page.get_by_test_id("agent-status")
    expect(status).to_have_text("Mã PIN không đúng: văn bản chưa được ký. Bấm Ký số để thử lại.")
    director.shot("sign-agent-wrong-pin")
    assert api.get("btl_director", f"/api/v1/tasks/{task['id']}").get_json()["status"] == "open"
    assert _document(api, case)["files"] == unsigned["files"] and unsigned["signatures"] == []

    # The right PIN: signed, completed, and the page shows the signature as the server verified it.
    site.pins.append(TOKEN_PIN)
    page.get_by_role("button", name="Ký số").click()
    result = page.get_by_test_id("signed-result")
    expect(result).to_contain_text("Đã ký số và xử lý xong")
    leader = page.locator('[data-testid="signature-reports"] li[data-field="LanhDao"]')
    expect(leader).to_have_attribute("data-valid", "true")
    expect(leader).to_contain_text("Trần Minh Quang")
    expect(leader).to_contain_text("hợp lệ")
    director.shot("sign-agent-signed")
    assert site.pins == []

    signed = _document(api, case)
    main = next(f for f in signed["files"] if f["role"] == "main")
    pdf = api.get("btl_director", f"/api/v1/documents/{signed['id']}/files/{main['id']}").data
    root = x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())
    assert [(r.field, r.valid, r.trusted) for r in verify_pdf(pdf, [root])] == [("LanhDao", True, True)]
    after = api.get("btl_clerk", f"/api/v1/cases/{case['id']}").get_json()
    assert [t["task"] for t in after["open_tasks"]] == ["clerk_issue"]
    director.close()


def test_a_token_holder_sees_the_warning_before_the_pin(
    browser: Browser, served: Site, platform: Platform, api: Api, clock: FakeClock,  # noqa: F811
    softhsm_tokens: dict[str, softhsm.Token]
) -> None:
    """Under the "warn" policy (an agency's default), the token's certificate, whose status cannot
    be checked (the demo PKI names no OCSP responder or CRL), is warned about before the agent
    asks for the PIN: as soon as the token is chosen, or, with the agent started only then, at the
    first press of Ký số, which then signs nothing and asks for a second press. The warning is
    kept with the signature."""
    first, second = to_director(api), to_director(api)
    director = Staff(browser, served.url, "btl_director", backend(platform)).login()
    page = director.page
    check, status = page.get_by_test_id("signing-check"), page.get_by_test_id("agent-status")
    with running_agent(softhsm_tokens["giam-doc"], served.url, clock.now, served.agent_port) as (_, pins):
        page.goto(f"/tasks/{only_task(first)['id']}")
        expect(check).to_be_hidden()  # the demo's key folder has no certificate file of theirs to check
        page.get_by_label(TOKEN_CHOICE).check()
        expect(check).to_contain_text(UNREACHABLE)
        expect(check).to_contain_text("vẫn được ký; cảnh báo này được lưu kèm chữ ký")
        expect(status).to_have_text("")  # no PIN asked: with none to give, the agent would have cancelled
        director.shot("sign-agent-token-warning")
        pins.append(TOKEN_PIN)
        page.get_by_role("button", name="Ký số").click()
        expect(page.get_by_test_id("signed-result")).to_contain_text("Đã ký số và xử lý xong")
        assert pins == []

    page.goto(f"/tasks/{only_task(second)['id']}")
    page.get_by_label(TOKEN_CHOICE).check()  # no agent yet: nothing to show
    expect(check).to_be_hidden()
    with running_agent(softhsm_tokens["giam-doc"], served.url, clock.now, served.agent_port) as (_, pins):
        page.get_by_role("button", name="Ký số").click()
        expect(check).to_contain_text(UNREACHABLE)
        expect(status).to_have_text(WARNED)
        assert api.get("btl_director", f"/api/v1/tasks/{only_task(second)['id']}").get_json()["status"] == "open"
        pins.append(TOKEN_PIN)
        page.get_by_role("button", name="Ký số").click()
        expect(page.get_by_test_id("signed-result")).to_contain_text("Đã ký số và xử lý xong")
        assert pins == []
    for case in (first, second):
        warnings = _document(api, case)["signing_warnings"]
        assert len(warnings) == 1 and UNREACHABLE in warnings[0]
    director.close()


def test_signing_routes_refuse_others_and_forms_without_the_token(
    browser: Browser, site: Site, platform: Platform, api: Api  # noqa: F811
) -> None:
    task = only_task(to_director(api))
    head = Staff(browser, site.url, "btl_head_khnv", backend(platform)).login()
    head.page.goto("/inbox")
    csrf = head.page.locator('input[name="csrf_token"]').first.input_value()
    policy = head.page.request.get("/inbox").headers["content-security-policy"]
    assert f"connect-src 'self' http://127.0.0.1:{site.agent_port};" in policy
    assert policy.count("http") == 1  # the agent's loopback origin, and nothing else

    request = head.context.request
    paths = [f"/tasks/{task['id']}/signing-request", f"/tasks/{task['id']}/token-signature"]
    for path in paths:  # the Director's task, not the head's
        refused = request.post(path, headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
                               form={"decision": "sign", "request_id": "x" * 32, "signature": "AAAA"})
        assert refused.status == 403, (path, refused.text())
    director = Staff(browser, site.url, "btl_director", backend(platform)).login()
    for path in paths:
        refused = director.context.request.post(path, form={"decision": "sign"}, max_redirects=0)
        assert refused.status == 400 and "CSRF" in refused.text(), path
    # Signatures that are not the token's are refused, nothing signed: for no request of the
    # Director's, not base64, or not made by the request's certificate.
    director.page.goto(f"/tasks/{task['id']}")
    own = {"X-CSRF-Token": director.page.locator('input[name="csrf_token"]').first.input_value(),
           "Accept": "application/json"}
    created = director.context.request.post(paths[0], headers=own, data={"certificate": _token_certificate(site)})
    assert created.status == 201, created.text()
    request_id = created.json()["id"]
    for given, error in [({"request_id": "x" * 32, "signature": "AAAA"}, "Yêu cầu ký không tồn tại hoặc đã dùng."),
                         ({"request_id": request_id, "signature": "khong-base64"}, "Chữ ký số gửi lên không hợp lệ."),
                         ({"request_id": request_id, "signature": "AAAA"},
                          "Chữ ký trả về không khớp với chứng thư số của người ký.")]:
        forged = director.context.request.post(paths[1], headers=own, form={"decision": "sign", **given})
        assert forged.status == 422 and forged.json()["error"] == error, forged.text()
    assert api.get("btl_director", f"/api/v1/tasks/{task['id']}").get_json()["status"] == "open"
    for person in (head, director):
        person.close()


def test_the_page_says_when_the_agent_or_the_token_is_missing(
    browser: Browser, served: Site, platform: Platform, api: Api, clock: FakeClock,  # noqa: F811
    softhsm_tokens: dict[str, softhsm.Token]
) -> None:
    task = only_task(to_director(api))
    director = Staff(browser, served.url, "btl_director", backend(platform)).login()
    page = director.page
    page.goto(f"/tasks/{task['id']}")
    status = page.get_by_test_id("agent-status")
    _sign_with_token(page, warned=False)
    expect(status).to_have_text(f"Không kết nối được phần mềm ký số trên máy (http://127.0.0.1:{served.agent_port}). "
                                "Hãy mở phần mềm ký số QLVB (xem hướng dẫn cài đặt bên dưới) rồi bấm Ký số lại.")
    assert "qlvb sign-agent" not in page.inner_text("body")  # no command line for an official
    page.get_by_test_id("agent-guide").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cài đặt phần mềm ký số QLVB")
    page.go_back()
    pulled_out = replace(softhsm_tokens["giam-doc"], label="khong-cam")
    with running_agent(pulled_out, served.url, clock.now, served.agent_port):
        page.get_by_role("button", name="Ký số").click()
        expect(status).to_have_text("Không tìm thấy USB token: hãy cắm thiết bị ký số vào máy rồi bấm Ký số lại.")
        director.shot("sign-agent-no-token")
    assert api.get("btl_director", f"/api/v1/tasks/{task['id']}").get_json()["status"] == "open"
    page.get_by_role("button", name="English").click()
    expect(page.locator("[data-sign-agent]")).to_contain_text(
        "Sign with a USB token (signing software on this computer)")
    director.close()


def test_a_head_signs_the_approval_with_a_token_from_the_task_page(
    browser: Browser, served: Site, platform: Platform, api: Api, clock: FakeClock,  # noqa: F811
    softhsm_tokens: dict[str, softhsm.Token], demo_pki: Path,
) -> None:
    """Đồng Nai's ký nháy from the task page with the head's USB token: the agent box answers the
    step's own decision ("Ký nháy, chuyển tiếp"), and the approval is signed and verified."""
    from tests.test_dong_nai import DRAFT, START, _start, _walk

    case = _walk(api, _start(api, "dn_spec_vps", START), [("draft", "dn_spec_vps", {**DRAFT, "route": ["VPS"]})])
    task = only_task(case)
    with running_agent(softhsm_tokens["vps-dn"], served.url, clock.now, served.agent_port) as (_, pins):
        head = Staff(browser, served.url, "dn_cvp", backend(platform)).login()
        head.page.goto(f"/tasks/{task['id']}")
        head.page.get_by_label(TOKEN_CHOICE).check()
        expect(head.page.get_by_test_id("signing-check")).to_contain_text(UNREACHABLE)
        pins.append(TOKEN_PIN)
        head.page.get_by_role("button", name="Ký nháy, chuyển tiếp").click()
        expect(head.page.get_by_test_id("signed-result")).to_contain_text("Đã ký số và xử lý xong")
        initial = head.page.locator('[data-testid="signature-reports"] li[data-field="KyNhay1"]')
        expect(initial).to_have_attribute("data-valid", "true")
        expect(initial).to_contain_text("Lâm Văn Hiếu")
        head.shot("sign-agent-initial")
        head.close()
    after = api.get("dn_cvp", f"/api/v1/cases/{case['id']}").get_json()
    assert [t["task"] for t in after["open_tasks"]] == ["director_sign"]
    doc = after["document"]
    main = next(f for f in doc["files"] if f["role"] == "main")
    pdf = api.get("dn_cvp", f"/api/v1/documents/{doc['id']}/files/{main['id']}").data
    root = x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())
    assert [(r.field, r.signer, r.valid, r.trusted) for r in verify_pdf(pdf, [root])] == [
        ("KyNhay1", "Lâm Văn Hiếu", True, True)]


def test_the_director_signs_several_documents_with_one_pin_from_the_list(
    browser: Browser, site: Site, platform: Platform, api: Api, demo_pki: Path  # noqa: F811
) -> None:
    """Ký số hàng loạt with the token (issue 17 item 1): the Chờ ký list's batch, one PIN typed
    once in the agent for both documents; a wrong PIN signs neither. Remote signing, approved per
    request on the phone, is said not to batch."""
    cases = [to_director(api), to_director(api)]
    director = Staff(browser, site.url, "btl_director", backend(platform)).login()
    page = director.page
    page.goto("/documents?list=out_signing")
    expect(page.get_by_test_id("sign-many-methods")).to_contain_text("Ký số từ xa không ký hàng loạt")
    ticks = page.locator("tr[data-document] input[name=ids]")
    expect(ticks).to_have_count(2)
    page.get_by_label("USB token (một mã PIN").check()
    expect(page.locator("#signing_password")).to_be_hidden()
    status = page.get_by_test_id("sign-many-status")
    site.pins.append("000000")
    ticks.first.check()
    ticks.last.check()
    page.get_by_test_id("sign-many").click()
    expect(status).to_have_text("Mã PIN không đúng: văn bản chưa được ký. Bấm Ký số để thử lại.")
    assert all(api.get("btl_director", f"/api/v1/cases/{c['id']}").get_json()["open_tasks"][0]["task"]
               == "director_sign" for c in cases)

    site.pins.append(TOKEN_PIN)  # one PIN: a second prompt would find none and cancel
    page.get_by_test_id("sign-many").click()
    expect(page.get_by_test_id("count-out_signing")).to_have_text("0")
    expect(page.locator(".flash.success")).to_have_count(2)  # one per document, each its own completion
    expect(page.locator(".flash.success").first).to_contain_text("Đã ký số")
    assert site.pins == []
    director.shot("sign-agent-several-one-pin")
    root = x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())
    for case in cases:
        case = api.get("btl_director", f"/api/v1/cases/{case['id']}").get_json()
        assert only_task(case)["task"] == "clerk_issue"
        doc = case["document"]
        main = next(f for f in doc["files"] if f["role"] == "main")
        pdf = api.get("btl_clerk", f"/api/v1/documents/{doc['id']}/files/{main['id']}").data
        assert [(r.field, r.valid, r.trusted) for r in verify_pdf(pdf, [root])] == [("LanhDao", True, True)]
        poppler = pdfsig(pdf, [root])[0]
        assert (poppler["signature_valid"], poppler["certificate_trusted"]) == (True, True)
    director.close()
