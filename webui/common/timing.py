"""The CPU a request took in the web process, said in its response (``Server-Timing: cpu;dur=…``)
when the settings ask for it (QLVB_SERVER_TIMING).

A gunicorn worker serves a request in one thread from start to end, so that thread's CPU clock
measures the request alone, whatever the other threads of the process do at the same time. What
it leaves out: gunicorn's parsing and writing around the application, and the CPU of child
processes the request waits for (qpdf, pdftotext), which the operating system counts per process.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g


def _start() -> None:
    g.cpu_started = time.thread_time()


def _said(response: Response) -> Response:
    started = g.get("cpu_started")
    if started is not None:
        response.headers["Server-Timing"] = f"cpu;dur={(time.thread_time() - started) * 1000:.2f}"
    return response


def init_app(app: Flask, enabled: bool) -> None:
    if enabled:
        app.before_request(_start)
        app.after_request(_said)
