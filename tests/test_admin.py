"""The administrators' pages through the Flask test client: each change is made and audited,
refused to a non-admin (403) and to another agency's admin (403/404), refused input comes
back with its messages (422); the last administrator stays; a locked account can neither
log in nor use the API; an installed PKCS#12 key signs a Bắc Từ Liêm document for real."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from engine import demo
from engine.core.clock import FakeClock
from engine.core.config import Settings
from engine.core.errors import InvalidData
from engine.core.platform import Platform
from engine.models import AdminRequest, AuditEntry, Delegation, Position, RegisterBook, Unit, User, UserPosition
from engine.org import delegations
from engine.registry import registers
from signing.keystore import pki
from signing.pdf import images
from tests.conftest import START, Api
from tests.flows import issue_via_deputy
from webui import create_app

GOOD_PASSWORD = "Hoa-sen-2026-xanh"
OWN_PASSWORD = "Mây-trắng bay trên đồi 2026"  # chosen by the person at first login
NEW_SIGNER = "Lê Thị Hồng Nhung (chứng thư mới)"


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A second trusted CA (its root added to the trust roots) and an untrusted one."""
    folder = tmp_path_factory.mktemp("other-ca")
    root = pki.create_root("QLVB TEST ROOT 2 – KHÔNG DÙNG THẬT", now=START - timedelta(days=30))
    ca = pki.create_intermediate(root, now=START - timedelta(days=30))
    (folder / "root2.pem").write_bytes(pki._pem(root.certificate))
    stranger = pki.create_root(pki.UNTRUSTED_ROOT_NAME, now=START - timedelta(days=30))
    moment = START - timedelta(days=10)
    return {"root_pem": folder / "root2.pem",
            "deputy": pki.issue(ca, NEW_SIGNER, "Trung tâm Y tế Bắc Từ Liêm", now=moment),
            "expired": pki.issue(ca, "Người hết hạn", now=START, expired=True),
            "stranger": pki.issue(stranger, "Người lạ", now=moment)}


@pytest.fixture
def platform(database_url: str, tmp_path: Path, clock: FakeClock, demo_pki: Path,
             other_ca: dict[str, Any]) -> Iterator[Platform]:
    """The platform with its own copy of the demo keys, as these tests install keys and images."""
    keys = tmp_path / "pki"
    shutil.copytree(demo_pki, keys)
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", pki_path=keys,
                        trust_root_paths=[keys / "root.pem", other_ca["root_pem"]])
    p = Platform.from_settings(settings, clock)
    yield p
    p.db.dispose()


def _login(client: FlaskClient, username: str, password: str = demo.DEMO_PASSWORD) -> int:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token[1]}).status_code


class Admin:
    """A logged-in person's page client that posts forms with the session's CSRF token."""

    def __init__(self, platform: Platform, username: str, password: str = demo.DEMO_PASSWORD,
                 choose: str | None = None) -> None:
        """``choose``: the password an account an administrator set up chooses at first login."""
        self.client = create_app(platform).test_client()
        assert _login(self.client, username, password) == 302
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get("/inbox").get_data(as_text=True))
        if choose is not None:  # every page leads to the password change until it is made
            assert found is None and self.client.get("/inbox").location == "/account/password"
            found = re.search(r'name="csrf_token" value="([^"]+)"',
                              self.client.get("/account/password").get_data(as_text=True))
            assert found is not None
            assert self.client.post("/account/password", data={
                "csrf_token": found[1], "current_password": password, "new_password": choose}).status_code == 302
            found = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get("/inbox").get_data(as_text=True))
        assert found is not None
        self.csrf = found[1]

    def get(self, path: str, status: int = 200) -> str:
        r = self.client.get(path)
        assert r.status_code == status, (path, r.status_code)
        return r.get_data(as_text=True)

    def post(self, path: str, data: dict[str, Any], status: int = 302) -> str:
        r = self.client.post(path, data={"csrf_token": self.csrf, **data}, content_type="multipart/form-data")
        assert r.status_code == status, (path, r.status_code, r.get_data(as_text=True)[-3000:])
        return r.get_data(as_text=True)


def _audited(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.db.read() as session:
        return [json.loads(e.payload) for e in session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                                .order_by(AuditEntry.id))]


def _id(platform: Platform, model: Any, **where: Any) -> int:
    with platform.db.read() as session:
        return int(session.scalars(select(model.id).filter_by(**where)).one())


def _unit(platform: Platform, code: str, agency: str = "btl") -> int:
    with platform.db.read() as session:
        return int(session.scalars(select(Unit.id).join(Unit.agency).where(
            Unit.code == code, Unit.agency.has(code=agency))).one())


