"""Signing with a PKCS#11 token (SoftHSM2), directly and through the split path with the local
sign agent started on 127.0.0.1 in the test, the PIN supplied by the test."""

from __future__ import annotations

import base64
import http.client
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from signing.errors import KeyUnavailable, RequestRefused, SigningError, WrongSecret
from signing.keystore import softhsm
from signing.keystore.agent import AgentServer, SigningAgent, TokenConfig
from signing.keystore.keys import ExternalKey, Pkcs11Key
from signing.pades import split
from signing.pades.pdfsig import pdfsig
from signing.pades.pdfsign import leader_step, sign_agency, sign_leader
from signing.pades.split import SigningRequest
from signing.pades.verify import signature_status, verify_pdf
from signing.pdf.draft import fill_number, prepare_draft
from tests import signing_support as s

PIN = "246810"
ORIGIN = "https://qlvb.test"


@pytest.fixture(scope="module")
def token(softhsm_tokens: dict[str, softhsm.Token]) -> softhsm.Token:
    return softhsm_tokens["lanh-dao"]


def _roots() -> list:
    return [s.demo_pki().root.certificate]


def _finish_document(leader_signed: bytes) -> bytes:
    numbered = fill_number(leader_signed, s.NUMBER, s.ISSUED_ON, "Hà Nội")
    return sign_agency(numbered, s.p12_key(s.demo_pki().agency), s.AGENCY, s.seal_png(), s.WHEN)


def _assert_fully_valid(pdf: bytes) -> None:
    reports = verify_pdf(pdf, _roots())
    assert [(r.field, r.valid) for r in reports] == [("LanhDao", True), ("CoQuan", True)], reports
    assert signature_status(reports) == "valid"
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, _roots())] == [(True, True)] * 2
    assert s.qpdf_check(pdf).returncode == 0


def test_leader_signs_with_the_token(token: softhsm.Token) -> None:
    with Pkcs11Key(token.module, token.label, token.key_label, PIN, chain=s.demo_pki().leader.chain) as key:
        leader = sign_leader(prepare_draft(s.draft()), key, s.LEADER, s.POSITION, s.AGENCY, s.signature_png(),
                             s.WHEN)
    _assert_fully_valid(_finish_document(leader))


def test_wrong_pin_is_a_clear_error(token: softhsm.Token) -> None:
    with pytest.raises(WrongSecret, match="^Mã PIN của thiết bị ký số không đúng.$"):
        Pkcs11Key(token.module, token.label, token.key_label, "000000")
    with pytest.raises(KeyUnavailable, match="Không tìm thấy thiết bị ký số"):
        Pkcs11Key(token.module, "khong-co", token.key_label, PIN)


@dataclass
class Agent:
    port: int
    pins: list[str | None]  # the PINs "typed" for the next requests, in order
    asked: list[SigningRequest]
    clock: list[datetime]

    def call(self, method: str, path: str, body: dict | None = None, origin: str | None = ORIGIN,
             host: str | None = None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", **({"Origin": origin} if origin else {}),
                   **({"Host": host} if host else {})}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, json.loads(data) if data else {}


@pytest.fixture
def agent(token: softhsm.Token) -> Iterator[Agent]:
    state = Agent(0, [], [], [datetime.now(UTC)])

    def pin_provider(request: SigningRequest) -> str | None:
        state.asked.append(request)
        return state.pins.pop(0)

    signing_agent = SigningAgent(TokenConfig(token.module, token.label, token.key_label), pin_provider,
                                 clock=lambda: state.clock[0])
    server = AgentServer(signing_agent, ORIGIN, 0)
    state.port = server.port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _begin(agent: Agent, pdf: bytes) -> split.PendingSignature:
    status, body = agent.call("GET", "/certificate")
    assert status == 200, body
    certificate = base64.b64decode(body["certificate"])
    step = leader_step(s.LEADER, s.POSITION, s.AGENCY, s.signature_png(), s.WHEN)
    return split.begin(pdf, step, ExternalKey(certificate, s.demo_pki().leader.chain), "Kế hoạch tiêm chủng 2026")


