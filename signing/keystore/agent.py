"""The local signing agent (``qlvb sign-agent``): runs on the official's computer, next to their
USB token, and signs the one-time requests the platform's web page hands it.

It listens on 127.0.0.1 only, answers only the configured platform origin (CORS), and checks
that what it is asked to sign is a CMS signed-attributes set naming the token's own certificate,
so a page cannot make it sign anything else. Each request id is honoured once, before its
expiry, which must be at most five minutes away (and two of clock difference); the PIN is
asked for every request and never stored, after the prompt shows the document, the signer and
the hash that will be signed. A batch (ký số hàng loạt, ``/sign-batch``) is asked once: its
prompt lists every document with its hash, and one PIN signs them all in one token session.
"""

from __future__ import annotations

import base64
import json
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pkcs11
from asn1crypto import cms
from cryptography import x509

from signing.errors import KeyUnavailable, RequestRefused, SigningError, WrongSecret
from signing.keystore.keys import Pkcs11Key, open_token
from signing.keystore.pin_page import DONE, HEADERS, PinPage
from signing.pades.split import DIGEST, REQUEST_TTL, SigningRequest, fingerprint
from signing.speedups import aio

LOOPBACK = "127.0.0.1"
MAX_BODY = 64 * 1024  # a request is a few kilobytes of signed attributes
# A request valid longer than the server gives (one expiring in 2099 could be kept and replayed)
# is refused; the official's computer and the server may disagree by a minute or two.
MAX_TTL = REQUEST_TTL + timedelta(minutes=2)
MAX_BATCH = 20  # documents signed with one PIN: the prompt still lists each of them
# Asked for the PIN of one request, or of a batch (a tuple); None: the holder cancelled.
PinProvider = Callable[[Any], str | None]


def printable(text: str, limit: int = 300) -> str:
    """``text`` without control or format characters (terminal escapes, CR that rewrites a
    line, bidirectional overrides), on one line, at most ``limit`` characters."""
    kept = "".join(c if unicodedata.category(c)[0] != "C" else " " if c.isspace() else "" for c in text)
    return " ".join(kept.split())[:limit]


@dataclass(frozen=True)
class TokenConfig:
    module: Path
    token_label: str
    key_label: str


