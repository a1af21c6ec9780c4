"""My delegations (ủy quyền) in the JSON API, as the settings page offers them: the list of
those I gave and hold, a new one, and revoking one (engine.org.delegations owns every rule)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from sqlalchemy.orm import Session

from engine.models import User
from engine.org import delegations

from .util import authed, body, page_args

bp = Blueprint("delegations_api", __name__, url_prefix="/api/v1/me/delegations")


@bp.get("")
def listing() -> Any:
    """The delegations I gave (one page, newest first) and those I hold now or later."""
    page, per_page = page_args()
    return authed(False, lambda s, u, now: delegations.listing(s, u, page, per_page, now))


@bp.get("/form")
def form() -> Any:
    """The JSON Schema of a new delegation, with the colleagues and processes I may choose."""
    return authed(False, lambda s, u, now: delegations.form(s, u))


@bp.post("")
def create() -> Any:
    """Delegate to a colleague: ``{"delegate", "starts_on", "ends_on", "scope"}``."""
    given = body()

    def action(session: Session, user: User, now: datetime) -> Any:
        return delegations.describe(session, user, delegations.create(session, user, given, now), now)

    return authed(True, action, 201)


@bp.post("/<int:delegation_id>/revoke")
def revoke(delegation_id: int) -> Any:
    """Thu hồi: the delegate can no longer act for me from now on."""

    def action(session: Session, user: User, now: datetime) -> Any:
        return delegations.describe(session, user, delegations.revoke(session, user, delegation_id, now), now)

    return authed(True, action)
