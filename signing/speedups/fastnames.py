"""Certificate names compared once per encoding, not once per comparison.

asn1crypto compares names (``Name.__eq__``, and the ``hashable`` key that pyhanko-certvalidator
files certificates and CRLs under) through RFC 5280's string preparation of every attribute:
Unicode normalisation, case folding and space squeezing, in Python, again at every call. A
Vietnamese name is long, and validating a B-LT signature compares the same few names hundreds
of times (path building, the CRL's issuer, the OCSP responder, the time-stamp's signer): ~14% of
validating an issued document (cProfile, 2026-12-07).

The prepared form depends only on the name's encoding, so it is kept per encoding (a bounded
table, a few hundred bytes an entry): the same string asn1crypto would compute, computed once.
It replaces ``asn1crypto.x509.RDNSequence.hashable`` and ``__eq__``, through which ``Name``'s
go; a mutated name is re-encoded by asn1crypto before its encoding is read, so it is looked up
under its new encoding.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from asn1crypto import x509

MAX_ENTRIES = 4096
_asn1crypto_hashable = x509.RDNSequence.hashable
_asn1crypto_eq = x509.RDNSequence.__eq__
_HASHABLE: OrderedDict[bytes, str] = OrderedDict()
_COMPARED: OrderedDict[bytes, tuple[tuple[int, tuple[tuple[str, str], ...]], ...]] = OrderedDict()
_LOCK = threading.Lock()
T = TypeVar("T")


def _kept(table: OrderedDict[bytes, T], name: x509.RDNSequence, compute: Callable[[x509.RDNSequence], T]) -> T:
    key = name.contents or b""
    with _LOCK:
        found = table.get(key)
        if found is not None:
            table.move_to_end(key)
            return found
    value = compute(name)  # outside the lock: asn1crypto raises here as it would
    with _LOCK:
        table[key] = value
        while len(table) > MAX_ENTRIES:
            table.popitem(last=False)
    return value


def _compared(name: x509.RDNSequence) -> tuple[tuple[int, tuple[tuple[str, str], ...]], ...]:
    """What asn1crypto's ``RDNSequence.__eq__`` compares, RDN by RDN: the number of attributes
    and the prepared value of each attribute type (the types being the dictionary's keys)."""
    return tuple((len(rdn), tuple(sorted(rdn._get_values(rdn).items()))) for rdn in name)


def hashable(self: x509.RDNSequence) -> str:
    """asn1crypto's ``RDNSequence.hashable``: the name as RFC 5280 compares it."""
    return _kept(_HASHABLE, self, _asn1crypto_hashable.fget)


def equal(self: x509.RDNSequence, other: object) -> bool:
    """asn1crypto's ``RDNSequence.__eq__`` (RFC 5280 7.1), on the kept prepared values."""
    if not isinstance(other, x509.RDNSequence):
        return False
    return _kept(_COMPARED, self, _compared) == _kept(_COMPARED, other, _compared)


_FAST = property(hashable, doc=hashable.__doc__)


def install() -> None:
    """Make asn1crypto use :func:`hashable` and :func:`equal` (``signing`` does). Idempotent."""
    x509.RDNSequence.hashable = _FAST
    x509.RDNSequence.__eq__ = equal


def installed() -> bool:
    return x509.RDNSequence.__dict__["hashable"] is _FAST and x509.RDNSequence.__dict__["__eq__"] is equal


def clear() -> None:
    with _LOCK:
        _HASHABLE.clear()
        _COMPARED.clear()
