"""JSON over HTTPS to a remote signing service, with Vietnamese errors. A request's body may hold
the client secret: neither bodies nor headers are ever logged or put in an error message."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from ..errors import KeyUnavailable

CALL_TIMEOUT = 15.0  # one call; the signer's approval is waited for by polling, not by a held request
MAX_ANSWER = 1024 * 1024


def unavailable(endpoint: str) -> KeyUnavailable:
    return KeyUnavailable(f"Không kết nối được dịch vụ ký số từ xa ({endpoint}): hãy thử lại sau.")


def post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None,
              timeout: float = CALL_TIMEOUT) -> dict[str, Any]:
    """The JSON object the service answers; KeyUnavailable when it cannot be reached, answers an
    HTTP error or something that is not a JSON object."""
    if not url.startswith(("https://", "http://")):
        raise KeyUnavailable("Địa chỉ dịch vụ ký số từ xa phải bắt đầu bằng https://.")
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST",  # noqa: S310 - checked above
                                     headers={"Content-Type": "application/json", "Accept": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - checked above
            answer = json.loads(response.read(MAX_ANSWER))
    except urllib.error.HTTPError as err:
        raise KeyUnavailable(f"Dịch vụ ký số từ xa từ chối yêu cầu (mã lỗi HTTP {err.code}).") from None
    except (OSError, ValueError):
        raise unavailable(url.split("/", 3)[2] if "//" in url else url) from None
    if not isinstance(answer, dict):
        raise KeyUnavailable("Dịch vụ ký số từ xa trả lời không đúng định dạng.")
    return answer
