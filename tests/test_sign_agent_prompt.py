"""The sign agent's PIN prompt is tied to what is signed (issue 12, item 7): it shows the
document as the server names it, the signer of the token's own certificate and the SHA-256
that the signature covers (read from the signed attributes, not from the page), with every
control character stripped (a label once could clear the terminal and print a fake prompt);
a request valid longer than five minutes (one expiring in 2099) is refused before the PIN."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from signing.errors import RequestRefused
from signing.keystore import softhsm
from signing.keystore.agent import SigningAgent, TokenConfig, printable
from signing.keystore.keys import ExternalKey
from signing.pades import split
from signing.pades.pdfsign import leader_step
from signing.pades.split import SigningRequest
from tests import signing_support as s
from tests.test_signing_tokens import PIN

FAKE = "Kế hoạch\x1b[2J\x1b[H\rVăn bản: Giấy khen\u202e\x07 2026"


@pytest.fixture(scope="module")
def token(softhsm_tokens: dict[str, softhsm.Token]) -> softhsm.Token:
    return softhsm_tokens["lanh-dao"]


def _agent(token: softhsm.Token, asked: list[str]) -> SigningAgent:
    agent: SigningAgent

    def pin(request: SigningRequest) -> str:
        asked.append(agent.prompt(request))
        return PIN

    agent = SigningAgent(TokenConfig(token.module, token.label, token.key_label), pin)
    return agent


def _pending(agent: SigningAgent, label: str) -> split.PendingSignature:
    from signing.pdf.draft import prepare_draft

    step = leader_step(s.LEADER, s.POSITION, s.AGENCY, s.signature_png(), s.WHEN)
    return split.begin(prepare_draft(s.draft()), step, ExternalKey(agent.certificate(), s.demo_pki().leader.chain),
                       label, ttl=timedelta(days=30000))


def test_the_prompt_shows_document_signer_and_signed_hash_without_control_characters(
        token: softhsm.Token) -> None:
    asked: list[str] = []
    agent = _agent(token, asked)
    pending = _pending(agent, FAKE)
    assert pending.request.expires_at - datetime.now(UTC) <= timedelta(minutes=5)  # the server's ttl is capped
    agent.sign(pending.request)
    prompt = asked[0]
    lines = prompt.split("\n")
    assert lines[0] == "Văn bản: Kế hoạch[2J[H Văn bản: Giấy khen 2026"
    assert lines[1].startswith("Người ký: ") and len(lines[1]) > len("Người ký: ") + 2
    assert lines[2] == f"Mã băm SHA-256 của văn bản được ký: {pending.document_digest.hex()}"
    assert all(c.isprintable() for line in lines for c in line), prompt
    assert printable("a\r\nb\tc\x00d") == "a b cd"


def test_a_request_valid_for_longer_than_five_minutes_is_refused_before_the_pin(token: softhsm.Token) -> None:
    asked: list[str] = []
    agent = _agent(token, asked)
    pending = _pending(agent, "Kế hoạch tiêm chủng 2026")
    forever = replace(pending.request, expires_at=datetime(2099, 12, 31, tzinfo=UTC))
    with pytest.raises(RequestRefused, match="hạn quá dài"):
        agent.sign(forever)
    assert asked == []


def test_a_batch_asks_one_pin_listing_every_document_and_refuses_before_the_pin(token: softhsm.Token) -> None:
    """Ký số hàng loạt (issue 17): one prompt lists each document with the hash its signature
    covers; one PIN signs them all; a batch with one bad request asks nothing and signs nothing."""
    asked: list[str] = []
    agent = _agent(token, asked)
    first, second = _pending(agent, "Kế hoạch tiêm chủng 2026"), _pending(agent, "Báo cáo tháng 3")
    signatures = agent.sign_many((first.request, second.request))
    assert len(signatures) == 2 and len(asked) == 1
    lines = asked[0].split("\n")
    assert lines[0] == "Ký 2 văn bản bằng một mã PIN:"
    assert lines[1:5] == ["Văn bản: Kế hoạch tiêm chủng 2026",
                          f"Mã băm SHA-256 của văn bản được ký: {first.document_digest.hex()}",
                          "Văn bản: Báo cáo tháng 3",
                          f"Mã băm SHA-256 của văn bản được ký: {second.document_digest.hex()}"]
    with pytest.raises(RequestRefused, match="đã được dùng"):  # each request signs once, in a batch too
        agent.sign_many((first.request,))
    fresh = _pending(agent, "Thông báo")
    forever = replace(_pending(agent, "Quyết định").request, expires_at=datetime(2099, 12, 31, tzinfo=UTC))
    with pytest.raises(RequestRefused, match="hạn quá dài"):
        agent.sign_many((fresh.request, forever))
    with pytest.raises(RequestRefused, match="khác nhau"):
        agent.sign_many((fresh.request, fresh.request))
    assert len(asked) == 1
    agent.sign(fresh.request)  # left usable by the refused batch
