"""Handing the hash to a remote signing service without holding the leader's request open.

An approval service (SmartCA/MySign style) answers at once with a transaction to ask about later,
so it is sent in the leader's request. A CSC API v1 service answers ``credentials/authorize``
and ``signatures/signHash`` in the call, and with implicit authorization its authorize waits
until the signer has approved on the phone (up to the call's timeout, 15 s): that submission
runs on a small pool of threads of this process, and the task page and ``qlvb worker`` ask where
the request stands as for any other (engine.remote_signing.flow). The PIN or OTP typed for it
stays in this process's memory for the call only; it is never stored. Should the process stop
meanwhile, the request waits in the table until its time is up and ends as expired.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from asn1crypto import algos

from signing.errors import SigningError
from signing.remote import Credential, Outcome, Provider, State, Submitted

_log = logging.getLogger(__name__)
# Leaders of one installation approving at the same moment; more wait their turn in the pool's queue.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="remote-signing")


def submit(provider: Provider, account: str, credential: Credential, data: bytes,
           mechanism: algos.SignedDigestAlgorithm, label: str, activation: str | None) -> Submitted:
    """The service's answer, a failure it reported included."""
    try:
        return provider.submit(account, credential, data, mechanism, label, activation)
    except SigningError as err:
        return Submitted("", Outcome(State.FAILED, message=err.message))


def _logged(job: Callable[[], None]) -> None:
    try:
        job()
    except Exception:  # a thread's failure is nobody's answer: logged; the request then times out
        _log.exception("remote signing submission failed")


def dispatch(job: Callable[[], None], background: bool) -> Future[None] | None:
    """Run ``job`` now, or on the pool when the service may hold the call (``background``)."""
    if not background:
        job()
        return None
    return _POOL.submit(_logged, job)
