"""What signing needs from the server: the keys, images and trust roots it holds (Keys), the
credentials a signer gives with a decision (Credentials), and both with the file store (Desk)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from engine.core.errors import InvalidData
from engine.documents.storage import FileStore
from signing.keys import KeySource, Pkcs11Key, Pkcs12Key

FIELD = "signing"  # the form field that signing problems are told beside



@dataclass(frozen=True)
class Credentials:
    """What a signer gives with the decision; never stored, never logged."""

    password: str | None = None  # unlocks the signer's PKCS#12 key held by the server
    agency_password: str | None = None  # unlocks the agency's key (the clerk, at issuance)
    request_id: str | None = None  # split signing: the request the token signed
    signature: str | None = None  # split signing: the token's signature value, base64

    @classmethod
    def parse(cls, given: Any) -> Credentials:
        if given is None:
            return cls()
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            raise InvalidData("Thông tin ký số không hợp lệ.", {FIELD: "Cần các chuỗi ký tự."})
        known = {"password", "agency_password", "request_id", "signature"}
        return cls(**{k: v for k, v in given.items() if k in known})


@dataclass(frozen=True)
class Keys:
    """The keys, images and trust roots the server holds, under ``QLVB_PKI_DIR``: people's keys
    in people/<username>.p12 with their signature image, agencies' in agencies/<code>.p12 with
    their seal (or agencies/<code>.token.json naming a PKCS#11 token), roots in PEM files."""

    pki_dir: Path
    root_paths: tuple[Path, ...]

    def trust_roots(self) -> list[bytes]:
        return [x509.load_pem_x509_certificate(p.read_bytes()).public_bytes(Encoding.DER)
                for p in self.root_paths if p.is_file()]

    def intermediates(self) -> tuple[x509.Certificate, ...]:
        """CA certificates to send with a signature whose key gave none (a token's)."""
        path = self.pki_dir / "intermediate.pem"
        return (x509.load_pem_x509_certificate(path.read_bytes()),) if path.is_file() else ()

    def person_file(self, username: str, suffix: str) -> Path:
        """people/<username>.p12 (key), .pem (its certificate, readable without the password), .png"""
        return self.pki_dir / "people" / f"{username}{suffix}"

    def agency_file(self, code: str, suffix: str) -> Path:
        return self.pki_dir / "agencies" / f"{code}{suffix}"

    def person(self, username: str, password: str) -> KeySource:
        return Pkcs12Key.from_file(self.person_file(username, ".p12"), password)

    def image(self, username: str) -> bytes:
        return _read(self.person_file(username, ".png"), "ảnh chữ ký")

    def agency(self, code: str, secret: str) -> KeySource:
        token = self.pki_dir / "agencies" / f"{code}.token.json"
        if token.is_file():
            config = json.loads(token.read_text(encoding="utf-8"))
            return Pkcs11Key(Path(config["module"]), config["token_label"], config["key_label"], secret,
                             chain=self.intermediates())
        return Pkcs12Key.from_file(self.agency_file(code, ".p12"), secret)

    def seal(self, code: str) -> bytes:
        return _read(self.agency_file(code, ".png"), "ảnh con dấu")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise InvalidData(f"Chưa cấu hình {what} ({path.name}).", {FIELD: f"Thiếu {what}."}) from None


@dataclass(frozen=True)
class Desk:
    store: FileStore
    keys: Keys
    credentials: Credentials