class SigningAgent:
    """What the agent does, apart from HTTP: read the token's certificate, sign a request once."""

    def __init__(self, token: TokenConfig, pin_provider: PinProvider,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.token = token
        self.pin_provider = pin_provider
        self.clock = clock
        self._used: dict[str, datetime] = {}  # request id -> its expiry, kept until then
        self._lock = threading.Lock()  # one PIN prompt and one token session at a time
        self._certificate: bytes | None = None

    def certificate(self) -> bytes:
        """The DER certificate on the token (public: no PIN needed)."""
        if self._certificate is None:
            session = open_token(self.token.module, self.token.token_label, None)
            try:
                query = {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                         pkcs11.Attribute.LABEL: self.token.key_label}
                found = [bytes(obj[pkcs11.Attribute.VALUE]) for obj in session.get_objects(query)]
            finally:
                session.close()
            if not found:
                raise KeyUnavailable(f"Thiết bị ký số không có chứng thư “{self.token.key_label}”.")
            self._certificate = found[0]
        return self._certificate

    def _check_attributes(self, request: SigningRequest) -> bytes:
        """The SHA-256 of the document that ``request`` signs, once its attributes are checked."""
        own = fingerprint(self.certificate())
        if request.certificate_sha256.lower() != own:
            raise RequestRefused("Yêu cầu ký dành cho một chứng thư số khác với chứng thư trên thiết bị này.")
        try:
            attrs = {a["type"].native: a["values"][0] for a in cms.CMSAttributes.load(request.data)}
            digest = attrs["message_digest"].native
            cert_hash = attrs["signing_certificate_v2"]["certs"][0]["cert_hash"].native
            content_type = attrs["content_type"].native
        except (ValueError, KeyError, IndexError, TypeError) as err:
            raise RequestRefused("Dữ liệu cần ký không phải là thuộc tính ký của một văn bản.") from err
        if content_type != "data" or len(digest) != 32 or cert_hash.hex() != own:
            raise RequestRefused("Dữ liệu cần ký không khớp với chứng thư số trên thiết bị này.")
        return bytes(digest)

    def prompt(self, request: SigningRequest | tuple[SigningRequest, ...]) -> str:
        """What the holder reads before typing the PIN: each document as the server names it, the
        signer of the token's own certificate and the hash each signature covers, read from what
        is signed, not from the page; no control character reaches the terminal."""
        batch = request if isinstance(request, tuple) else (request,)
        signer = x509.load_der_x509_certificate(self.certificate()).subject.get_attributes_for_oid(
            x509.NameOID.COMMON_NAME)
        who = f"Người ký: {printable(str(signer[0].value)) if signer else '(không rõ)'}"
        documents = [[f"Văn bản: {printable(one.label) or '(không rõ)'}",
                      f"Mã băm SHA-256 của văn bản được ký: {self._check_attributes(one).hex()}"] for one in batch]
        lines = ([documents[0][0], who, documents[0][1]] if len(batch) == 1 else
                 [f"Ký {len(batch)} văn bản bằng một mã PIN:", *(line for d in documents for line in d), who])
        lines.append(f"Hết hạn: {min(one.expires_at for one in batch).astimezone(UTC):%H:%M:%S} UTC")
        return "\n".join(lines)

    def _usable(self, request: SigningRequest, now: datetime) -> None:
        if request.id in self._used:
            raise RequestRefused("Yêu cầu ký này đã được dùng: không ký lại.")
        if now > request.expires_at:
            raise RequestRefused("Yêu cầu ký đã hết hạn: hãy tạo yêu cầu mới trên trang.")
        if request.expires_at - now > MAX_TTL:
            raise RequestRefused(f"Yêu cầu ký có hạn quá dài (tối đa {REQUEST_TTL.seconds // 60} phút): "
                                 "không ký.")
        self._check_attributes(request)

    def sign(self, request: SigningRequest) -> bytes:
        """The token's signature over ``request.data``, after the holder typed their PIN."""
        return self.sign_many((request,))[0]

    def sign_many(self, batch: tuple[SigningRequest, ...]) -> list[bytes]:
        """The token's signatures over each request's data, in order, after one PIN typed for
        them all; every request is checked before the PIN is asked, so none is signed if one
        is refused."""
        if not 0 < len(batch) <= MAX_BATCH or len({r.id for r in batch}) != len(batch):
            raise RequestRefused(f"Một lần ký từ 1 đến {MAX_BATCH} văn bản khác nhau.")
        with self._lock:
            now = self.clock()
            self._used = {rid: expiry for rid, expiry in self._used.items() if expiry >= now}
            for request in batch:
                self._usable(request, now)
            pin = self.pin_provider(batch if len(batch) > 1 else batch[0])
            if pin is None:
                raise RequestRefused("Người ký đã hủy.")
            key = Pkcs11Key(self.token.module, self.token.token_label, self.token.key_label, pin)
            try:
                signatures = [aio.run(key.signer().async_sign_raw(r.data, DIGEST)) for r in batch]
            except pkcs11.PKCS11Error as err:  # e.g. the token was pulled out after the PIN
                raise KeyUnavailable(f"Thiết bị ký số không ký được: {type(err).__name__}.") from err
            finally:
                key.close()
            # a wrong PIN leaves the requests usable; a signature consumes them
            for request in batch:
                self._used[request.id] = request.expires_at
            return signatures


_STATUS = {WrongSecret: HTTPStatus.UNAUTHORIZED, KeyUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
           RequestRefused: HTTPStatus.BAD_REQUEST}


class _Handler(BaseHTTPRequestHandler):
    server: AgentServer
    server_version = "qlvb-sign-agent"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the standard library's name
        """Quiet: the holder's terminal shows the PIN prompt, not an access log."""

    def _send(self, status: int, body: dict[str, Any] | None = None) -> None:
        data = json.dumps(body or {}, ensure_ascii=False).encode()
        self.send_response(status)
        if self.headers.get("Origin") == self.server.origin:
            self.send_header("Access-Control-Allow-Origin", self.server.origin)
            self.send_header("Vary", "Origin")
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _loopback(self) -> bool:
        """Only through a loopback host name (no DNS rebinding)."""
        if self.headers.get("Host", "") not in {f"127.0.0.1:{self.server.port}", f"localhost:{self.server.port}"}:
            self._send(HTTPStatus.FORBIDDEN, {"error": "Tên máy không hợp lệ."})
            return False
        return True

    def _html(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _pin_page(self, post: bool) -> None:
        """The local PIN page (signing.keystore.pin_page): shown to the browser the agent opened, answered
        by its own form only (the agent's origin, the one-time secret of the URL)."""
        page = self.server.pin_page
        assert page is not None
        if not post:
            shown = page.page(parse_qs(urlsplit(self.path).query).get("t", [""])[0])
            self._html(HTTPStatus.OK if shown else HTTPStatus.NOT_FOUND,
                       shown or DONE.format(message="Không có yêu cầu ký nào đang chờ."))
            return
        if self.headers.get("Origin") not in {f"http://127.0.0.1:{self.server.port}",
                                              f"http://localhost:{self.server.port}"}:
            self._html(HTTPStatus.FORBIDDEN, DONE.format(message="Trang này không được phép trả lời."))
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace")) if 0 < length <= MAX_BODY else {}
        pin = form.get("pin", [""])[0] if form.get("action", [""])[0] == "sign" else None
        if not page.answer(form.get("t", [""])[0], pin):
            self._html(HTTPStatus.NOT_FOUND, DONE.format(message="Yêu cầu ký đã hết hạn hoặc đã trả lời."))
            return
        self._html(HTTPStatus.OK, DONE.format(message="Đã hủy." if pin is None else "Đã nhận mã PIN."))

    def _allowed(self) -> bool:
        """Only the platform's page, and only through a loopback host name (no DNS rebinding)."""
        if not self._loopback():
            return False
        if self.headers.get("Origin") != self.server.origin:
            self._send(HTTPStatus.FORBIDDEN, {"error": "Trang web này không được phép dùng thiết bị ký số."})
            return False
        return True

    def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's naming
        if self.headers.get("Origin") != self.server.origin:
            self._send(HTTPStatus.FORBIDDEN, {"error": "Trang web này không được phép dùng thiết bị ký số."})
            return
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", self.server.origin)
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Vary", "Origin")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        if self.server.pin_page is not None and urlsplit(self.path).path == "/pin":
            if self._loopback():
                self._pin_page(post=False)
            return
        if not self._allowed():
            return
        if self.path != "/certificate":
            self._send(HTTPStatus.NOT_FOUND, {"error": "Không có địa chỉ này."})
            return
        try:
            der = self.server.agent.certificate()
        except SigningError as err:
            self._send(_STATUS.get(type(err), HTTPStatus.BAD_REQUEST), {"error": err.message})
            return
        self._send(HTTPStatus.OK, {"certificate": base64.b64encode(der).decode(), "sha256": fingerprint(der)})

    def do_POST(self) -> None:  # noqa: N802
        if self.server.pin_page is not None and self.path == "/pin":
            if self._loopback():
                self._pin_page(post=True)
            return
        if not self._allowed():
            return
        if self.path not in ("/sign", "/sign-batch"):
            self._send(HTTPStatus.NOT_FOUND, {"error": "Không có địa chỉ này."})
            return
        batch = self.path == "/sign-batch"
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY * (MAX_BATCH if batch else 1):
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "Yêu cầu ký quá lớn hoặc rỗng."})
            return
        try:
            body = json.loads(self.rfile.read(length))
            if batch:
                given = body.get("requests") if isinstance(body, dict) else None
                requests = tuple(SigningRequest.from_json(r) for r in (given if isinstance(given, list) else [None]))
            else:
                requests = (SigningRequest.from_json(body),)
            signatures = self.server.agent.sign_many(requests)
        except json.JSONDecodeError:
            self._send(HTTPStatus.BAD_REQUEST, {"error": "Yêu cầu ký không phải JSON."})
            return
        except SigningError as err:
            self._send(_STATUS.get(type(err), HTTPStatus.BAD_REQUEST), {"error": err.message})
            return
        signed = [{"id": r.id, "signature": base64.b64encode(s).decode()}
                  for r, s in zip(requests, signatures, strict=True)]
        self._send(HTTPStatus.OK, {"signatures": signed} if batch else signed[0])


class AgentServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, agent: SigningAgent, origin: str, port: int, host: str = LOOPBACK,
                 pin_page: PinPage | None = None) -> None:
        if host != LOOPBACK:
            raise SigningError(f"Tác nhân ký chỉ được lắng nghe trên {LOOPBACK}, không trên “{host}”.")
        if not origin.startswith(("https://", "http://")) or origin.endswith("/"):
            raise SigningError("Địa chỉ nền tảng (origin) phải có dạng https://tên-miền, không có “/” ở cuối.")
        self.agent = agent
        self.origin = origin
        self.pin_page = pin_page  # None: the PIN is asked elsewhere (a terminal)
        super().__init__((host, port), _Handler)
        self.port = self.server_address[1]
        if pin_page is not None:
            pin_page.port = self.port
