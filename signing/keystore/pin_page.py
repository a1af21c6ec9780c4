"""The sign agent's PIN prompt as a small local web page, for officials who never open a
terminal: when a signing request arrives, the agent opens the browser on
``http://127.0.0.1:<port>/pin?t=<one-time secret>``, which shows what will be signed (the
document, the signer, the hash, read from the request by ``SigningAgent.prompt``) and asks the
PIN; the agent waits for the answer, or for ``TIMEOUT``, then goes on as with a terminal.

Only that page can answer: the secret is in the URL the agent opened (another web page cannot
know it), the form's POST must come from the agent's own origin, and each secret is used once.
The page carries a Content-Security-Policy without scripts and may not be framed."""

from __future__ import annotations

import html
import secrets
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field

TIMEOUT = 120.0  # seconds the agent waits for the PIN before cancelling the request
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                      "frame-ancestors 'none'",
           "X-Frame-Options": "DENY", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@dataclass
class _Waiting:
    prompt: str
    answered: threading.Event = field(default_factory=threading.Event)
    pin: str | None = None


class PinPage:
    """A ``PinProvider`` for ``SigningAgent`` that asks through the local page."""

    def __init__(self, open_browser: Callable[[str], object] = webbrowser.open, timeout: float = TIMEOUT) -> None:
        self.open_browser = open_browser
        self.timeout = timeout
        self.port = 0  # set by the server once it listens
        self.describe: Callable[[object], str] = str  # SigningAgent.prompt, set once the agent exists
        self._waiting: dict[str, _Waiting] = {}
        self._lock = threading.Lock()

    def __call__(self, request: object) -> str | None:
        secret = secrets.token_urlsafe(24)
        waiting = _Waiting(self.describe(request))
        with self._lock:
            self._waiting[secret] = waiting
        try:
            self.open_browser(f"http://127.0.0.1:{self.port}/pin?t={secret}")
            waiting.answered.wait(self.timeout)
            return waiting.pin
        finally:
            with self._lock:
                self._waiting.pop(secret, None)

    def page(self, secret: str) -> str | None:
        """The page's HTML for ``secret``; None if no request waits under it."""
        with self._lock:
            waiting = self._waiting.get(secret)
        if waiting is None:
            return None
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in waiting.prompt.splitlines())
        token = html.escape(secret, quote=True)
        return _PAGE.replace("{token}", token).replace("{lines}", lines)  # the style holds braces

    def answer(self, secret: str, pin: str | None) -> bool:
        """Hand the typed PIN (None: cancelled) to the waiting request; False if none waits."""
        with self._lock:
            waiting = self._waiting.pop(secret, None)
        if waiting is None or waiting.answered.is_set():
            return False
        waiting.pin = pin or None
        waiting.answered.set()
        return True


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1d2733}"
          "li{margin:.3rem 0;word-break:break-all}"
          "input{font-size:1.2rem;padding:.4rem;width:100%;box-sizing:border-box}"
          "button{font-size:1rem;padding:.5rem 1.2rem;margin:.8rem .5rem 0 0}")
_PAGE = ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Ký số – nhập mã PIN</title>"
         "<style>" + _STYLE + "</style></head><body><h1>Ký số văn bản</h1>"
         "<p>Kiểm tra văn bản trước khi nhập mã PIN của thiết bị ký số (USB token):</p><ul>{lines}</ul>"
         "<form method=\"post\" action=\"/pin\"><input type=\"hidden\" name=\"t\" value=\"{token}\">"
         "<label for=\"pin\">Mã PIN</label>"
         "<input id=\"pin\" name=\"pin\" type=\"password\" autocomplete=\"off\" autofocus>"
         "<button type=\"submit\" name=\"action\" value=\"sign\">Ký số</button>"
         "<button type=\"submit\" name=\"action\" value=\"cancel\">Hủy</button></form></body></html>")
DONE = ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Ký số</title></head><body>"
        "<p>{message} Có thể đóng trang này và quay lại trang văn bản.</p></body></html>")
