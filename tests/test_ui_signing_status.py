"""Before the password (issue 16, item 2; Circular 15/2025/TT-BKHCN Art. 5, App. I 1.16–1.18): the
Director's signing step checks the certificate of their key on the server (OCSP, then CRL, against
the test CA on 127.0.0.1) as the page opens, and says what the agency's policy makes of it before
anything is typed: revoked, refused and the password field disabled; responders down, refused or
warned per policy; good, said so. The page asks ``/tasks/<id>/signing-status``; the JSON API has
the same at ``GET /api/v1/tasks/{id}/signing-status``."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import Agency
from engine.signatures import trust_store
from signing.keystore import pki
from signing.keystore.testca import LocalCa
from tests.browser import Staff, backend, browser, serving  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import only_task, to_director
from tests.test_signing_2025_flow import _set_policy, ca, identities, platform, responders_up  # noqa: F401

REVOKED = "Chứng thư số của người ký đã bị tổ chức chứng thực thu hồi: không được ký."
UNREACHABLE = "Không kiểm tra được trạng thái thu hồi của chứng thư số"


@pytest.fixture
def held_chain(platform: Platform, identities: dict[str, pki.Identity]) -> None:  # noqa: F811
    """The Director's certificate file holds its CA certificates, as an installed key's does
    (engine.org.key_files): the path to the agency's trusted root is built from it."""
    identity = identities["director"]
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (identity.certificate, *identity.chain[:-1]))
    (platform.settings.pki_dir / "people" / "btl_director.pem").write_bytes(pem)


def _status(api: Api, task: dict[str, Any], username: str = "btl_director") -> Any:
    return api.get(username, f"/api/v1/tasks/{task['id']}/signing-status")


@pytest.mark.usefixtures("held_chain")
def test_the_api_tells_good_revoked_and_unreachable_before_signing(
        api: Api, platform: Platform, ca: LocalCa, identities: dict[str, pki.Identity]) -> None:  # noqa: F811
    task = only_task(to_director(api))
    good = _status(api, task)
    assert good.status_code == 200, good.get_json()
    assert {k: good.get_json()[k] for k in ("checked", "status", "source", "refused", "warning", "policy")} == {
        "checked": True, "status": "good", "source": "ocsp", "refused": False, "warning": None, "policy": "refuse"}
    assert _status(api, task, "btl_head_khnv").status_code == 403  # not their task

    ca.down = True
    down = _status(api, task).get_json()
    assert (down["status"], down["refused"], down["warning"]) == ("unreachable", True, None)
    assert UNREACHABLE in down["message"] and "không ký khi chưa kiểm tra được" in down["message"]
    _set_policy(platform, ca, "warn")
    warned = _status(api, task).get_json()
    assert (warned["status"], warned["refused"]) == ("unreachable", False)
    assert UNREACHABLE in warned["warning"] and "vẫn được ký" in warned["warning"]
    ca.down = False

    ca.revoke(identities["director"].certificate, when=platform.clock.now() - timedelta(hours=1))
    revoked = _status(api, task).get_json()
    assert (revoked["status"], revoked["refused"], revoked["message"]) == ("revoked", True, REVOKED)


