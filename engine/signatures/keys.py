"""The keys, images and trust roots the server holds (engine.signatures.signatures signs with them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from engine.core.errors import InvalidData, Text
from engine.signatures.key_cache import UNLOCKED
from signing.keystore.keys import KeySource, Pkcs11Key, Pkcs12Key

_FIELD = "signing"


@dataclass(frozen=True)
class Keys:
    """The keys, images and trust roots the server holds, under ``QLVB_PKI_DIR``: people's keys
    in people/<username>.p12 with their signature image, agencies' in agencies/<code>.p12 with
    their seal (or agencies/<code>.token.json naming a PKCS#11 token), roots in PEM files."""

    pki_dir: Path
    root_paths: tuple[Path, ...]
    extra_roots: tuple[bytes, ...] = ()  # DER, from the trust store (engine.signatures.trust_store)
    extra_intermediates: tuple[bytes, ...] = ()

    def trust_roots(self) -> list[bytes]:
        return [x509.load_pem_x509_certificate(p.read_bytes()).public_bytes(Encoding.DER)
                for p in self.root_paths if p.is_file()] + list(self.extra_roots)

    def intermediates(self) -> tuple[x509.Certificate, ...]:
        """CA certificates to send with a signature whose key gave none (a token's)."""
        path = self.pki_dir / "intermediate.pem"
        own = (x509.load_pem_x509_certificate(path.read_bytes()),) if path.is_file() else ()
        return own + tuple(x509.load_der_x509_certificate(d) for d in self.extra_intermediates)

    def person_file(self, username: str, suffix: str) -> Path:
        """people/<username>.p12 (key), .pem (its certificate, readable without the password), .png"""
        return self.pki_dir / "people" / f"{username}{suffix}"

    def agency_file(self, code: str, suffix: str) -> Path:
        return self.pki_dir / "agencies" / f"{code}{suffix}"

    def person(self, username: str, password: str) -> KeySource:
        return UNLOCKED.get(self.person_file(username, ".p12"), password, Pkcs12Key.from_file)

    def image(self, username: str) -> bytes:
        return _read(self.person_file(username, ".png"), Text("ảnh chữ ký"))

    def agency(self, code: str, secret: str) -> KeySource:
        token = self.pki_dir / "agencies" / f"{code}.token.json"
        if token.is_file():
            config = json.loads(token.read_text(encoding="utf-8"))
            # "pss": false for a token that cannot sign RSASSA-PSS (PKCS#1 v1.5 then, refused by
            # Circular 15/2025 for new signatures: only until the token is replaced)
            return Pkcs11Key(Path(config["module"]), config["token_label"], config["key_label"], secret,
                             chain=self.intermediates(), pss=bool(config.get("pss", True)))
        return UNLOCKED.get(self.agency_file(code, ".p12"), secret, Pkcs12Key.from_file)

    def seal(self, code: str) -> bytes:
        return _read(self.agency_file(code, ".png"), Text("ảnh con dấu"))


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise InvalidData(Text("Chưa cấu hình %(what)s (%(file)s).", what=what, file=path.name),
                          {_FIELD: Text("Thiếu %(what)s.", what=what)}) from None