def _new_user(admin: Admin, platform: Platform, username: str = "btl_spec_moi") -> int:
    admin.post("/admin/users", {"username": username, "full_name": "Đặng Văn Mới", "email": "moi@example.vn",
                                "password": GOOD_PASSWORD, "unit": str(_unit(platform, "KHNV")),
                                "position": "specialist"})
    return _id(platform, User, username=username)


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (20, 40, 170, 255)).save(out, "PNG")
    return out.getvalue()


def test_pages_are_for_the_agency_admins_only(api: Api, platform: Platform) -> None:
    clerk = Admin(platform, "btl_clerk")
    assert 'href="/admin/users"' not in clerk.get("/inbox")
    for path in ("/admin/users", "/admin/users/new", "/admin/units", "/admin/delegations", "/admin/registers",
                 "/admin/seal"):
        clerk.get(path, 403)
    clerk.post("/admin/users", {"username": "x"}, 403)
    clerk.post("/admin/units", {"code": "X"}, 403)

    btl_user, btl_unit = _id(platform, User, username="btl_spec_khnv"), _unit(platform, "KHNV")
    qn = Admin(platform, "qn_admin")
    qn.get(f"/admin/users/{btl_user}", 404)
    qn.post(f"/admin/users/{btl_user}/active", {"active": "0"}, 404)
    qn.post(f"/admin/users/{btl_user}/password", {"password": GOOD_PASSWORD}, 404)
    qn.post(f"/admin/units/{btl_unit}", {"name": "Đổi tên"}, 404)
    qn.get("/admin/users?agency=btl", 403)
    assert "btl_spec_khnv" not in qn.get("/admin/users?q=btl")
    with platform.db.read() as session:
        user = session.scalars(select(User).where(User.username == "btl_spec_khnv")).one()
        assert user.active and user.full_name != "Đổi tên"


