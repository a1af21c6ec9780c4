"""Logging in and out of the pages. A login issues an access token (engine.accounts), kept
in the signed, HttpOnly session cookie; each request checks it, so a logout, an expiry
or a disabled account ends the session at once."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session
from flask_babel import gettext

from engine import accounts
from engine.errors import Unauthorized

from .apiutil import platform, transaction
from .pageutil import TOKEN_KEY, safe_next
from .security import renew_csrf_token

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
        with transaction(write=True) as (db, now):
            _, token = accounts.issue_token(db, username, password, now, platform().settings.token_ttl)
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
    return redirect(target)


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
