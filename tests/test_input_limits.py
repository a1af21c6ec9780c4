"""Limits before the body is read and integers within the databases' (issue 12, item 6): a
200 MB body announced to ``qlvb serve`` is refused at once (waitress used to buffer up to
1 GiB first), a JSON body over 1 MB and a form over its limit are refused from their
``Content-Length``; ids, ``page``, ``per_page`` and ``year`` past 2^63 (76 schemathesis
failures, all OverflowError) or past PostgreSQL's INTEGER get a 404 or a 422 on SQLite and
PostgreSQL, as does an id past it in a JSON body; the OpenAPI document
declares every integer's bounds. Pages send HSTS behind HTTPS, no page or answer is cached."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from engine.core.platform import Platform
from tests.conftest import Api
from tests.server import Server
from webui import create_app

HUGE = str(2**63)
PAST_INTEGER = str(2**31)  # an id column is INTEGER (4 bytes) on PostgreSQL: once a DataError, a 500
HUGER = "9" * 40


def test_a_huge_body_is_refused_before_it_is_read(platform: Platform, tmp_path: Path) -> None:
    server = Server(platform, tmp_path / "serve.log")
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
            conn.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 209715200\r\n\r\n" + b"{" * 1024)
            began = time.monotonic()
            answer = conn.recv(4096)  # waitress of old waited for the 200 MB: the 30 s timeout ends it
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - began < 30
    finally:
        server.stop()


def _raw(api: Api, path: str, size: int, content_type: str) -> Any:
    return api.client.post(path, data=b"x" * size, content_type=content_type,
                           headers={"Authorization": f"Bearer {api.token('btl_clerk')}"})


def test_bodies_over_their_limit_are_refused_with_413(api: Api, platform: Platform) -> None:
    json_limit = platform.settings.max_json_bytes
    r = _raw(api, "/api/v1/documents", json_limit + 1, "application/json")
    assert r.status_code == 413 and "quá lớn" in r.get_json()["error"], r.get_json()
    assert _raw(api, "/api/v1/documents", json_limit - 1, "application/json").status_code == 422
    r = api.client.post("/login", data=b"x" * (json_limit + 1), content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413


@pytest.mark.parametrize("path", [
    f"/api/v1/documents/{HUGE}", f"/api/v1/documents/{HUGER}/files/1", f"/api/v1/records/{HUGE}",
    f"/api/v1/conversations/{HUGE}/messages", f"/api/v1/records?year={HUGE}", f"/api/v1/records?page={HUGE}",
    f"/api/v1/records?page={HUGER}", f"/api/v1/search?q=abc&page={HUGE}", f"/api/v1/notifications?page={HUGE}",
    f"/api/v1/cases?per_page={HUGE}", f"/api/v1/registers?year={HUGE}", f"/api/v1/registers/incoming?year={HUGER}",
    f"/api/v1/records?year=-{HUGE}1", f"/api/v1/conversations/{PAST_INTEGER}/messages",
    f"/api/v1/documents/{PAST_INTEGER}", f"/api/v1/records?year={PAST_INTEGER}",
])
def test_integers_past_64_bits_are_a_4xx(api: Api, path: str) -> None:
    r = api.get("btl_clerk", path)
    assert r.status_code in (404, 422), (path, r.status_code, r.get_data(as_text=True)[:300])


def test_an_id_past_integer_in_a_body_is_a_422(api: Api) -> None:
    r = api.post("btl_clerk", "/api/v1/notifications/read", {"ids": [int(PAST_INTEGER)]})
    assert r.status_code == 422 and "số nguyên quá lớn" in r.get_json()["error"], r.get_json()


def test_pages_too(api: Api) -> None:
    from tests.test_route_matrix import _login

    _login(api.client, "btl_clerk")
    for path in (f"/documents/{HUGE}", f"/records?year={HUGE}", f"/inbox?page={HUGE}", f"/search?q=a&page={HUGE}"):
        assert api.client.get(path).status_code in (404, 422), path


def _integers(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    if isinstance(node, list):
        return [found for i, n in enumerate(node) for found in _integers(n, f"{where}/{i}")]
    if not isinstance(node, dict):
        return []
    own = [(where, node)] if node.get("type") == "integer" else []
    return own + [found for k, v in node.items() for found in _integers(v, f"{where}/{k}")]


def test_the_openapi_document_bounds_every_integer(api: Api) -> None:
    spec = api.client.get("/api/openapi.json").get_json()
    integers = _integers(spec)
    assert len(integers) > 50
    for where, schema in integers:
        assert schema["maximum"] <= 2**63 - 1 and schema["minimum"] >= -(2**63), where
    ids = [p for ops in spec["paths"].values() for op in ops.values() for p in op.get("parameters", [])
           if p["in"] == "path" and p["schema"]["type"] == "integer"]
    assert ids and all(p["schema"]["minimum"] >= 0 for p in ids)
    json.dumps(spec)


def test_hsts_behind_https_and_no_store(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = create_app(platform).test_client().get("/login")
    assert "Strict-Transport-Security" not in plain.headers
    assert plain.headers["Cache-Control"] == "no-store" and plain.headers["X-Content-Type-Options"] == "nosniff"
    monkeypatch.setenv("QLVB_SECURE_COOKIES", "1")
    secure = create_app(platform).test_client().get("/login")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    api = create_app(platform).test_client().get("/api/openapi.json")
    assert api.headers["X-Content-Type-Options"] == "nosniff" and api.headers["Cache-Control"] == "no-store"


def test_a_multipart_part_without_a_name_is_a_422(api: Api) -> None:
    """Found by schemathesis: once a TypeError in the API's input check (500)."""
    raw = b"--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--\r\n"
    r = api.client.post("/api/v1/documents/1/files", data=raw, content_type="multipart/form-data; boundary=B",
                        headers={"Authorization": f"Bearer {api.token('btl_clerk')}"})
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
