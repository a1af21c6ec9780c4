"""Issue 12 item 5 and the accounts of item 4, through the pages (Flask test client) and the
API, on SQLite and PostgreSQL: the open redirect after login is refused; 200 wrong passwords
hold the account back, the right one too, with a Vietnamese notice, until the back-off ends;
a page session ends after 30 idle minutes and an API token after 8 idle hours; one's tokens are
listed and revoked; everyone changes their own password; an administrator's new account
chooses its own at first login, and ``password12``-like passwords are refused everywhere."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from engine import demo
from engine.core.clock import FakeClock
from engine.core.platform import Platform
from tests.conftest import Api
from tests.test_admin import Admin, _login, _unit
from webui import create_app

OWN = "Sông Hồng đỏ nặng phù sa 1802"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _token(client: FlaskClient, username: str, password: str = demo.DEMO_PASSWORD) -> str:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.get_json()
    return str(r.get_json()["token"])


def test_login_redirects_only_to_paths_of_this_site(platform: Platform) -> None:
    for evil in ("/\t/evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/",
                 "/\n/evil.example", "/ /evil.example"):
        client = create_app(platform).test_client()
        page = client.get("/login", query_string={"next": evil}).get_data(as_text=True)
        assert 'name="next" value="/"' in page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf is not None
        r = client.post("/login", data={"username": "btl_clerk", "password": demo.DEMO_PASSWORD,
                                        "csrf_token": csrf[1], "next": evil})
        assert r.status_code == 302 and r.location == "/", (evil, r.location)
    client = create_app(platform).test_client()
    page = client.get("/login", query_string={"next": "/inbox?tab=done"}).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    r = client.post("/login", data={"username": "btl_clerk", "password": demo.DEMO_PASSWORD,
                                    "csrf_token": csrf[1], "next": "/inbox?tab=done"})
    assert r.location == "/inbox?tab=done"


def test_wrong_passwords_hold_the_account_back(platform: Platform, clock: FakeClock) -> None:
    client = create_app(platform).test_client()
    statuses = [client.post("/api/v1/auth/token", json={"username": "btl_director", "password": f"sai-{n}"}).status_code
                for n in range(200)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    # The right password right after: still refused, with the notice of until when.
    right = client.post("/api/v1/auth/token", json={"username": "btl_director", "password": demo.DEMO_PASSWORD})
    assert right.status_code == 429 and "Tạm khóa đăng nhập đến" in right.get_json()["error"]
    assert _login(client, "btl_director") == 429
    # Guessing across accounts from one address holds the address back: 20 wrong in all.
    assert _token(client, "btl_clerk")
    for n in range(15):
        client.post("/api/v1/auth/token", json={"username": f"btl_khong_co_{n}", "password": "sai"})
    assert client.post("/api/v1/auth/token", json={"username": "btl_clerk",
                                                   "password": demo.DEMO_PASSWORD}).status_code == 429
    clock.advance(timedelta(hours=1, minutes=1))
    assert _token(client, "btl_director")
    # A success starts the account's count again: one wrong password is only a 401.
    assert client.post("/api/v1/auth/token", json={"username": "btl_director", "password": "x"}).status_code == 401


def test_sessions_end_when_idle_and_tokens_are_revoked(platform: Platform, clock: FakeClock) -> None:
    person = Admin(platform, "btl_clerk")
    clock.advance(timedelta(minutes=20))
    assert person.client.get("/inbox").status_code == 200  # used: its idle time starts again
    clock.advance(timedelta(minutes=20))
    assert person.client.get("/inbox").status_code == 200
    clock.advance(timedelta(minutes=31))
    gone = person.client.get("/inbox")
    assert gone.status_code == 302 and gone.location.startswith("/login")

    client = create_app(platform).test_client()
    first, second = _token(client, "btl_clerk"), _token(client, "btl_clerk")
    listed = client.get("/api/v1/auth/tokens", headers=_bearer(first)).get_json()["items"]
    assert [t["current"] for t in listed[-2:]] == [True, False] and all("token" not in t for t in listed)
    assert client.delete(f"/api/v1/auth/tokens/{listed[-1]['id']}", headers=_bearer(first)).status_code == 200
    assert client.get("/api/v1/tasks", headers=_bearer(second)).status_code == 401
    other = _token(client, "btl_director")
    other_id = client.get("/api/v1/auth/tokens", headers=_bearer(other)).get_json()["items"][-1]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{other_id}", headers=_bearer(first)).status_code == 404
    assert client.delete("/api/v1/auth/token", headers=_bearer(first)).status_code == 200
    assert client.get("/api/v1/tasks", headers=_bearer(first)).status_code == 401

    idle = _token(client, "btl_clerk")
    clock.advance(timedelta(hours=7))
    assert client.get("/api/v1/tasks", headers=_bearer(idle)).status_code == 200
    clock.advance(timedelta(hours=8, minutes=1))
    assert client.get("/api/v1/tasks", headers=_bearer(idle)).status_code == 401
    assert client.get("/api/v1/tasks", headers=_bearer(other)).status_code == 401  # idle 15 hours


def test_everyone_changes_their_own_password(api: Api, platform: Platform) -> None:
    client = api.client
    token = _token(client, "btl_spec_khnv")
    kept = _token(client, "btl_spec_khnv")
    refused = client.put("/api/v1/auth/password", headers=_bearer(token),
                         json={"current_password": "sai", "new_password": "password1234"})
    assert refused.status_code == 422
    assert set(refused.get_json()["fields"]) == {"current_password", "new_password"}
    for weak, why in (("password12", "12 ký tự"), ("Password2026!", "phổ biến"),
                      ("btl_spec_khnv-2026", "tên đăng nhập"), ("qwertyuiop1234", "phổ biến")):
        r = client.put("/api/v1/auth/password", headers=_bearer(token),
                       json={"current_password": demo.DEMO_PASSWORD, "new_password": weak})
        assert r.status_code == 422 and why in r.get_json()["fields"]["new_password"], weak
    assert client.put("/api/v1/auth/password", headers=_bearer(token),
                      json={"current_password": demo.DEMO_PASSWORD, "new_password": OWN}).status_code == 200
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 200  # this one stays
    assert client.get("/api/v1/tasks", headers=_bearer(kept)).status_code == 401  # the others end
    assert _login(create_app(platform).test_client(), "btl_spec_khnv") == 401
    assert _login(create_app(platform).test_client(), "btl_spec_khnv", OWN) == 302

    # Through the page: the form refuses a weak one with its message, then takes a good one.
    person = Admin(platform, "btl_clerk")
    weak = person.post("/account/password", {"current_password": demo.DEMO_PASSWORD, "new_password": "password12"},
                       422)
    assert "Mật khẩu cần ít nhất 12 ký tự." in weak
    person.post("/account/password", {"current_password": demo.DEMO_PASSWORD, "new_password": OWN})
    assert _login(create_app(platform).test_client(), "btl_clerk", OWN) == 302


def test_an_administrators_new_account_chooses_its_own_password(api: Api, platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    form = {"username": "btl_spec_moi", "full_name": "Đặng Văn Mới", "unit": str(_unit(platform, "KHNV")),
            "position": "specialist"}
    assert "Mật khẩu cần ít nhất 12 ký tự." in admin.post("/admin/users", {**form, "password": "password12"}, 422)
    admin.post("/admin/users", {**form, "password": "Hoa-sen-2026-xanh"})
    client = create_app(platform).test_client()
    given = client.post("/api/v1/auth/token", json={"username": "btl_spec_moi", "password": "Hoa-sen-2026-xanh"})
    assert given.get_json()["must_change_password"] is True
    token = given.get_json()["token"]
    refused = client.get("/api/v1/tasks", headers=_bearer(token))
    assert refused.status_code == 403 and "đổi mật khẩu" in refused.get_json()["error"]
    assert client.put("/api/v1/auth/password", headers=_bearer(token),
                      json={"current_password": "Hoa-sen-2026-xanh", "new_password": OWN}).status_code == 200
    assert client.get("/api/v1/tasks", headers=_bearer(token)).status_code == 200


def test_a_request_that_does_not_change_the_session_leaves_its_cookie_alone(platform: Platform) -> None:
    """Under load the confirmation of a step vanished: a GET begun before the step's form was
    posted ended after it and re-sent the session cookie as it had read it, without the flashed
    message. Only a response that changed the session may send the cookie."""
    client = create_app(platform).test_client()
    assert _login(client, "btl_clerk") == 302
    for path in ("/inbox", "/documents", "/inbox"):
        r = client.get(path)
        assert r.status_code == 200
        assert not [h for h in r.headers.getlist("Set-Cookie") if h.startswith("qlvb_session=")], path
