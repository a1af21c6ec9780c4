"""The signed attributes that never change for a signer, encoded once.

Two of a PAdES signature's four signed attributes depend only on the signer and the digest:
``signing-certificate-v2`` (the hash and issuer-serial of the signer's certificate) and
``cms-algorithm-protection`` (the digest and signature algorithms). pyHanko builds both from
native values for every signature, and asn1crypto then encodes them again every time they are
asked for their encoding while the signed attributes, the signer info and the CMS container are
assembled: ~25% of a B-B signature's CPU (cProfile, 2026-12-07).

:func:`kept` wraps pyHanko's providers of these two: the first signature builds each attribute
as pyHanko does and keeps its encoding; later ones get it parsed back from those bytes (so
asn1crypto writes the bytes as they are). The encoding is kept per signer (its certificate and
mechanism are fixed) and per digest algorithm. Every other attribute (the message digest, the
content type, a signing time) is pyHanko's, built each time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from asn1crypto import cms
from asn1crypto.core import Asn1Value
from pyhanko.sign.attributes import CMSAttributeProvider

T = TypeVar("T", bound=Asn1Value)
FIXED = frozenset({"signing_certificate_v2", "cms_algorithm_protection"})


class _EncodedOnce(CMSAttributeProvider):
    def __init__(self, inner: CMSAttributeProvider, store: dict[tuple[str, str, bool], bytes], digest: str) -> None:
        self._inner, self._store, self._digest = inner, store, digest
        self.attribute_type = inner.attribute_type

    async def build_attr_value(self, dry_run: bool = False) -> object:
        return await self._inner.build_attr_value(dry_run=dry_run)

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute | None:
        key = (self.attribute_type, self._digest, dry_run)
        encoded = self._store.get(key)
        if encoded is None:
            attribute = await self._inner.get_attribute(dry_run=dry_run)
            if attribute is None:
                return None
            encoded = self._store[key] = attribute.dump()
        return cms.CMSAttribute.load(encoded)


def kept(providers: Iterable[CMSAttributeProvider], store: dict[tuple[str, str, bool], bytes],
         digest: str) -> list[CMSAttributeProvider]:
    """``providers`` with those of :data:`FIXED` answering from ``store`` (one per signer)."""
    return [_EncodedOnce(p, store, digest) if p.attribute_type in FIXED else p for p in providers]


def encoded(value: T) -> T:
    """``value`` parsed back from its encoding: asn1crypto then writes those bytes as they are
    wherever it goes (the signature algorithm in the signer info and in the signed attributes)
    instead of encoding its parts again each time."""
    return value.__class__.load(value.dump())
