"""Quản trị: an agency's administrators manage its people and their positions, its units,
the delegations of its people, the signing keys, signature and seal images, its place name
(địa danh, on the date line of what it issues), its register books and its side of the exchange
agreements (liên thông). The rules and the audit are in engine.org.administration,
engine.org.key_files, engine.registry.placement, engine.org.delegations, engine.registry.registers
and engine.interagency.agreements; a refused form comes
back with its messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.interagency import agreements as exchange
from engine.models import AdminRequest, Agency, User
from engine.org import administration, delegations, key_files
from engine.registry import incoming, placement, registers
from engine.signatures import certificates
from engine.signatures.signatures import Keys
from webui.common.context import platform
from webui.common.pageutil import PER_PAGE, page_number, render, staff

bp = Blueprint("admin", __name__)
Refused = tuple[str, dict[str, Any], InvalidData]  # which form, what was typed, why


def _keys() -> Keys:
    settings = platform().settings
    return Keys(settings.pki_dir, tuple(settings.trust_roots))


def _agency_code() -> str | None:
    return request.values.get("agency") or None


def _typed(*secret: str) -> dict[str, Any]:
    """The posted form as typed, passwords left out: they are never sent back."""
    return {k: v for k, v in request.form.items() if k not in secret and k != "csrf_token"}


def _upload(name: str, limit: int) -> bytes:
    """An uploaded file's bytes, read one byte past ``limit`` so that a larger file is caught."""
    sent = request.files.get(name)
    return sent.read(limit + 1) if sent else b""


def _show(template: str, db: Session, user: User, agency: Agency, status: int = 200,
          refused: Refused | None = None, **context: Any) -> Any:
    form, values, error = refused or ("", {}, None)
    return render(template, db, user, status, agency=agency, form=form, values=values,
                  errors=error.fields if error else {}, error=error.message if error else None, **context)


@bp.get("/admin")
def home() -> Any:
    return redirect(url_for("admin.users", agency=_agency_code()))


@bp.get("/admin/users")
def users() -> Any:
    """Người dùng: the agency's people, searched by name or username."""
    page = page_number(request.args)
    query = request.args.get("q", "").strip()[:100]
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, _agency_code())
        found = administration.users(db, agency.id, query, page, PER_PAGE)
        return _show("admin/users.html", db, user, agency, found=found, q=query,
                     incoming_warning=incoming.warning(db, agency.code))


def _new_user_page(status: int, refused: Refused | None) -> Any:
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, _agency_code())
        return _show("admin/user_new.html", db, user, agency, status, refused,
                     units=administration.unit_choices(db, agency.id))


@bp.get("/admin/users/new")
def new_user() -> Any:
    return _new_user_page(200, None)


@bp.post("/admin/users")
def create_user() -> Any:
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            made = administration.create_user(db, user, agency.id, request.form, now)
            made_id, name = made.id, made.full_name
    except InvalidData as err:
        return _new_user_page(422, ("create", _typed("password"), err))
    flash(gettext("Đã tạo tài khoản %(name)s.", name=name), "success")
    return redirect(url_for("admin.person", user_id=made_id))


def _person_page(user_id: int, status: int = 200, refused: Refused | None = None) -> Any:
    keys = _keys()
    with staff(write=False) as (db, user, _now):
        agency, target = administration.person(db, user, user_id)
        return _show("admin/user.html", db, user, agency, status, refused,
                     person=administration.view(db, agency.id, target),
                     units=administration.unit_choices(db, agency.id),
                     certificate=key_files.certificate(keys, target.username),
                     registered=[certificates.describe(c) for c in certificates.of_user(db, target.id)],
                     has_image=key_files.has_image(keys, target.username))


@bp.get("/admin/users/<int:user_id>")
def person(user_id: int) -> Any:
    """One person: their details, positions, password, account state, key and signature image."""
    return _person_page(user_id)


def _change_person(user_id: int, form: str, done: str,
                   change: Callable[[Session, User, Agency, User, datetime], object], *secret: str) -> Any:
    """Check the person is of the administrator's agency, then make the change; refused
    data comes back beside the form it was typed in."""
    try:
        with staff(write=True) as (db, user, now):
            agency, target = administration.person(db, user, user_id)
            result = change(db, user, agency, target, now)
    except InvalidData as err:
        return _person_page(user_id, 422, (form, _typed(*secret), err))
    if isinstance(result, AdminRequest):
        done = gettext("Đã gửi đề nghị; thay đổi có hiệu lực khi một quản trị khác hoặc giám đốc phê duyệt.")
    flash(done, "success")
    return redirect(url_for("admin.person", user_id=user_id))


