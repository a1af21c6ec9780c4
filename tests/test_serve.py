"""`qlvb serve` runs the platform under waitress; the API answers over real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from engine.demo import DEMO_PASSWORD
from engine.platform import Platform
from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, body: dict[str, Any] | None = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_serve_answers_over_http(platform: Platform) -> None:
    port = _free_port()
    env = {**os.environ, "QLVB_DATABASE_URL": platform.settings.database_url,
           "QLVB_DATA_DIR": str(platform.settings.data_dir)}
    server = subprocess.Popen([sys.executable, "-m", "qlvb", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                status, spec = _call(f"{base}/api/openapi.json")
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.1)
        assert status == 200
        assert spec["openapi"].startswith("3.1")
        assert "/api/v1/tasks/{task_id}/complete" in spec["paths"]
        status, body = _call(f"{base}/api/v1/auth/token", {"username": "btl_spec_khnv", "password": DEMO_PASSWORD})
        assert status == 200
        status, body = _call(f"{base}/api/v1/cases", {"process": "btl_outgoing", "data": {
            "subject": "Báo cáo công tác tháng 3", "doc_type": "BC"}}, token=body["token"])
        assert status == 201
        assert body["open_tasks"][0]["task"] == "draft"
    finally:
        server.terminate()
        server.wait(timeout=10)
