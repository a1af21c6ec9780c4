"""Services where the signer approves each hash in the phone app (VNPT SmartCA, Viettel MySign
style): the platform registers a transaction and asks later for its outcome. The calls, each a
JSON POST carrying the agency's ``sp_id`` and ``sp_password``:

* ``/v1/credentials/get_certificate`` ``{user_id}`` → ``data.user_certificates[]``:
  ``{cert_id, cert_data, chain_data[]}`` (base64 DER);
* ``/v1/signatures/sign`` ``{user_id, cert_id, data_to_be_signed (base64 SHA-256), hash_algo,
  sign_algo, sign_algo_params, transaction_desc}`` → ``data.transaction_id``;
* ``/v1/signatures/status`` ``{transaction_id}`` → ``data.status`` (``pending``, ``approved``,
  ``rejected``, ``expired``) and, once approved, ``data.signature`` (base64);
* ``/v1/signatures/cancel`` ``{transaction_id}``;
* and, where the service calls back instead of being asked, a POST to the platform's
  ``/api/v1/remote-signing/callback/<provider id>`` of ``{transaction_id, status, signature}``
  with the header ``X-Signature: hex HMAC-SHA256(body, sp_password)`` (:func:`callback_mac`).

A vendor whose field names differ needs only its own subclass of :class:`ApprovalProvider`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

from asn1crypto import algos

from ..errors import KeyUnavailable
from .base import Credential, Outcome, Provider, State, Submitted, digest
from .http import post_json

_STATES = {"pending": State.WAITING, "approved": State.SIGNED, "rejected": State.REJECTED,
           "expired": State.EXPIRED}
SHA256_OID = "2.16.840.1.101.3.4.2.1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise KeyUnavailable("Dịch vụ ký số từ xa trả về dữ liệu không phải base64.") from None


def _data(answer: dict[str, Any]) -> dict[str, Any]:
    data = answer.get("data")
    if not isinstance(data, dict):
        said = str(answer.get("message") or "")[:200]
        raise KeyUnavailable("Dịch vụ ký số từ xa từ chối" + (f": {said}" if said else "") + ".")
    return data


def outcome(data: dict[str, Any]) -> Outcome:
    """A transaction's ``{status, signature}``, as the status call answers it and as the service's
    callback posts it."""
    state = _STATES.get(str(data.get("status")))
    if state is None:
        return Outcome(State.FAILED, message="Dịch vụ ký số từ xa trả về trạng thái không rõ.")
    if state == State.SIGNED:
        return Outcome(state, _unb64(data.get("signature")))
    return Outcome(state)


def callback_mac(secret: str, body: bytes) -> str:
    """What a callback's ``X-Signature`` header must be: HMAC-SHA256 of the body under the
    agency's client secret, in hex; anything else is not the service's."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class ApprovalProvider(Provider):
    def _call(self, path: str, **body: Any) -> dict[str, Any]:
        url = self.config.endpoint.rstrip("/") + path
        return _data(post_json(url, {"sp_id": self.config.client_id, "sp_password": self.config.secret, **body}))

    def credential(self, account: str) -> Credential:
        found = self._call("/v1/credentials/get_certificate", user_id=account).get("user_certificates")
        if not isinstance(found, list) or not found or not isinstance(found[0], dict):
            raise KeyUnavailable(f"Tài khoản “{account}” chưa có chứng thư số trên dịch vụ ký số từ xa.")
        first = found[0]
        chain = first.get("chain_data") or []
        return Credential(str(first.get("cert_id", "")), _unb64(first.get("cert_data")),
                          tuple(_unb64(c) for c in chain if isinstance(chain, list)))

    def submit(self, account: str, credential: Credential, data: bytes, mechanism: algos.SignedDigestAlgorithm,
               label: str, activation: str | None) -> Submitted:
        params = mechanism["parameters"]
        answer = self._call("/v1/signatures/sign", user_id=account, cert_id=credential.credential_id,
                            data_to_be_signed=_b64(digest(data)), hash_algo=SHA256_OID,
                            sign_algo=mechanism["algorithm"].dotted,
                            sign_algo_params=_b64(params.dump()) if params.native is not None else None,
                            transaction_desc=label[:500])
        reference = answer.get("transaction_id")
        if not isinstance(reference, str) or not reference:
            raise KeyUnavailable("Dịch vụ ký số từ xa không trả về mã giao dịch.")
        return Submitted(reference, Outcome(State.WAITING))

    def poll(self, reference: str) -> Outcome:
        return outcome(self._call("/v1/signatures/status", transaction_id=reference))

    def cancel(self, reference: str) -> None:
        self._call("/v1/signatures/cancel", transaction_id=reference)