@bp.post("/admin/users/<int:user_id>")
def update_person(user_id: int) -> Any:
    return _change_person(user_id, "profile", gettext("Đã lưu thông tin người dùng."),
                          lambda db, admin, agency, target, now: administration.update_user(
                              db, admin, agency.id, target, request.form, now))


@bp.post("/admin/users/<int:user_id>/active")
def set_active(user_id: int) -> Any:
    """Khóa / mở khóa: a locked account can no longer log in, and its sessions end."""
    active = request.form.get("active") == "1"
    return _change_person(user_id, "active", gettext("Đã mở khóa tài khoản.") if active
                          else gettext("Đã khóa tài khoản."),
                          lambda db, admin, agency, target, now: administration.set_active(
                              db, admin, agency.id, target, active, now))


@bp.post("/admin/users/<int:user_id>/password")
def reset_password(user_id: int) -> Any:
    return _change_person(user_id, "password", gettext("Đã đặt lại mật khẩu."),
                          lambda db, admin, agency, target, now: administration.reset_password(
                              db, admin, agency.id, target, request.form, now), "password")


@bp.post("/admin/users/<int:user_id>/positions")
def add_position(user_id: int) -> Any:
    return _change_person(user_id, "position", gettext("Đã thêm chức vụ."),
                          lambda db, admin, agency, target, now: administration.add_position(
                              db, admin, agency.id, target, request.form, now))


@bp.post("/admin/users/<int:user_id>/positions/remove")
def remove_position(user_id: int) -> Any:
    raw = request.form.get("position_id", "")
    return _change_person(user_id, "position", gettext("Đã bỏ chức vụ."),
                          lambda db, admin, agency, target, now: administration.remove_position(
                              db, admin, agency.id, target, int(raw) if raw.isdigit() else 0, now))


@bp.post("/admin/users/<int:user_id>/certificate")
def install_certificate(user_id: int) -> Any:
    """Chứng thư số: a PKCS#12 file checked with its password, which is not kept."""
    keys = _keys()
    return _change_person(user_id, "certificate", gettext("Đã cài chứng thư số."),
                          lambda db, admin, agency, target, now: key_files.save_key(
                              db, keys, admin.id, agency.id, target, _upload("p12", key_files.MAX_KEY_BYTES),
                              request.form.get("password", ""), now), "password")


@bp.post("/admin/users/<int:user_id>/registered-certificate")
def register_certificate(user_id: int) -> Any:
    """Đăng ký chứng thư số from its file alone, for an official whose key is on a USB token."""
    keys = _keys()
    return _change_person(user_id, "registration", gettext("Đã đăng ký chứng thư số."),
                          lambda db, admin, agency, target, now: certificates.register_file(
                              db, keys, admin.id, target, _upload("cer", certificates.MAX_CERTIFICATE_BYTES), now))


@bp.post("/admin/users/<int:user_id>/signature-image")
def install_signature_image(user_id: int) -> Any:
    keys = _keys()
    return _change_person(user_id, "image", gettext("Đã cài ảnh chữ ký."),
                          lambda db, admin, agency, target, now: key_files.save_signature_image(
                              db, keys, admin.id, agency.id, target,
                              _upload("image", key_files.MAX_IMAGE_BYTES), now))


def _units_page(status: int = 200, refused: Refused | None = None) -> Any:
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, _agency_code())
        return _show("admin/units.html", db, user, agency, status, refused,
                     units=administration.units(db, agency.id), deputies=administration.deputies(db, agency.id))


@bp.get("/admin/units")
def units() -> Any:
    """Đơn vị: the agency's units and their supervising deputy directors."""
    return _units_page()


@bp.post("/admin/units")
def create_unit() -> Any:
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            administration.create_unit(db, user, agency.id, request.form, now)
            code = agency.code
    except InvalidData as err:
        return _units_page(422, ("create", _typed(), err))
    flash(gettext("Đã tạo đơn vị."), "success")
    return redirect(url_for("admin.units", agency=code))


@bp.post("/admin/units/<int:unit_id>")
def update_unit(unit_id: int) -> Any:
    """Đổi tên, giao phó giám đốc phụ trách."""
    try:
        with staff(write=True) as (db, user, now):
            found = administration.unit(db, user, unit_id)
            administration.update_unit(db, user, found.agency_id, found, request.form, now)
            code = found.agency.code
    except InvalidData as err:
        return _units_page(422, (f"unit-{unit_id}", _typed(), err))
    flash(gettext("Đã lưu đơn vị."), "success")
    return redirect(url_for("admin.units", agency=code))


