"""`qlvb serve` as a subprocess on 127.0.0.1, for the tests that talk to it over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from engine.core.platform import Platform
from tests.conftest import ROOT

READY_WITHIN = 120.0  # seconds; a loaded test machine has taken more than 10 to import and bind


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(url: str, body: dict[str, Any] | None = None, token: str | None = None,
         timeout: float = 30) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


class Server:
    """One `qlvb serve` on a free port of 127.0.0.1, over the platform's database and data
    folder; its output goes to ``log`` (read back when it fails to start)."""

    def __init__(self, platform: Platform, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {**os.environ, "QLVB_DATABASE_URL": platform.settings.database_url,
                    "QLVB_DATA_DIR": str(platform.settings.data_dir)}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers, up to ``READY_WITHIN`` seconds."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "qlvb", "serve", "--port", str(self.port)], cwd=ROOT, env=self.env,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,  # its workers share its group
            )
        deadline = time.monotonic() + READY_WITHIN
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"qlvb serve exited with {self.process.returncode} before answering:\n"
                                     + self.log.read_text(errors="replace")[-4000:])
            try:
                status, _ = call(f"{self.base}/api/openapi.json", timeout=5)
                if status == 200:
                    return
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"qlvb serve did not answer on {self.base} within {READY_WITHIN:.0f} s:\n"
                                     + self.log.read_text(errors="replace")[-4000:])
            time.sleep(0.1)  # polling interval while waiting on readiness, not a fixed wait

    def kill(self) -> None:
        """SIGKILL to the server and its worker processes at once: no clean-up of any kind, as a
        power cut or the OOM killer."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)

    def worker_pids(self) -> list[int]:
        """The server's worker processes (gunicorn forks them from the process started here)."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
