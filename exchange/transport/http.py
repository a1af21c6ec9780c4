"""The HTTP transport: POST the package to the partner's endpoint with the HMAC headers."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from engine.models import Partner

from .. import directory
from . import Envelope, Outcome, auth

TIMEOUT = (10, 120)  # connect, read: a large package to a loaded installation takes a while
_RETRIED = {401, 408, 425, 429}  # 401: the partner may not have us in its directory yet


class HttpTransport:
    def __init__(self, pki_dir: Path) -> None:
        self.pki_dir = pki_dir

    def send(self, partner: Partner, envelope: Envelope) -> Outcome:
        secret = directory.secret(partner, self.pki_dir)
        if secret is None:
            return Outcome(False, retry=True, error="Chưa có khóa bí mật dùng chung với cơ quan nhận "
                                                    f"({partner.credentials_ref or 'chưa khai báo'}).")
        headers = {"Content-Type": "application/xml",
                   **auth.sign(secret, envelope.sender_organ, envelope.recipient_organ, int(time.time()),
                               envelope.package)}
        try:
            response = requests.post(partner.endpoint, data=envelope.package, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as err:
            return Outcome(False, retry=True, error=f"Không kết nối được: {type(err).__name__}")
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if response.status_code in (200, 201):
            return Outcome(True, answer=answer)
        message = str(answer.get("error") or answer.get("description") or response.reason)[:500]
        retry = response.status_code >= 500 or response.status_code in _RETRIED
        return Outcome(False, retry=retry, error=f"HTTP {response.status_code}: {message}",
                       answer=json.loads(json.dumps(answer, default=str)))
