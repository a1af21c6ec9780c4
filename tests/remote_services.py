"""Remote signing services for the tests, on 127.0.0.1 (a free port), started by the tests: a
Cloud Signature Consortium API v1 server and a service where the signer approves on the phone
(``/test/approve/<id>`` and ``/test/reject/<id>`` stand for the phone). Both sign with keys the
test gives them, as a CA's HSM would; every call checks the agency's client id and secret."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asn1crypto import algos
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import Encoding

CLIENT_ID = "qlvb-test"
SECRET = "bí-mật-của-cơ-quan-0123"  # noqa: S105 - the test services' client secret
PIN = "123456"
_RSA_OIDS = ["1.2.840.113549.1.1.11", "1.2.840.113549.1.1.10"]  # sha256WithRSA, RSASSA-PSS
_EC_OIDS = ["1.2.840.10045.4.3.2"]


@dataclass
class Account:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


@dataclass
class Transaction:
    account: str
    digest: bytes
    sign_algo: str
    params: str | None
    label: str
    status: str = "pending"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sign_digest(account: Account, digest: bytes, sign_algo: str, params_b64: str | None) -> bytes:
    """What an HSM does with signHash: sign a SHA-256 digest given as is."""
    prehashed = utils.Prehashed(hashes.SHA256())
    if isinstance(account.key, ec.EllipticCurvePrivateKey):
        return account.key.sign(digest, ec.ECDSA(prehashed))
    if sign_algo == "1.2.840.113549.1.1.10":
        salt = algos.RSASSAPSSParams.load(base64.b64decode(params_b64 or ""))["salt_length"].native
        return account.key.sign(digest, padding.PSS(padding.MGF1(hashes.SHA256()), salt), prehashed)
    return account.key.sign(digest, padding.PKCS1v15(), prehashed)


@dataclass
class Services:
    accounts: dict[str, Account]
    url: str = ""
    csc_tokens: set[str] = field(default_factory=set)
    sads: dict[str, list[str]] = field(default_factory=dict)
    transactions: dict[str, Transaction] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    # CSC with implicit authorization: ``credentials/authorize`` without a PIN waits for the phone
    # (:meth:`csc_phone`) before answering, as a service that pushes the request to the app does.
    csc_implicit: bool = False
    csc_authorizing: threading.Event = field(default_factory=threading.Event)  # an authorize is waiting
    _csc_answer: list[bool] = field(default_factory=list)
    _csc_answered: threading.Event = field(default_factory=threading.Event)

    def csc_phone(self, approve: bool) -> None:
        """The signer answers the waiting CSC authorization on the phone."""
        self._csc_answer.append(approve)
        self._csc_answered.set()

    def _csc_wait(self) -> bool | None:
        self.csc_authorizing.set()
        if not self._csc_answered.wait(timeout=120):
            return None
        self._csc_answered.clear()
        self.csc_authorizing.clear()
        return self._csc_answer.pop(0)

    def phone(self, action: str, transaction_id: str) -> None:
        """The signer's phone: ``approve`` or ``reject``, through the service's test endpoint."""
        request = urllib.request.Request(f"{self.url}/test/{action}/{transaction_id}", b"{}", method="POST")  # noqa: S310 - the test's own service
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - the test's own service
            pass

    def only_transaction(self) -> str:
        assert len(self.transactions) == 1, self.transactions
        return next(iter(self.transactions))


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        services = self.server.services
        services.calls.append(self.path)
        services.bodies.append(raw)
        body = json.loads(raw or b"{}")
        if self.path.startswith("/csc/v1/"):
            self._csc(self.path.removeprefix("/csc/v1/"), body)
        elif self.path.startswith("/test/"):
            _, _, action, tid = self.path.split("/")
            found = services.transactions.get(tid)
            if found is None or found.status != "pending":
                self._answer(404, {"message": "no such pending transaction"})
                return
            found.status = "approved" if action == "approve" else "rejected"
            self._answer(200, {})
        else:
            self._approval(self.path, body)

    def _csc(self, name: str, body: dict[str, Any]) -> None:
        services = self.server.services
        if name == "auth/login":
            expected = "Basic " + _b64(f"{CLIENT_ID}:{SECRET}".encode())
            if self.headers.get("Authorization") != expected:
                self._answer(401, {"error": "invalid_client", "error_description": "Sai mã ứng dụng"})
                return
            token = secrets.token_urlsafe(16)
            services.csc_tokens.add(token)
            self._answer(200, {"access_token": token, "expires_in": 3600})
            return
        if self.headers.get("Authorization", "").removeprefix("Bearer ") not in services.csc_tokens:
            self._answer(401, {"error": "invalid_token"})
            return
        if name == "credentials/list":
            user = str(body.get("userID"))
            self._answer(200, {"credentialIDs": [user] if user in services.accounts else []})
            return
        account = services.accounts.get(str(body.get("credentialID")))
        if account is None:
            self._answer(400, {"error": "invalid_request", "error_description": "Không có khóa này"})
        elif name == "credentials/info":
            rsa_key = isinstance(account.key, rsa.RSAPrivateKey)
            certs = [_b64(c.public_bytes(Encoding.DER)) for c in (account.certificate, *account.chain)]
            self._answer(200, {"key": {"status": "enabled", "algo": _RSA_OIDS if rsa_key else _EC_OIDS,
                                       "len": account.key.key_size},
                               "cert": {"status": "valid", "certificates": certs},
                               "authMode": "implicit" if services.csc_implicit else "explicit", "SCAL": "2",
                               "multisign": 1})
        elif name == "credentials/authorize":
            if services.csc_implicit and body.get("PIN") is None:
                if not services._csc_wait():
                    self._answer(400, {"error": "access_denied", "error_description": "Người ký từ chối"})
                    return
            elif body.get("PIN") != PIN:
                self._answer(400, {"error": "invalid_pin", "error_description": "Mã PIN không đúng"})
                return
            sad = secrets.token_urlsafe(16)
            services.sads[sad] = list(body.get("hash") or [])
            self._answer(200, {"SAD": sad, "expiresIn": 300})
        elif name == "signatures/signHash":
            hashes_given = list(body.get("hash") or [])
            if services.sads.pop(str(body.get("SAD")), None) != hashes_given:  # SCAL 2: bound to the hashes
                self._answer(400, {"error": "invalid_request", "error_description": "SAD không hợp lệ"})
                return
            values = [_b64(sign_digest(account, base64.b64decode(h), str(body.get("signAlgo")),
                                       body.get("signAlgoParams"))) for h in hashes_given]
            self._answer(200, {"signatures": values})
        else:
            self._answer(404, {"error": "invalid_request"})

    def _approval(self, path: str, body: dict[str, Any]) -> None:
        services = self.server.services
        if body.get("sp_id") != CLIENT_ID or body.get("sp_password") != SECRET:
            self._answer(401, {"message": "Sai sp_id hoặc sp_password"})
            return
        if path == "/v1/credentials/get_certificate":
            account = services.accounts.get(str(body.get("user_id")))
            found = [] if account is None else [{
                "cert_id": str(body.get("user_id")), "cert_data": _b64(account.certificate.public_bytes(Encoding.DER)),
                "chain_data": [_b64(c.public_bytes(Encoding.DER)) for c in account.chain]}]
            self._answer(200, {"data": {"user_certificates": found}})
        elif path == "/v1/signatures/sign":
            tid = secrets.token_hex(8)
            services.transactions[tid] = Transaction(str(body["user_id"]), base64.b64decode(body["data_to_be_signed"]),
                                                     str(body["sign_algo"]), body.get("sign_algo_params"),
                                                     str(body.get("transaction_desc")))
            self._answer(200, {"data": {"transaction_id": tid}})
        elif path in ("/v1/signatures/status", "/v1/signatures/cancel"):
            found = services.transactions.get(str(body.get("transaction_id")))
            if found is None:
                self._answer(200, {"message": "Không có giao dịch này"})
                return
            if path.endswith("cancel") and found.status == "pending":
                found.status = "cancelled"
            answer: dict[str, Any] = {"status": found.status}
            if found.status == "approved":
                account = services.accounts[found.account]
                answer["signature"] = _b64(sign_digest(account, found.digest, found.sign_algo, found.params))
            self._answer(200, {"data": answer})
        else:
            self._answer(404, {"message": "not found"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, services: Services) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.services = services


@contextmanager
def running(accounts: dict[str, Account]) -> Iterator[Services]:
    services = Services(accounts)
    server = _Server(services)
    services.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield services
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
