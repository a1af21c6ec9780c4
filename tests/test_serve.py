"""`qlvb serve` runs the platform under gunicorn, a worker process per core (issue 19); the API
answers over real HTTP, and each request is logged on one line."""

from __future__ import annotations

import os
import time
from pathlib import Path

from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from tests.server import Server, call


def test_serve_answers_over_http(platform: Platform, tmp_path: Path) -> None:
    server = Server(platform, tmp_path / "serve.log")
    server.start()
    try:
        status, spec = call(f"{server.base}/api/openapi.json")
        assert status == 200
        assert spec["openapi"].startswith("3.1")
        assert "/api/v1/tasks/{task_id}/complete" in spec["paths"]
        status, body = call(f"{server.base}/api/v1/auth/token",
                            {"username": "btl_spec_khnv", "password": DEMO_PASSWORD})
        assert status == 200
        status, body = call(f"{server.base}/api/v1/cases", {"process": "btl_outgoing", "data": {
            "subject": "Báo cáo công tác tháng 3", "doc_type": "BC"}}, token=body["token"])
        assert status == 201
        assert body["open_tasks"][0]["task"] == "draft"
        assert len(server.worker_pids()) == (os.cpu_count() or 1)
        # One line per request, written once the answer has gone: waited for, not read at once.
        line, deadline = '"POST /api/v1/cases HTTP/1.1" 201', time.monotonic() + 60
        while line not in (tmp_path / "serve.log").read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert line in (tmp_path / "serve.log").read_text(encoding="utf-8")
    finally:
        server.stop()
