"""One line per request on the terminal of ``qlvb serve``: time, method, path, status, size and
duration. waitress logs no requests itself; the query string is left out (it holds what
people search for, and a download's one-time token)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import IO, Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestLog:
    def __init__(self, app: WSGIApp, out: IO[str] | None = None) -> None:
        self.app = app
        self.out = out or sys.stdout

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        seen: dict[str, str] = {}

        def recording_start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, *rest)

        size = 0
        result = self.app(environ, recording_start)
        try:
            for chunk in result:
                size += len(chunk)
                yield chunk
        finally:
            close = getattr(result, "close", None)
            if close is not None:  # WSGI: the server must close what the application returned
                close()
            elapsed = (time.monotonic() - started) * 1000
            line = (f"{time.strftime('%Y-%m-%d %H:%M:%S')} {environ.get('REQUEST_METHOD', '-')} "
                    f"{environ.get('PATH_INFO', '') or '/'} {seen.get('status', '-')} {size} B {elapsed:.0f} ms")
            print(line, file=self.out, flush=True)
