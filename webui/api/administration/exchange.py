"""Exchange agreements (liên thông) in the JSON API: an administrator approves or withdraws
their agency's side; an agreement holds once both agencies' administrators approved."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import BaseModel, Field

from engine.interagency import agreements as exchange
from webui.api.util import authed
from webui.contract.route import api_route
from webui.contract.shapes import Code

bp = Blueprint("exchange", __name__, url_prefix="/api/v1/exchange-agreements")


class Pair(BaseModel):
    agency: Code
    partner: Code


class Agreement(BaseModel):
    agency: str
    partner: str
    partner_name: str
    approved_by_us: bool
    approved_by_them: bool
    active: bool = Field(description="both administrators approved: messages may pass")


class Agreements(BaseModel):
    items: list[Agreement]


@api_route(bp, "", "GET", "Thỏa thuận liên thông của các cơ quan tôi quản trị", response=Agreements,
           errors=(401, 403))
def listing() -> Any:
    """For each agency I administer, every other agency and where our agreement stands."""
    return authed(False, lambda s, u, now: {"items": exchange.listing(s, u)})


@api_route(bp, "/<agency>/<partner>", "PUT", "Cơ quan tôi đồng ý liên thông với cơ quan đối tác", path=Pair,
           response=Agreement, errors=(401, 403, 404))
def approve(agency: str, partner: str) -> Any:
    """Approve my agency's side of the agreement with ``partner``."""
    return authed(True, lambda s, u, now: exchange.approve(s, u, agency, partner, now))


@api_route(bp, "/<agency>/<partner>", "DELETE", "Cơ quan tôi rút đồng ý liên thông", path=Pair,
           response=Agreement, errors=(401, 403, 404))
def withdraw(agency: str, partner: str) -> Any:
    """Withdraw my agency's approval: no message passes between the two any more."""
    return authed(True, lambda s, u, now: exchange.withdraw(s, u, agency, partner, now))