def test_the_api_tells_a_tokens_certificate_status_before_the_pin(
        api: Api, platform: Platform, ca: LocalCa, identities: dict[str, pki.Identity]) -> None:  # noqa: F811
    """``POST /api/v1/tasks/{id}/signing-status`` with the certificate a USB token holds (as the sign
    agent hands it over): the same answer as for a key on the server, before any PIN is asked."""
    (platform.settings.pki_dir / "people" / "btl_director.pem").unlink()  # the key is on the token only
    with platform.db.write() as session:  # a token gives its certificate alone: the CA's comes from the store
        agency_id = session.scalars(select(Agency.id).where(Agency.code == "btl")).one()
        trust_store.add(session, agency_id, identities["director"].chain[0].public_bytes(serialization.Encoding.DER),
                        "CA thử nghiệm (trung gian)", None, platform.clock.now())
    task = only_task(to_director(api))
    token = base64.b64encode(identities["director"].certificate.public_bytes(serialization.Encoding.DER)).decode()
    path = f"/api/v1/tasks/{task['id']}/signing-status"
    assert _status(api, task).get_json()["checked"] is False  # nothing on the server to check
    good = api.post("btl_director", path, {"certificate": token})
    assert good.status_code == 200, good.get_json()
    assert {k: good.get_json()[k] for k in ("checked", "status", "source", "refused", "warning")} == {
        "checked": True, "status": "good", "source": "ocsp", "refused": False, "warning": None}
    assert api.post("btl_head_khnv", path, {"certificate": token}).status_code == 403  # not their task
    refused = api.post("btl_director", path, {"certificate": "khong-phai-base64"})
    assert refused.status_code == 422 and refused.get_json()["error"] == "Chứng thư số không hợp lệ."
    _set_policy(platform, ca, "warn")
    ca.down = True
    warned = api.post("btl_director", path, {"certificate": token}).get_json()
    assert (warned["status"], warned["refused"]) == ("unreachable", False) and "vẫn được ký" in warned["warning"]
    ca.down = False
    ca.revoke(identities["director"].certificate, when=platform.clock.now() - timedelta(hours=1))
    revoked = api.post("btl_director", path, {"certificate": token}).get_json()
    assert (revoked["status"], revoked["refused"], revoked["message"]) == ("revoked", True, REVOKED)


def test_a_key_without_a_certificate_file_is_not_checked_here(api: Api, platform: Platform) -> None:  # noqa: F811
    (platform.settings.pki_dir / "people" / "btl_director.pem").unlink()
    answer = _status(api, only_task(to_director(api))).get_json()
    assert (answer["checked"], answer["refused"], answer["message"]) == (False, False, None)


@pytest.fixture
def site(platform: Platform) -> Iterator[str]:  # noqa: F811
    with serving(platform) as url:
        yield url


@pytest.mark.usefixtures("held_chain")
def test_the_revoked_director_is_told_on_opening_the_page_and_cannot_type_the_password(
        browser: Browser, site: str, api: Api, platform: Platform, ca: LocalCa,  # noqa: F811
        identities: dict[str, pki.Identity], demo_pki: Path) -> None:  # noqa: F811
    task = only_task(to_director(api))
    director = Staff(browser, site, "btl_director", backend(platform)).login()
    page = director.page
    page.goto(f"/tasks/{task['id']}")
    check = page.get_by_test_id("signing-check")
    expect(check).to_contain_text("còn hiệu lực, chưa bị thu hồi (OCSP)")
    expect(page.locator("#signing_password")).to_be_enabled()

    ca.revoke(identities["director"].certificate, when=platform.clock.now() - timedelta(hours=1))
    page.reload()
    expect(check).to_have_text(REVOKED)
    expect(check).to_have_class("signing-check bad")
    expect(page.locator("#signing_password")).to_be_disabled()
    director.shot("signing-status-revoked")
    director.close()


@pytest.mark.usefixtures("held_chain")
def test_responders_down_the_page_warns_or_refuses_as_the_agency_says(
        browser: Browser, site: str, api: Api, platform: Platform, ca: LocalCa) -> None:  # noqa: F811
    task = only_task(to_director(api))
    ca.down = True
    director = Staff(browser, site, "btl_director", backend(platform)).login()
    page = director.page
    page.goto(f"/tasks/{task['id']}")
    check = page.get_by_test_id("signing-check")
    expect(check).to_contain_text(UNREACHABLE)
    expect(check).to_contain_text("không ký khi chưa kiểm tra được trạng thái")
    expect(page.locator("#signing_password")).to_be_disabled()

    _set_policy(platform, ca, "warn")
    page.reload()
    expect(check).to_contain_text("vẫn được ký; cảnh báo này được lưu kèm chữ ký")
    expect(check).to_have_class("signing-check warn")
    expect(page.locator("#signing_password")).to_be_enabled()
    director.close()
