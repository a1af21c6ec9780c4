"""The administrators' pending account changes in the JSON API (engine/org/admin_approvals.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from engine.org import admin_approvals
from webui.api.util import authed
from webui.contract.route import api_route
from webui.contract.shapes import Items

bp = Blueprint("api_approvals", __name__, url_prefix="/api/v1")


@api_route(bp, "/admin-requests", "GET", "Đề nghị thay đổi tài khoản chờ tôi phê duyệt (quản trị khác hoặc giám đốc)",
           response=Items, errors=(401, 403))
def pending() -> Any:
    """The pending requests I may decide (as administrator or director of their agency)."""
    return authed(False, lambda s, u, now: {"items": admin_approvals.pending(s, u)})


def _decide(request_id: int, decision: str) -> Any:
    return authed(True, lambda s, u, now: admin_approvals.view(s, admin_approvals.decide(s, u, request_id, decision,
                                                                                         now)))


@api_route(bp, "/admin-requests/<int:request_id>/approve", "POST",
           "Phê duyệt đề nghị: cấp chức vụ hoặc đặt lại mật khẩu có hiệu lực", errors=(401, 403, 404, 409))
def approve(request_id: int) -> Any:
    """Approve: the position is granted or the password set now."""
    return _decide(request_id, "approve")


@api_route(bp, "/admin-requests/<int:request_id>/reject", "POST", "Từ chối đề nghị", errors=(401, 403, 404, 409))
def reject(request_id: int) -> Any:
    """Reject: nothing changes."""
    return _decide(request_id, "reject")
