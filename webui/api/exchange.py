"""Exchange agreements (liên thông) in the JSON API: an administrator approves or withdraws
their agency's side; an agreement holds once both agencies' administrators approved."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from engine.interagency import agreements as exchange

from .util import authed

bp = Blueprint("exchange", __name__, url_prefix="/api/v1/exchange-agreements")


@bp.get("")
def listing() -> Any:
    """For each agency I administer, every other agency and where our agreement stands."""
    return authed(False, lambda s, u, now: {"items": exchange.listing(s, u)})


@bp.put("/<agency>/<partner>")
def approve(agency: str, partner: str) -> Any:
    """Approve my agency's side of the agreement with ``partner``."""
    return authed(True, lambda s, u, now: exchange.approve(s, u, agency, partner, now))


@bp.delete("/<agency>/<partner>")
def withdraw(agency: str, partner: str) -> Any:
    """Withdraw my agency's approval: no message passes between the two any more."""
    return authed(True, lambda s, u, now: exchange.withdraw(s, u, agency, partner, now))
