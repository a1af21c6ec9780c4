"""Logging in and out of the pages, and one's own password. A login issues a page session
token (engine/accounts), kept in the signed, HttpOnly session cookie; each request checks
it, so a logout, an expiry, an idle half hour or a disabled account ends the session at once.
Logins are throttled (webui/common/login.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session
from flask_babel import gettext

from engine.core.errors import InvalidData, TooManyAttempts, Unauthorized
from engine.org import accounts
from webui.common.context import transaction
from webui.common.login import log_in
from webui.common.pageutil import TOKEN_KEY, render, safe_next, staff
from webui.common.security import renew_csrf_token

bp = Blueprint("auth", __name__)


@bp.get("/login")
def login_form() -> Any:
    """The login page."""
    return render_template("auth/login.html", next=safe_next(request.args.get("next")), username="", error=None)


@bp.post("/login")
def login() -> Any:
    """Check the username and password; on success start a session and go where the user was headed."""
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    target = safe_next(request.form.get("next"))
    if not username or not password:
        error = gettext("Vui lòng nhập tên đăng nhập và mật khẩu.")
        return render_template("auth/login.html", next=target, username=username, error=error), 422
    try:
        user, token = log_in(username, password, "page")
    except TooManyAttempts as err:
        return render_template("auth/login.html", next=target, username=username, error=err.message), 429
    except Unauthorized:
        error = gettext("Sai tên đăng nhập hoặc mật khẩu.")
        return render_template("auth/login.html", next=target, username=username, error=error), 401
    language = session.get("lang")
    session.clear()  # nothing of the anonymous session carries over into the logged-in one
    session.permanent = True
    session[TOKEN_KEY] = token
    if language:
        session["lang"] = language
    renew_csrf_token()
    return redirect("/account/password" if user.must_change_password else target)


@bp.post("/logout")
def logout() -> Any:
    """End the session: its token is revoked, so a copy of the cookie is worth nothing."""
    token = session.get(TOKEN_KEY)
    if isinstance(token, str):
        with transaction(write=True) as (db, _now):
            accounts.revoke_token(db, token)
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    renew_csrf_token()
    return redirect("/login")


@bp.get("/account/password")
def password_form() -> Any:
    """Đổi mật khẩu: one's own, and the first thing after an administrator set it."""
    with staff(write=False, choosing_password=True) as (db, user, _now):
        return render("auth/password.html", db, user, required=user.must_change_password, errors={})


@bp.post("/account/password")
def change_password() -> Any:
    token = session.get(TOKEN_KEY)
    try:
        with staff(write=True, choosing_password=True) as (db, user, now):
            accounts.change_own_password(db, user, request.form.get("current_password", ""),
                                         request.form.get("new_password", ""),
                                         token if isinstance(token, str) else None, now)
    except InvalidData as err:
        with staff(write=False, choosing_password=True) as (db, user, _now):
            return render("auth/password.html", db, user, 422, required=user.must_change_password,
                          errors=err.fields, message=err.message)
    flash(gettext("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."), "success")
    return redirect("/")
