"""Per-partner authentication of the HTTP transport: an HMAC-SHA256, with the secret shared
with that partner, of the sender's and recipient's organ identifiers, a timestamp and the
package's SHA-256, sent in headers. The receiver finds the secret by the sender's identifier
in the recipient agency's directory, and refuses a request older or newer than five minutes
(a replay of an accepted request is harmless anyway: the import is idempotent)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

FROM = "X-QLVB-Organ-From"
TO = "X-QLVB-Organ-To"
TIMESTAMP = "X-QLVB-Timestamp"
SIGNATURE = "X-QLVB-Signature"
SKEW_SECONDS = 300


def _message(sender: str, recipient: str, timestamp: str, body: bytes) -> bytes:
    return f"{sender}\n{recipient}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(secret: bytes, sender: str, recipient: str, timestamp: int, body: bytes) -> dict[str, str]:
    stamp = str(timestamp)
    mac = hmac.new(secret, _message(sender, recipient, stamp, body), hashlib.sha256).hexdigest()
    return {FROM: sender, TO: recipient, TIMESTAMP: stamp, SIGNATURE: mac}


def verify(secret: bytes, headers: Mapping[str, str], body: bytes, now: float) -> str | None:
    """None when the headers vouch for ``body``; else why not, in Vietnamese."""
    stamp = headers.get(TIMESTAMP, "")
    if not stamp.isdigit() or abs(int(stamp) - now) > SKEW_SECONDS:
        return "thời điểm gửi không hợp lệ hoặc lệch quá 5 phút"
    expected = hmac.new(secret, _message(headers.get(FROM, ""), headers.get(TO, ""), stamp, body),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers.get(SIGNATURE, "")):
        return "mã xác thực (HMAC) không đúng"
    return None