@bp.get("/admin/delegations")
def agency_delegations() -> Any:
    """Every delegation given by the agency's people; those still in force, if asked."""
    page = page_number(request.args)
    current = request.args.get("current") == "1"
    with staff(write=False) as (db, user, now):
        agency = administration.agency_for(db, user, _agency_code())
        found = delegations.agency_listing(db, agency.id, current, page, PER_PAGE, now)
        return _show("admin/delegations.html", db, user, agency, found=found, current=current)


@bp.post("/admin/delegations/<int:delegation_id>/revoke")
def revoke_delegation(delegation_id: int) -> Any:
    with staff(write=True) as (db, user, now):
        delegations.revoke_as_admin(db, user, delegation_id, now)
    flash(gettext("Đã thu hồi ủy quyền."), "success")
    return redirect(url_for("admin.agency_delegations", agency=_agency_code()))


def _registers_page(status: int = 200, refused: Refused | None = None) -> Any:
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, _agency_code())
        return _show("admin/registers.html", db, user, agency, status, refused,
                     books=registers.agency_books(db, agency.id), fixed=registers.DEFAULT_CODES)


@bp.get("/admin/registers")
def register_books() -> Any:
    """Sổ đăng ký văn bản of the agency, and a new one."""
    return _registers_page()


@bp.post("/admin/registers")
def create_register_book() -> Any:
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            registers.create_book(db, user.id, agency.id, request.form, now)
            code = agency.code
    except InvalidData as err:
        return _registers_page(422, ("create", _typed(), err))
    flash(gettext("Đã tạo sổ đăng ký."), "success")
    return redirect(url_for("admin.register_books", agency=code))


@bp.post("/admin/registers/<int:book_id>/close")
def close_register_book(book_id: int) -> Any:
    """Khóa sổ: it gives no more numbers."""
    try:
        with staff(write=True) as (db, user, now):
            code = registers.close_book(db, user, book_id, now).code
    except InvalidData as err:
        return _registers_page(422, (f"book-{book_id}", {}, err))
    flash(gettext("Đã khóa sổ %(code)s.", code=code), "success")
    return redirect(url_for("admin.register_books", agency=_agency_code()))


def _seal_page(status: int = 200, refused: Refused | None = None) -> Any:
    keys = _keys()
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, _agency_code())
        return _show("admin/seal.html", db, user, agency, status, refused,
                     has_seal=key_files.has_seal(keys, agency.code))


@bp.get("/admin/seal")
def seal() -> Any:
    """Ảnh con dấu of the agency."""
    return _seal_page()


@bp.post("/admin/seal")
def install_seal() -> Any:
    keys = _keys()
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            key_files.save_seal(db, keys, user.id, agency.id, agency.code,
                                _upload("seal", key_files.MAX_IMAGE_BYTES), now)
            code = agency.code
    except InvalidData as err:
        return _seal_page(422, ("seal", {}, err))
    flash(gettext("Đã cài ảnh con dấu."), "success")
    return redirect(url_for("admin.seal", agency=code))


def _exchange_page(status: int = 200, refused: Refused | None = None) -> Any:
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, _agency_code())
        agreements = [a for a in exchange.listing(db, user) if a["agency"] == agency.code]
        return _show("admin/exchange.html", db, user, agency, status, refused, agreements=agreements)


@bp.get("/admin/exchange")
def exchange_agreements() -> Any:
    """Liên thông: the agencies whose cases may message ours, each approved by both sides."""
    return _exchange_page()


@bp.post("/admin/exchange")
def set_exchange() -> Any:
    partner, approving = request.form.get("partner", ""), request.form.get("approve") == "1"
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            (exchange.approve if approving else exchange.withdraw)(db, user, agency.code, partner, now)
            code = agency.code
    except InvalidData as err:
        return _exchange_page(422, (f"partner-{partner}", {}, err))
    flash(gettext("Đã đồng ý liên thông.") if approving else gettext("Đã rút đồng ý liên thông."), "success")
    return redirect(url_for("admin.exchange_agreements", agency=code))


@bp.post("/admin/place-name")
def set_place_name() -> Any:
    """Địa danh: the start of the date line of what the agency issues."""
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            placement.set_place_name(db, user, agency, request.form.get("place_name"), now)
            code = agency.code
    except InvalidData as err:
        return _seal_page(422, ("place_name", _typed(), err))
    flash(gettext("Đã lưu địa danh."), "success")
    return redirect(url_for("admin.seal", agency=code))
