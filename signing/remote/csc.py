"""The Cloud Signature Consortium API v1 (1.0.4.0), the protocol of most remote signing services
(Viettel MySign exposes it behind its login): ``auth/login`` with the agency's client id and
secret (HTTP Basic), ``credentials/list`` for the signer's user id, ``credentials/info`` for the
certificate chain, ``credentials/authorize`` for the signature activation data (SAD, bound to
the hash; the signer's PIN or OTP when the service asks for one, or ``implicit``: the service
asks the signer on the phone), then ``signatures/signHash``. The last two calls go through
pyHanko's :class:`~pyhanko.sign.signers.csc_signer.CSCSigner`.

CSC v1 answers ``signHash`` in the same call, so a submission comes back signed (or refused); with
implicit authorization the authorize call lasts until the signer approved on the phone, hence
``answers_in_call``: the platform submits in the background and the page polls."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
from asn1crypto import algos
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers import csc_signer

from signing.speedups import aio

from ..errors import KeyUnavailable, SigningError
from .base import Credential, Outcome, Provider, State, Submitted
from .http import CALL_TIMEOUT, unavailable


class _Authorize(csc_signer.CSCAuthorizationManager):
    """SAD for exactly the hashes about to be signed (SCAL 2), with the PIN or OTP if typed."""

    def __init__(self, http: aiohttp.ClientSession, info: csc_signer.CSCServiceSessionInfo,
                 credential: csc_signer.CSCCredentialInfo, activation: str | None, label: str,
                 wait: float) -> None:
        super().__init__(info, credential)
        self._http, self._activation, self._label, self._wait = http, activation, label, wait

    async def authorize_signature(self, hash_b64s: list[str]) -> csc_signer.CSCAuthorizationInfo:
        body = self.format_csc_auth_request(hash_b64s=hash_b64s, pin=self._activation, description=self._label[:500])
        # with implicit authorization the service answers once the signer approved on the phone:
        # the call may last as long as they have (it runs in the background, engine.remote_signing.submission)
        answer = await _post(self._http, self.csc_session_info, "credentials/authorize", body, self._wait)
        return self.parse_csc_auth_response(answer)


class _Signer(csc_signer.CSCSigner):
    """signHash with exactly the mechanism (PSS parameters included) that the prepared CMS declares."""

    def __init__(self, http: aiohttp.ClientSession, authorize: _Authorize,
                 mechanism: algos.SignedDigestAlgorithm) -> None:
        super().__init__(http, authorize, sign_timeout=int(CALL_TIMEOUT))
        self._signature_mechanism = mechanism


async def _post(http: aiohttp.ClientSession, info: csc_signer.CSCServiceSessionInfo, name: str,
                body: dict[str, Any], timeout: float = CALL_TIMEOUT) -> dict[str, Any]:
    try:
        async with http.post(info.endpoint_url(name), json=body, headers=info.auth_headers,
                             timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            if response.status in (400, 401, 403):
                raise KeyUnavailable(await _refusal(response))
            response.raise_for_status()
            answer = await response.json()
    except (aiohttp.ClientError, TimeoutError, ValueError):
        raise unavailable(info.service_url) from None
    if not isinstance(answer, dict):
        raise KeyUnavailable("Dịch vụ ký số từ xa trả lời không đúng định dạng.")
    return answer


async def _refusal(response: aiohttp.ClientResponse) -> str:
    """CSC errors are ``{"error", "error_description"}``; the description is the service's own."""
    try:
        answer = await response.json()
        said = str(answer.get("error_description") or answer.get("error") or "")[:200]
    except (aiohttp.ClientError, ValueError, AttributeError):
        said = ""
    return "Dịch vụ ký số từ xa từ chối: " + (said or f"mã lỗi HTTP {response.status}") + "."


