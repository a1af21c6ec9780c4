"""The CA-level revocation answers of a process, kept within their validity.

A B-LT signature fetched four answers: the signer's OCSP response, the root's CRL for the issuing
CA, the time-stamp, and the TSA's OCSP response (its certificate's status, for the DSS). Two of
them are the same for every signature of the day: the issuing CA's status and the TSA's. They
are kept here, per process, for what pyhanko-certvalidator's fetchers return, keyed by the
certificate asked about (and for OCSP, the authority asked), until the earliest of the answer's
``nextUpdate``, :data:`MAX_AGE` after it was fetched, and :data:`MAX_ENTRIES` entries. An answer
without ``nextUpdate`` (RFC 5280/6960: newer information is always available) is not kept.

The signer's own certificate is never answered from here (``fresh``): Circular 15/2025/TT-BKHCN
Art. 5 wants its status checked before each signature, so a revocation an hour ago refuses the
signature now, and a responder that is down is seen as down. Within :data:`MAX_AGE`, a kept
answer is what a fresh process would fetch, unless the CA published a new CRL or its responder
changed its answer before the ``nextUpdate`` it announced.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from asn1crypto import crl, ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.fetchers.api import Fetchers, FetchLimits
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget
from pyhanko_certvalidator.fetchers.requests_fetchers.cert_fetch_client import RequestsCertificateFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.crl_client import RequestsCRLFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.ocsp_client import RequestsOCSPFetcher
from pyhanko_certvalidator.util import issuer_serial

MAX_AGE = timedelta(minutes=5)
MAX_ENTRIES = 256


class Kept:
    """Answers by key, each until its expiry (thread-safe; ``clock`` for tests)."""

    def __init__(self, max_age: timedelta = MAX_AGE, max_entries: int = MAX_ENTRIES,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.max_age, self._max, self.clock = max_age, max_entries, clock
        self._entries: OrderedDict[tuple[Any, ...], tuple[datetime, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if self.clock() >= found[0]:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: tuple[Any, ...], value: Any, next_update: datetime | None) -> None:
        if next_update is None:
            return
        now = self.clock()
        until = min(next_update, now + self.max_age)
        if until <= now:
            return
        with self._lock:
            self._entries[key] = (until, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


KEPT = Kept()


def _crl_next_update(lists: list[crl.CertificateList]) -> datetime | None:
    updates = [c["tbs_cert_list"]["next_update"].native for c in lists]
    return min(updates) if updates and None not in updates else None


def _ocsp_next_update(response: ocsp.OCSPResponse) -> datetime | None:
    if response["response_status"].native != "successful":
        return None
    answers = response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]
    if any(a["cert_status"].name not in ("good", "revoked") for a in answers):
        return None  # "unknown" is not kept: the CA may learn of the certificate any moment
    updates = [a["next_update"].native for a in answers]
    return min(updates) if updates and None not in updates else None


class KeptCRLFetcher(RequestsCRLFetcher):
    def __init__(self, kept: Kept, fresh: frozenset[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._kept, self._fresh = kept, fresh

    async def fetch(self, cert: Any, *, use_deltas: bool = True) -> Any:
        serial = issuer_serial(cert)
        if serial in self._fresh:
            return await super().fetch(cert, use_deltas=use_deltas)
        key = ("crl", serial, use_deltas)
        found = self._kept.get(key)
        if found is not None:
            self._by_cert[serial] = found  # as pyHanko's fetcher files what it fetched
            return found
        fetched = await super().fetch(cert, use_deltas=use_deltas)
        self._kept.put(key, fetched, _crl_next_update(list(fetched)))
        return fetched

    def fetched_crls(self) -> Iterable[crl.CertificateList]:
        """What pyHanko fetched and what was taken from the kept answers: the validation context
        lists these as its CRLs, and the DSS embeds them."""
        return set(super().fetched_crls()) | {c for lists in self._by_cert.values() for c in lists}


class KeptOCSPFetcher(RequestsOCSPFetcher):
    def __init__(self, kept: Kept, fresh: frozenset[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._kept, self._fresh = kept, fresh

    async def fetch(self, cert: Any, authority: Authority) -> ocsp.OCSPResponse:
        serial = issuer_serial(cert)
        if serial in self._fresh:
            return await super().fetch(cert, authority)
        key = ("ocsp", serial, authority.hashable)
        found = self._kept.get(key)
        if found is not None:
            async def kept() -> ocsp.OCSPResponse:
                return found
            # through pyHanko's bookkeeping, so that it lists the answer among those fetched
            return await self._perform_fetch((serial, authority.hashable), kept)
        response = await super().fetch(cert, authority)
        self._kept.put(key, response, _ocsp_next_update(response))
        return response


def fetchers(timeout: float, fresh: Collection[asn1_x509.Certificate] = (), kept: Kept | None = None) -> Fetchers:
    """pyHanko's ``requests`` fetchers, with CA-level answers taken from ``kept`` (default: this
    process's) and those about ``fresh`` certificates always fetched."""
    store = KEPT if kept is None else kept
    budget = FetchBudget(FetchLimits())  # shared by the three, as RequestsFetcherBackend does
    fresh_serials = frozenset(issuer_serial(c) for c in fresh)
    return Fetchers(
        ocsp_fetcher=KeptOCSPFetcher(store, fresh_serials, per_request_timeout=timeout, budget=budget),
        crl_fetcher=KeptCRLFetcher(store, fresh_serials, per_request_timeout=timeout, budget=budget),
        cert_fetcher=RequestsCertificateFetcher(per_request_timeout=timeout, budget=budget))
