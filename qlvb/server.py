"""`qlvb serve`: the web UI and the API under gunicorn, several processes by default.

One Python process runs one core at most (the GIL), and a day's work of an agency is CPU-bound
(issue 19: signatures, PDF, the engine), so the server forks a worker process per core, each
with threads for the requests that wait on the database. gunicorn rather than waitress behind a
process manager: it forks, restarts a dead worker, logs each request on one line and is the
server most Flask deployments run; waitress stays for the tests' in-process server.

Each worker builds its own platform after the fork (no database connection crosses a fork).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

# One line per request: time, address, request line, status, bytes, milliseconds, user agent.
ACCESS_FORMAT = '%(t)s %(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


def default_workers() -> int:
    return os.cpu_count() or 1


class Server(BaseApplication):
    def __init__(self, build: Callable[[], Any], options: dict[str, Any]) -> None:
        self._build = build
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._build()


def serve(build: Callable[[], Any], host: str, port: int, workers: int, threads: int) -> None:
    """Serve the WSGI app ``build()`` makes in each worker, until a signal stops the server."""
    Server(build, {
        "bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
        # A signature or a register's PDF can take seconds on a loaded machine; a worker silent for
        # two minutes is stuck and is replaced.
        "timeout": 120, "graceful_timeout": 30, "preload_app": False,
        "accesslog": "-", "errorlog": "-", "access_log_format": ACCESS_FORMAT, "proc_name": "qlvb",
        "control_socket_disable": True,  # managed by its service manager, as the README shows
    }).run()