class CscProvider(Provider):
    answers_in_call = True

    def _info(self, token: str | None, credential_id: str = "") -> csc_signer.CSCServiceSessionInfo:
        return csc_signer.CSCServiceSessionInfo(self.config.endpoint.rstrip("/"), credential_id, oauth_token=token)

    async def _login(self, http: aiohttp.ClientSession) -> str:
        basic = base64.b64encode(f"{self.config.client_id}:{self.config.secret}".encode()).decode()
        info = self._info(None)
        try:
            async with http.post(info.endpoint_url("auth/login"), json={"rememberMe": False},
                                 headers={"Authorization": f"Basic {basic}"},
                                 timeout=aiohttp.ClientTimeout(total=CALL_TIMEOUT)) as response:
                if response.status in (400, 401, 403):
                    raise KeyUnavailable("Dịch vụ ký số từ xa không chấp nhận mã ứng dụng hoặc khóa bí mật của "
                                         "cơ quan: hãy kiểm tra cấu hình.")
                response.raise_for_status()
                answer = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise unavailable(info.service_url) from None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str):
            raise KeyUnavailable("Dịch vụ ký số từ xa không cấp mã truy cập.")
        return token

    async def _credential(self, account: str) -> Credential:
        async with aiohttp.ClientSession() as http:
            token = await self._login(http)
            listed = await _post(http, self._info(token), "credentials/list", {"userID": account, "maxResults": 10})
            ids = listed.get("credentialIDs")
            if not isinstance(ids, list) or not ids:
                raise KeyUnavailable(f"Tài khoản “{account}” chưa có chứng thư số trên dịch vụ ký số từ xa.")
            credential_id = str(ids[0])
            try:
                found = await csc_signer.fetch_certs_in_csc_credential(http, self._info(token, credential_id),
                                                                       int(CALL_TIMEOUT))
            except PyhankoSigningError:
                raise KeyUnavailable("Không đọc được chứng thư số từ dịch vụ ký số từ xa.") from None
        return Credential(credential_id, found.signing_cert.dump(), tuple(c.dump() for c in found.chain))

    def credential(self, account: str) -> Credential:
        return aio.run(self._credential(account))

    async def _sign(self, credential: Credential, data: bytes, mechanism: algos.SignedDigestAlgorithm, label: str,
                    activation: str | None) -> bytes:
        async with aiohttp.ClientSession() as http:
            info = self._info(await self._login(http), credential.credential_id)
            try:
                found = await csc_signer.fetch_certs_in_csc_credential(http, info, int(CALL_TIMEOUT))
            except PyhankoSigningError:
                raise KeyUnavailable("Không đọc được chứng thư số từ dịch vụ ký số từ xa.") from None
            if found.signing_cert.dump() != credential.certificate:
                raise SigningError("Chứng thư số trên dịch vụ ký số từ xa đã thay đổi: hãy ký lại.")
            if mechanism["algorithm"].native not in found.supported_mechanisms:
                raise KeyUnavailable(f"Dịch vụ ký số từ xa không hỗ trợ thuật toán ký {mechanism['algorithm'].native}.")
            authorize = _Authorize(http, info, found, activation, label, max(CALL_TIMEOUT, self.config.timeout_seconds))
            signer = _Signer(http, authorize, mechanism)
            try:
                return await signer.async_sign_raw(data, "sha256")
            except PyhankoSigningError:
                raise KeyUnavailable("Dịch vụ ký số từ xa không trả về chữ ký.") from None

    def submit(self, account: str, credential: Credential, data: bytes, mechanism: algos.SignedDigestAlgorithm,
               label: str, activation: str | None) -> Submitted:
        try:
            value = aio.run(self._sign(credential, data, mechanism, label, activation))
        except KeyUnavailable as err:
            return Submitted(credential.credential_id, Outcome(State.FAILED, message=err.message))
        return Submitted(credential.credential_id, Outcome(State.SIGNED, value))

    def poll(self, reference: str) -> Outcome:
        return Outcome(State.FAILED, message="Dịch vụ CSC trả lời ngay khi gửi: không có yêu cầu nào đang chờ.")

    def cancel(self, reference: str) -> None:
        """Nothing waits at a CSC service."""
