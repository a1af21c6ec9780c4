"""The sign agent for officials (issue 17 item 9): the agent asks the PIN on a small local page
it opens in the browser, never in a terminal; only that page's own form answers (its origin, the
one-time secret in the URL the agent opened). The agent is a package of its own (agent/) with a
console script and autostart files, which the install guide links to; the task page shows no
command line (tests/test_ui_sign_agent.py)."""

from __future__ import annotations

import http.client
import json
import threading
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from signing.keystore import softhsm
from signing.keystore.agent import AgentServer, SigningAgent, TokenConfig
from signing.keystore.pin_page import PinPage
from tests.conftest import ROOT
from tests.test_sign_agent_prompt import _pending
from tests.test_signing_tokens import ORIGIN, PIN

LABEL = "Kế hoạch tiêm chủng mở rộng 2026"


@pytest.fixture(scope="module")
def token(softhsm_tokens: dict[str, softhsm.Token]) -> softhsm.Token:
    return softhsm_tokens["lanh-dao"]


def _ask(port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
         ) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
    response = conn.getresponse()
    return response.status, response.read().decode()


def _answer(port: int, secret: str, action: str, pin: str = "", origin: str | None = None) -> tuple[int, str]:
    form = urlencode({"t": secret, "pin": pin, "action": action}).encode()
    return _ask(port, "POST", "/pin", form, {"Origin": origin or f"http://127.0.0.1:{port}",
                                             "Content-Type": "application/x-www-form-urlencoded"})


def _sign_in_background(port: int, request: dict[str, Any], out: list[tuple[int, str]]) -> threading.Thread:
    body = json.dumps(request).encode()
    thread = threading.Thread(target=lambda: out.append(_ask(port, "POST", "/sign", body, {
        "Origin": ORIGIN, "Content-Type": "application/json"})), daemon=True)
    thread.start()
    return thread


def _opened(urls: list[str], event: threading.Event) -> str:
    assert event.wait(60), "the agent opened no page"
    event.clear()
    return urls[-1]


def test_the_pin_is_asked_on_the_agents_own_page(token: softhsm.Token) -> None:
    urls: list[str] = []
    opened = threading.Event()
    page = PinPage(open_browser=lambda url: (urls.append(url), opened.set()), timeout=60)
    agent = SigningAgent(TokenConfig(token.module, token.label, token.key_label), page)
    page.describe = agent.prompt  # type: ignore[assignment]
    server = AgentServer(agent, ORIGIN, 0, pin_page=page)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        pending = _pending(agent, LABEL)
        results: list[tuple[int, str]] = []
        signing = _sign_in_background(server.port, pending.request.to_json(), results)
        url = urlsplit(_opened(urls, opened))
        assert (url.scheme, url.netloc, url.path) == ("http", f"127.0.0.1:{server.port}", "/pin")
        secret = url.query.removeprefix("t=")

        status, shown = _ask(server.port, "GET", f"/pin?{url.query}")
        assert status == 200 and LABEL in shown and pending.document_digest.hex() in shown
        assert 'type="password"' in shown and "<script" not in shown
        # another web page cannot answer: not its origin, nor without the secret
        assert _answer(server.port, secret, "sign", PIN, origin=ORIGIN)[0] == 403
        assert _answer(server.port, "doan-mo", "sign", PIN)[0] == 404
        assert _ask(server.port, "GET", "/pin?t=doan-mo")[0] == 404
        assert results == []  # still waiting for the holder

        status, said = _answer(server.port, secret, "sign", PIN)
        assert status == 200 and "Đã nhận mã PIN" in said
        signing.join(60)
        assert results and results[0][0] == 200 and json.loads(results[0][1])["signature"]
        assert _answer(server.port, secret, "sign", PIN)[0] == 404  # a secret answers once

        # the holder cancels: nothing is signed
        results.clear()
        signing = _sign_in_background(server.port, _pending(agent, LABEL).request.to_json(), results)
        secret = urlsplit(_opened(urls, opened)).query.removeprefix("t=")
        assert _answer(server.port, secret, "cancel")[0] == 200
        signing.join(60)
        assert results[0][0] == 400 and "Người ký đã hủy" in json.loads(results[0][1])["error"]
    finally:
        server.shutdown()
        server.server_close()
        serving.join(10)


def test_the_agent_is_a_package_of_its_own_with_autostart_files() -> None:
    project = tomllib.loads((ROOT / "agent" / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"qlvb-sign-agent": "signing.keystore.agent_cli:main"}
    needs = " ".join(project["dependencies"]).lower()
    assert "pyhanko" in needs and "flask" not in needs and "sqlalchemy" not in needs
    recipes = {p.name: p.read_text() for p in (ROOT / "agent" / "autostart").glob("*/*")}
    assert set(recipes) == {"qlvb-sign-agent.cmd", "qlvb-sign-agent.desktop", "qlvb-sign-agent.service"}
    windows = recipes["qlvb-sign-agent.cmd"]
    assert "shell:startup" in windows and "signing.keystore.agent_cli" in windows
    assert "Exec=qlvb-sign-agent" in recipes["qlvb-sign-agent.desktop"]
    assert Path(ROOT / "signing" / "keystore" / "agent_cli.py").is_file()