def test_split_signing_through_the_agent(agent: Agent) -> None:
    pending = _begin(agent, prepare_draft(s.draft()))
    # the server keeps the pending signature between the two halves, e.g. as JSON in its database
    pending = split.PendingSignature.from_json(json.loads(json.dumps(pending.to_json())))
    agent.pins.append(PIN)
    status, body = agent.call("POST", "/sign", pending.request.to_json())
    assert status == 200, body
    assert agent.asked[0].label == "Kế hoạch tiêm chủng 2026"
    leader = split.finish(pending, body["id"], base64.b64decode(body["signature"]))
    _assert_fully_valid(_finish_document(leader))

    # the same request again is refused, without asking for the PIN
    status, body = agent.call("POST", "/sign", pending.request.to_json())
    assert status == 400 and body["error"] == "Yêu cầu ký này đã được dùng: không ký lại."
    assert len(agent.asked) == 1


def test_agent_refusals(agent: Agent) -> None:
    pending = _begin(agent, prepare_draft(s.draft()))
    request = pending.request.to_json()

    agent.pins.append("000000")
    status, body = agent.call("POST", "/sign", request)
    assert status == 401 and body["error"] == "Mã PIN của thiết bị ký số không đúng."
    agent.pins.append(None)
    status, body = agent.call("POST", "/sign", request)
    assert status == 400 and body["error"] == "Người ký đã hủy."

    status, body = agent.call("POST", "/sign", request, origin="https://evil.example")
    assert status == 403 and "không được phép" in body["error"]
    status, body = agent.call("POST", "/sign", request, origin=None)
    assert status == 403
    status, body = agent.call("POST", "/sign", request, host="attacker.example:80")
    assert status == 403
    status, _ = agent.call("OPTIONS", "/sign", origin="https://evil.example")
    assert status == 403

    other = replace(pending.request, certificate_sha256="00" * 32).to_json()
    status, body = agent.call("POST", "/sign", other)
    assert status == 400 and "chứng thư số khác" in body["error"]
    arbitrary = replace(pending.request, data=b"\x30\x03\x02\x01\x00").to_json()
    status, body = agent.call("POST", "/sign", arbitrary)
    assert status == 400 and body["error"] == "Dữ liệu cần ký không phải là thuộc tính ký của một văn bản."

    agent.clock[0] += timedelta(minutes=10)
    status, body = agent.call("POST", "/sign", request)
    assert status == 400 and body["error"] == "Yêu cầu ký đã hết hạn: hãy tạo yêu cầu mới trên trang."
    assert len(agent.asked) == 2  # the PIN was asked only for the two well-formed, fresh requests


def test_cors_preflight_answers_only_the_platform(agent: Agent) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", agent.port, timeout=30)
    conn.request("OPTIONS", "/sign", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    response = conn.getresponse()
    response.read()
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == ORIGIN
    conn.close()


def test_server_refuses_a_foreign_or_late_signature(token: softhsm.Token) -> None:
    pending = split.begin(prepare_draft(s.draft()), leader_step(s.LEADER, "GIÁM ĐỐC", s.AGENCY, s.signature_png()),
                          ExternalKey(s.demo_pki().leader.certificate, s.demo_pki().leader.chain), "Văn bản")
    with pytest.raises(RequestRefused, match="không khớp với chứng thư số"):
        split.finish(pending, pending.request.id, b"\x01" * 256)
    with pytest.raises(RequestRefused, match="không thuộc yêu cầu"):
        split.finish(pending, "another-request-id-000", b"\x01" * 256)
    with pytest.raises(RequestRefused, match="hết hạn"):
        split.finish(pending, pending.request.id, b"\x01" * 256, now=datetime.now(UTC) + timedelta(hours=1))


def test_agent_listens_on_loopback_only(token: softhsm.Token) -> None:
    agent = SigningAgent(TokenConfig(token.module, token.label, token.key_label), lambda _: PIN)
    for host in ("0.0.0.0", "192.168.1.10", "localhost"):  # noqa: S104 - the refusal is the point
        with pytest.raises(SigningError, match="chỉ được lắng nghe trên 127.0.0.1"):
            AgentServer(agent, ORIGIN, 0, host)


def test_cli_sign_agent_refuses_other_addresses() -> None:
    from click.testing import CliRunner

    from qlvb.cli import main

    result = CliRunner().invoke(main, ["sign-agent", "--token", "t", "--key", "k", "--origin", ORIGIN,
                                       "--host", "0.0.0.0"])  # noqa: S104
    assert result.exit_code == 1
    assert "chỉ được lắng nghe trên 127.0.0.1" in result.output


def test_softhsm_configuration_is_per_run(token: softhsm.Token) -> None:
    import os

    conf = Path(os.environ["SOFTHSM2_CONF"])
    assert conf.exists() and "tokendir" in conf.read_text()
