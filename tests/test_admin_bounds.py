"""Issue 12 item 4, through the pages and the API, on SQLite and PostgreSQL: an administrator
cannot give themself a position (the clerk's, to read secret documents); granting a
secret-reader position, or resetting a leader's password and logging in as them, or making
a second administrator (who would approve for the first), waits for another administrator
or the director, who cannot be the one asking nor the one concerned;
each request and decision is audited and notified to the person concerned."""

from __future__ import annotations

from sqlalchemy import select

from engine import demo
from engine.core.platform import Platform
from engine.models import AdminRequest, Notification, Position, User
from tests.conftest import Api
from tests.test_admin import Admin, _audited, _id, _login, _new_user, _unit
from webui import create_app

NEW_DIRECTOR_PASSWORD = "Đồi chè xanh mướt 2026"
OWN = "Sông Hồng đỏ nặng phù sa 1802"


def _positions(platform: Platform, username: str) -> set[str]:
    with platform.db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return {p.position.value for p in user.positions}


def _notices(platform: Platform, username: str) -> list[str]:
    with platform.db.read() as session:
        return list(session.scalars(select(Notification.title).join(User, User.id == Notification.user_id)
                                    .where(User.username == username, Notification.kind == "account")))


def test_an_administrator_cannot_make_themself_a_secret_reader(api: Api, platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    me = _id(platform, User, username="btl_admin")
    office = str(_unit(platform, "TCHC"))
    for position in ("clerk", "director", "specialist"):
        refused = admin.post(f"/admin/users/{me}/positions", {"unit": office, "position": position}, 403)
        assert "tự cấp chức vụ cho chính mình" in refused
    assert _positions(platform, "btl_admin") == {"admin"}
    # Nor by making a new secret reader whose password they know.
    made = admin.post("/admin/users", {"username": "btl_van_thu_gia", "full_name": "Văn thư giả", "unit": office,
                                       "position": "clerk", "password": "Hoa-sen-2026-xanh"}, 422)
    assert "cần phê duyệt" in made
    with platform.db.read() as session:
        assert session.scalars(select(User).where(User.username == "btl_van_thu_gia")).first() is None


def test_secret_reader_positions_and_leader_resets_need_a_second_approval(api: Api, platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    office = str(_unit(platform, "TCHC"))
    specialist = _id(platform, User, username="btl_spec_khnv")
    director = _id(platform, User, username="btl_director")

    admin.post(f"/admin/users/{specialist}/positions", {"unit": office, "position": "clerk"})
    assert _positions(platform, "btl_spec_khnv") == {"specialist"}  # not yet
    admin.post(f"/admin/users/{director}/password", {"password": NEW_DIRECTOR_PASSWORD})
    assert _login(create_app(platform).test_client(), "btl_director", NEW_DIRECTOR_PASSWORD) == 401
    assert _login(create_app(platform).test_client(), "btl_director") == 302  # the director's own still works
    assert [e["kind"] for e in _audited(platform, "admin_request_created")] == ["position", "password"]
    assert not _audited(platform, "user_password_reset") and not _audited(platform, "position_added")
    assert any("chờ phê duyệt" in t for t in _notices(platform, "btl_spec_khnv"))
    assert any("chờ phê duyệt" in t for t in _notices(platform, "btl_director"))

    # The one who asked cannot approve, through the page or the API.
    with platform.db.read() as session:
        grant, reset = session.scalars(select(AdminRequest.id).order_by(AdminRequest.id)).all()
    assert f'data-request="{grant}"' in admin.get("/approvals")
    admin.post(f"/approvals/{grant}", {"decision": "approve"}, 403)
    assert api.post("btl_admin", f"/api/v1/admin-requests/{grant}/approve", {}).status_code == 403
    # Someone who is neither administrator nor director sees none of it.
    assert api.get("btl_clerk", "/api/v1/admin-requests").status_code == 403
    assert api.post("btl_deputy1", f"/api/v1/admin-requests/{grant}/approve", {}).status_code == 404
    # Another agency's director neither.
    assert api.post("qn_director", f"/api/v1/admin-requests/{grant}/approve", {}).status_code == 404

    # The director approves the grant; they may not approve the reset of their own password.
    listed = api.get("btl_director", "/api/v1/admin-requests").get_json()["items"]
    assert [r["id"] for r in listed] == [grant, reset]
    assert api.post("btl_director", f"/api/v1/admin-requests/{grant}/approve", {}).status_code == 200
    assert _positions(platform, "btl_spec_khnv") == {"specialist", "clerk"}
    assert api.post("btl_director", f"/api/v1/admin-requests/{grant}/approve", {}).status_code == 409
    assert api.post("btl_director", f"/api/v1/admin-requests/{reset}/approve", {}).status_code == 403
    assert any("đã được phê duyệt" in t for t in _notices(platform, "btl_spec_khnv"))

    # A second administrator approves the reset: the director then chooses their own password.
    second = _new_user(admin, platform, "btl_admin2")
    admin.post(f"/admin/users/{second}/positions", {"unit": office, "position": "admin"})
    with platform.db.read() as session:  # a second administrator waits too, else it would approve for the first
        asked = session.scalars(select(AdminRequest.id).order_by(AdminRequest.id.desc())).first()
    assert Position.ADMIN.value not in _positions(platform, "btl_admin2")
    assert api.post("btl_director", f"/api/v1/admin-requests/{asked}/approve", {}).status_code == 200
    other = Admin(platform, "btl_admin2", "Hoa-sen-2026-xanh", choose=OWN)
    other.post(f"/approvals/{reset}", {"decision": "approve"})
    assert _login(create_app(platform).test_client(), "btl_director") == 401
    client = create_app(platform).test_client()
    given = client.post("/api/v1/auth/token", json={"username": "btl_director", "password": NEW_DIRECTOR_PASSWORD})
    assert given.status_code == 200 and given.get_json()["must_change_password"] is True
    approved = _audited(platform, "admin_request_approved")
    assert [(e["kind"], e["user_id"]) for e in approved] == [("position", specialist), ("position", second),
                                                             ("password", director)]
    assert NEW_DIRECTOR_PASSWORD not in str(approved)
    with platform.db.read() as session:
        assert session.scalars(select(AdminRequest.password_hash).where(AdminRequest.id == reset)).one() is None

    # A rejected request changes nothing.
    admin.post(f"/admin/users/{specialist}/positions", {"unit": office, "position": "deputy_director"})
    with platform.db.read() as session:
        last = session.scalars(select(AdminRequest.id).order_by(AdminRequest.id.desc())).first()
    other.post(f"/approvals/{last}", {"decision": "reject"})
    assert Position.DEPUTY_DIRECTOR.value not in _positions(platform, "btl_spec_khnv")
    assert _audited(platform, "admin_request_rejected")[-1]["request_id"] == last
    assert demo.DEMO_PASSWORD  # the seeded accounts keep the demo password (README)
