"""The pages' safety: the session's secret key, cookie flags, one CSRF token per session
checked on every state-changing page request, and the headers that keep pages from being
framed or running scripts from elsewhere, files from being sniffed or run as pages, personal
data from being cached, and (behind HTTPS) browsers from plain HTTP. The JSON API (``/api/``) authenticates each
request with its Bearer token, which a browser never sends by itself, so it needs no token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, request, session
from werkzeug.exceptions import BadRequest

from engine.core.secret_key import secret_key

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def content_security_policy(sign_agent_port: int) -> str:
    """pdf.js draws pages on canvases from blob: and data: images; nothing is loaded from
    elsewhere. The task page's script may talk to one other origin: the official's own sign
    agent on this computer's loopback address (signing.keystore.agent), on the installation's port."""
    return (f"default-src 'self'; connect-src 'self' http://127.0.0.1:{sign_agent_port}; "
            "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


class CsrfRefused(BadRequest):
    description = ("Yêu cầu bị từ chối vì thiếu hoặc sai mã bảo vệ biểu mẫu (CSRF). "
                   "Vui lòng tải lại trang rồi thử lại.")


def csrf_token() -> str:
    """This session's token, made on first use (the login page already has one)."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def renew_csrf_token() -> None:
    """A new token at login and logout, so one seen before cannot be used after."""
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def _check_csrf() -> None:
    if request.method in _SAFE_METHODS or request.path.startswith("/api/"):
        return
    expected = session.get(CSRF_FIELD)
    # The header first: an upload's script sends it, and the multipart body need not be read for it.
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfRefused()


def init_app(app: Flask, data_dir: Path, session_lifetime: timedelta, env: Mapping[str, str],
             sign_agent_port: int) -> None:
    app.secret_key = secret_key(data_dir, env)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind HTTPS (a reverse proxy), the cookie must never travel in clear text.
        SESSION_COOKIE_SECURE=env.get("QLVB_SECURE_COOKIES", "") in ("1", "true"),
        SESSION_COOKIE_NAME="qlvb_session",
        PERMANENT_SESSION_LIFETIME=session_lifetime,
        # A response re-sends the session cookie only when it changed it: a slow GET begun before a
        # form was posted (the PDF viewer's file, a status poll) would otherwise answer after it with
        # the session as it read it, and the browser would drop the message the post flashed.
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    policy = content_security_policy(sign_agent_port)
    secure = app.config["SESSION_COOKIE_SECURE"]

    def headers(response: Response) -> Response:
        # Every response, the API's downloads included: a browser never guesses another type.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "application/pdf":
            # A PDF opened by itself runs no script and reaches no cookie of this origin.
            response.headers.setdefault("Content-Security-Policy", "sandbox")
        elif not request.path.startswith("/api/"):
            response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            # Pages and answers show people's documents and names: no copy in any cache.
            response.headers["Cache-Control"] = "no-store"
        if secure:  # served over HTTPS (QLVB_SECURE_COOKIES=1): browsers never try plain HTTP again
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    app.before_request(_check_csrf)
    app.after_request(headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