def test_create_search_edit_and_positions(api: Api, platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    listing = admin.get("/admin/users")
    assert 'href="/admin/users"' in listing and 'data-user="btl_clerk"' in listing
    assert 'data-user="qn_clerk"' not in listing  # only the agency's people
    for query in ("Trịnh Thị Lan", "trinh thi", "ADMIN"):
        assert re.findall(r'data-user="([^"]+)"', admin.get(f"/admin/users?q={query}")) == ["btl_admin"]

    weak = admin.post("/admin/users", {"username": "btl_spec_moi", "full_name": "Đặng Văn Mới",
                                       "password": "ngan1", "unit": "", "position": "boss"}, 422)
    assert "Mật khẩu cần ít nhất 12 ký tự." in weak and "Chọn đơn vị." in weak and "Chọn chức vụ." in weak
    assert 'value="btl_spec_moi"' in weak and "ngan1" not in weak  # what was typed is kept, not the password
    common = admin.post("/admin/users", {"username": "btl_admin", "full_name": "X", "email": "khong-phai-thu",
                                         "password": "Password2026!", "unit": str(_unit(platform, "KHNV")),
                                         "position": "specialist"}, 422)
    assert "Tên đăng nhập đã được dùng." in common and "quá phổ biến" in common
    assert "Địa chỉ thư điện tử không hợp lệ." in common

    user_id = _new_user(admin, platform)
    assert _audited(platform, "user_created")[-1]["username"] == "btl_spec_moi"
    assert api.client.post("/api/v1/auth/token", json={"username": "btl_spec_moi",
                                                       "password": GOOD_PASSWORD}).status_code == 200

    admin.post(f"/admin/users/{user_id}", {"full_name": "Đặng Văn Mới Sửa", "email": ""})
    assert admin.post(f"/admin/users/{user_id}", {"full_name": ""}, 422).count('data-error-for="full_name"') == 1
    page = admin.get(f"/admin/users/{user_id}")
    assert "Đặng Văn Mới Sửa" in page and 'data-position="specialist"' in page

    admin.post(f"/admin/users/{user_id}/positions", {"unit": str(_unit(platform, "TCHC")), "position": "designer"})
    admin.post(f"/admin/users/{user_id}/positions", {"unit": str(_unit(platform, "TCHC")), "position": "auditor"})
    twice = admin.post(f"/admin/users/{user_id}/positions",
                       {"unit": str(_unit(platform, "TCHC")), "position": "designer"}, 422)
    assert "Người này đã giữ chức vụ này trong đơn vị." in twice
    foreign = admin.post(f"/admin/users/{user_id}/positions",
                         {"unit": str(_unit(platform, "NVY", "quangngai")), "position": "designer"}, 422)
    assert "Đơn vị không thuộc cơ quan." in foreign
    designer = Admin(platform, "btl_spec_moi", GOOD_PASSWORD, choose=OWN_PASSWORD)
    designer.get("/design")  # the designer's deployment rights
    designer.get("/audit/cases")
    page = admin.get(f"/admin/users/{user_id}")
    specialist = re.search(r'name="position_id" value="(\d+)"', page)
    assert specialist is not None
    admin.post(f"/admin/users/{user_id}/positions/remove", {"position_id": specialist[1]})
    assert [p["position"] for p in _audited(platform, "position_added")] == ["designer", "auditor"]
    assert _audited(platform, "position_removed")[-1]["position"] == "specialist"
    assert _audited(platform, "user_updated")[-1]["full_name"] == "Đặng Văn Mới Sửa"


def test_users_are_paged(api: Api, platform: Platform) -> None:
    with platform.db.write() as session:
        unit = session.get_one(Unit, _unit(platform, "KHNV"))
        hashed = session.scalars(select(User.password_hash).where(User.username == "btl_clerk")).one()
        for n in range(25):
            person = User(username=f"btl_tam_{n:02d}", full_name=f"Nhân viên tạm {n:02d}", password_hash=hashed)
            person.positions.append(UserPosition(unit_id=unit.id, position=Position.SPECIALIST))
            session.add(person)
    admin = Admin(platform, "btl_admin")
    first, second = admin.get("/admin/users?q=vien+tam"), admin.get("/admin/users?q=vien+tam&page=2")
    assert re.findall(r'data-user="([^"]+)"', first) == [f"btl_tam_{n:02d}" for n in range(20)]
    assert re.findall(r'data-user="([^"]+)"', second) == [f"btl_tam_{n:02d}" for n in range(20, 25)]
    assert "Trang 1 / 2" in first and "Tổng số: 25" in first and "q=vien+tam&amp;page=2" in first


def test_the_last_admin_stays(api: Api, platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    me = _id(platform, User, username="btl_admin")
    only = admin.post(f"/admin/users/{me}/active", {"active": "0"}, 422)
    assert "Không thể bỏ quản trị hệ thống cuối cùng của cơ quan." in only
    alone = re.search(r'name="position_id" value="(\d+)"', admin.get(f"/admin/users/{me}"))
    assert alone is not None
    assert "ít nhất một chức vụ" in admin.post(f"/admin/users/{me}/positions/remove", {"position_id": alone[1]}, 422)
    refused = admin.post(f"/admin/users/{me}/positions", {"unit": str(_unit(platform, "TCHC")),
                                                          "position": "specialist"}, 403)
    assert "tự cấp chức vụ cho chính mình" in refused
    with platform.db.write() as session:  # a second position, as another administrator would give it
        session.add(UserPosition(user_id=me, unit_id=_unit(platform, "TCHC"), position=Position.SPECIALIST))
    last = admin.post(f"/admin/users/{me}/positions/remove", {"position_id": alone[1]}, 422)
    assert "Không thể bỏ quản trị hệ thống cuối cùng của cơ quan." in last
    assert 'data-position="admin"' in admin.get(f"/admin/users/{me}")
    assert not _audited(platform, "user_disabled") and not _audited(platform, "position_removed")

    # With a second administrator the first may step down.
    other = _new_user(admin, platform, "btl_admin2")
    admin.post(f"/admin/users/{other}/positions", {"unit": str(_unit(platform, "TCHC")), "position": "admin"})
    with platform.db.read() as session:  # a second administrator needs the director's approval (test_admin_bounds)
        asked = session.scalars(select(AdminRequest.id)).one()
    assert api.post("btl_director", f"/api/v1/admin-requests/{asked}/approve", {}).status_code == 200
    admin.post(f"/admin/users/{me}/positions/remove", {"position_id": alone[1]})
    admin.get("/admin/users", 403)


def test_a_locked_account_can_neither_log_in_nor_use_the_api(api: Api, platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    token = api.token("btl_spec_khnv")
    person = Admin(platform, "btl_spec_khnv")
    user_id = _id(platform, User, username="btl_spec_khnv")
    admin.post(f"/admin/users/{user_id}/active", {"active": "0"})
    assert 'data-testid="account-state">Đã khóa' in admin.get(f"/admin/users/{user_id}")
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert person.client.get("/inbox").status_code == 302  # the open session ended: back to the login page
    assert _login(create_app(platform).test_client(), "btl_spec_khnv") != 302
    assert _audited(platform, "user_disabled")[-1]["user_id"] == user_id

    admin.post(f"/admin/users/{user_id}/active", {"active": "1"})
    assert "Mật khẩu cần ít nhất 12 ký tự." in admin.post(f"/admin/users/{user_id}/password", {"password": "x"}, 422)
    assert "không được chứa tên đăng nhập" in admin.post(f"/admin/users/{user_id}/password",
                                                          {"password": "btl_spec_khnv2026"}, 422)
    admin.post(f"/admin/users/{user_id}/password", {"password": GOOD_PASSWORD})
    client = create_app(platform).test_client()
    assert _login(client, "btl_spec_khnv") != 302 and _login(client, "btl_spec_khnv", GOOD_PASSWORD) == 302
    assert [e["user_id"] for e in _audited(platform, "user_password_reset")] == [user_id]
    assert GOOD_PASSWORD not in json.dumps(_audited(platform, "user_password_reset"))


def test_units_rename_and_supervisor(api: Api, platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    admin.post("/admin/units", {"code": "DD", "name": "Phòng Điều dưỡng", "kind": "phong"})
    again = admin.post("/admin/units", {"code": "DD", "name": "", "kind": "x"}, 422)
    assert "Mã đơn vị đã có trong cơ quan." in again and "Chọn loại đơn vị." in again
    unit_id = _unit(platform, "DD")
    deputy = _id(platform, User, username="btl_deputy2")
    admin.post(f"/admin/units/{unit_id}", {"name": "Phòng Điều dưỡng – Dinh dưỡng", "supervisor": str(deputy)})
    clerk = _id(platform, User, username="btl_clerk")
    refused = admin.post(f"/admin/units/{unit_id}", {"name": "Tên khác", "supervisor": str(clerk)}, 422)
    assert "Chọn một phó giám đốc đang làm việc của cơ quan." in refused and 'value="Tên khác"' in refused
    with platform.db.read() as session:
        unit = session.get(Unit, unit_id)
        assert unit is not None and (unit.name, unit.supervisor_id) == ("Phòng Điều dưỡng – Dinh dưỡng", deputy)
    page = admin.get("/admin/units")
    assert 'data-unit="DD"' in page and "Phạm Đức Thắng" in page
    assert [e["code"] for e in _audited(platform, "unit_created")] == ["DD"]
    assert _audited(platform, "unit_updated")[-1]["supervisor_id"] == deputy


def test_delegations_of_the_agency(api: Api, platform: Platform) -> None:
    with platform.db.write() as session:
        def grant(grantor: str, delegate: str) -> int:
            user = session.scalars(select(User).where(User.username == grantor)).one()
            return delegations.create(session, user, {"delegate": delegate, "starts_on": "2026-03-02",
                                                      "ends_on": "2026-03-31"}, platform.clock.now()).id
        mine, theirs = grant("btl_head_khnv", "btl_spec_khnv"), grant("qn_head_nvy", "qn_deputy_nvy")
    admin = Admin(platform, "btl_admin")
    page = admin.get("/admin/delegations?current=1")
    assert re.findall(r'data-delegation="(\d+)"', page) == [str(mine)]
    Admin(platform, "qn_admin").post(f"/admin/delegations/{mine}/revoke", {}, 404)
    admin.post(f"/admin/delegations/{theirs}/revoke", {}, 404)
    admin.post(f"/admin/delegations/{mine}/revoke", {})
    assert 'data-delegation' not in admin.get("/admin/delegations?current=1")
    assert f'data-delegation="{mine}" data-state="revoked"' in admin.get("/admin/delegations")
    with platform.db.read() as session:
        assert [d.revoked for d in session.scalars(select(Delegation).order_by(Delegation.id))] == [True, False]
    assert _audited(platform, "delegation_revoked") == [{"delegation_id": mine}]


def test_register_books(api: Api, platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    admin.post("/admin/registers", {"name": "Sổ quyết định", "direction": "outgoing", "code": "outgoing_qd"})
    bad = admin.post("/admin/registers", {"name": "", "direction": "sideways", "code": "Sổ QĐ"}, 422)
    assert "Chọn sổ văn bản đi hoặc đến." in bad and "chữ thường không dấu" in bad
    assert "Cơ quan đã có sổ với ký hiệu này." in admin.post(
        "/admin/registers", {"name": "Sổ khác", "direction": "incoming", "code": "incoming"}, 422)
    assert 'data-book="outgoing_qd"' in admin.get("/admin/registers")
    with platform.db.read() as session:
        books = session.scalars(select(RegisterBook).where(RegisterBook.code == "outgoing_qd")).all()
        btl = session.scalars(select(Unit.agency_id).where(Unit.id == _unit(platform, "KHNV"))).one()
        assert [(b.name, b.agency_id) for b in books] == [("Sổ quyết định", btl)]
    assert _audited(platform, "register_book_created")[-1]["code"] == "outgoing_qd"

    book, incoming = _id(platform, RegisterBook, code="outgoing_qd"), _id(platform, RegisterBook, code="incoming",
                                                                         agency_id=btl)
    Admin(platform, "qn_admin").post(f"/admin/registers/{book}/close", {}, 404)
    assert "không thể khóa" in admin.post(f"/admin/registers/{incoming}/close", {}, 422)
    admin.post(f"/admin/registers/{book}/close", {})
    assert "Đã khóa sổ" in admin.get("/admin/registers")
    with platform.db.read() as session, pytest.raises(InvalidData, match="đã khóa"):
        registers.book(session, btl, "outgoing_qd")
    assert _audited(platform, "register_book_closed") == [{"agency_id": btl, "book_id": book, "code": "outgoing_qd"}]


def _upload(admin: Admin, path: str, name: str, content: bytes, status: int = 302, **fields: str) -> str:
    return admin.post(path, {name: (io.BytesIO(content), f"tep.{name}"), **fields}, status)


def test_an_installed_key_signs_for_real(api: Api, platform: Platform, other_ca: dict[str, Any]) -> None:
    admin = Admin(platform, "btl_admin")
    deputy = _id(platform, User, username="btl_deputy1")
    path = f"/admin/users/{deputy}/certificate"
    good = other_ca["deputy"].pkcs12(demo.DEMO_PASSWORD)
    assert "không đúng" in _upload(admin, path, "p12", good, 422, password="sai mật khẩu")
    assert "không do một tổ chức chứng thực được tin cậy cấp" in _upload(
        admin, path, "p12", other_ca["stranger"].pkcs12(demo.DEMO_PASSWORD), 422, password=demo.DEMO_PASSWORD)
    assert "đã hết hạn" in _upload(admin, path, "p12", other_ca["expired"].pkcs12(demo.DEMO_PASSWORD), 422,
                                   password=demo.DEMO_PASSWORD)
    assert "Tệp chứng thư số quá lớn." in _upload(admin, path, "p12", b"0" * 70_000, 422, password="x")
    Admin(platform, "qn_admin").post(path, {"p12": (io.BytesIO(good), "k.p12"), "password": demo.DEMO_PASSWORD}, 404)
    assert not _audited(platform, "certificate_installed")

    _upload(admin, path, "p12", good, password=demo.DEMO_PASSWORD)
    page = admin.get(f"/admin/users/{deputy}")
    assert NEW_SIGNER in page and "QLVB TEST CA" in page
    registered = page[page.index('data-testid="registered-certificates"'):]
    assert NEW_SIGNER in registered and "Quản trị viên, từ tệp chứng thư" in registered
    installed = _audited(platform, "certificate_installed")
    assert len(installed) == 1 and NEW_SIGNER in installed[0]["subject"]
    assert demo.DEMO_PASSWORD not in json.dumps(installed)

    image = f"/admin/users/{deputy}/signature-image"
    assert "Ảnh phải ở định dạng PNG." in _upload(admin, image, "image", b"GIF89a", 422)
    assert "Kích thước ảnh cần từ" in _upload(admin, image, "image", _png(20, 10), 422)
    _upload(admin, image, "image", images.signature_image(NEW_SIGNER))
    assert "Đã có ảnh chữ ký." in admin.get(f"/admin/users/{deputy}")

    case = issue_via_deputy(api)
    leader = [s for s in case["document"]["signatures"] if s["field"] == "LanhDao"]
    assert [(s["signer"], s["valid"]) for s in leader] == [(NEW_SIGNER, True)]
    assert case["document"]["signature_status"] == "valid"


def test_the_agency_seal(api: Api, platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    assert "Kích thước ảnh cần từ" in _upload(admin, "/admin/seal", "seal", _png(40, 40), 422)
    seal = images.seal_image("Trung tâm Y tế Bắc Từ Liêm")
    _upload(admin, "/admin/seal", "seal", seal)
    assert "Đã có ảnh con dấu." in admin.get("/admin/seal")
    assert (platform.settings.pki_dir / "agencies" / "btl.png").read_bytes() == seal
    assert _audited(platform, "seal_image_installed")[-1]["bytes"] == len(seal)
