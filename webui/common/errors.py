"""Errors as the caller needs them: JSON for the API (and for a page's script that asks
for JSON), a page in the reader's language otherwise; a page that needs a login sends
the reader to the login page and back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, render_template, request
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from engine.core.errors import DomainError, InvalidData, localized
from engine.registry.intake import NeedsDecision

from .pageutil import LoginRequired, PasswordChangeRequired
from .security import CsrfRefused

_STALE = "Hồ sơ vừa được người khác cập nhật, vui lòng tải lại."
_UNEXPECTED = "Lỗi hệ thống, vui lòng thử lại hoặc báo quản trị viên."


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _titles() -> dict[int, str]:
    return {
        400: gettext("Yêu cầu không hợp lệ"), 401: gettext("Cần đăng nhập"), 403: gettext("Không có quyền truy cập"),
        404: gettext("Không tìm thấy"), 405: gettext("Thao tác không được hỗ trợ"), 409: gettext("Xung đột dữ liệu"),
        413: gettext("Tệp quá lớn"), 422: gettext("Dữ liệu chưa hợp lệ"), 500: gettext("Lỗi hệ thống"),
    }


def _page(status: int, message: str) -> Any:
    title = _titles().get(status, gettext("Lỗi"))
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(LoginRequired)
    def login_required(_err: LoginRequired) -> Any:
        if wants_json():
            return jsonify({"error": "Cần đăng nhập."}), 401
        return redirect("/login?" + urlencode({"next": request.full_path.rstrip("?")}))

    @app.errorhandler(PasswordChangeRequired)
    def password_change_required(_err: PasswordChangeRequired) -> Any:
        if wants_json():
            return jsonify({"error": "Cần đổi mật khẩu trước khi tiếp tục."}), 403
        return redirect("/account/password")

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError) -> Any:
        if not wants_json():
            return _page(err.status, err.message)
        body: dict[str, Any] = {"error": localized(err.message)}
        if isinstance(err, InvalidData | NeedsDecision):
            body["fields"] = {name: localized(said) for name, said in err.fields.items()}
        if isinstance(err, NeedsDecision):  # what the intake checks found, for the caller to decide
            body.update(err.details)
        return jsonify(body), err.status

    @app.errorhandler(StaleDataError)
    def stale(_err: StaleDataError) -> Any:
        return (jsonify({"error": _STALE}), 409) if wants_json() else _page(409, _STALE)

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> Any:
        app.logger.exception("unhandled error")
        return (jsonify({"error": _UNEXPECTED}), 500) if wants_json() else _page(500, _UNEXPECTED)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        code = err.code or 500
        if wants_json():
            return jsonify({"error": err.description or err.name}), code
        # Werkzeug's own descriptions are English; the page says it in the reader's language.
        if isinstance(err, CsrfRefused):
            return _page(code, gettext(CsrfRefused.description))
        messages = {404: gettext("Không tìm thấy trang hoặc dữ liệu bạn yêu cầu."),
                    413: gettext("Tệp tải lên vượt quá dung lượng cho phép.")}
        return _page(code, messages.get(code) or _titles().get(code, err.name))
