"""Sealing with the operator's passphrase: what a backup holds that must stay secret (the private
keys, the session secret) is encrypted, and the archive's manifest is authenticated, with keys
derived from a passphrase the operator keeps apart from the archive.

scrypt derives the keys: it is memory-hard, so guessing a passphrase on graphics cards costs
far more than with PBKDF2, and it is in ``cryptography``, which signing already uses (no new
dependency; an age-format library would be one). AES-256-GCM encrypts and authenticates the
secrets; HMAC-SHA256 authenticates the manifest, whose hashes then vouch for every other file.
"""

from __future__ import annotations

import base64
import hmac
import os
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from engine.core.errors import InvalidData, Text

MIN_PASSPHRASE = 12
_N, _R, _P = 2**15, 8, 1  # about 0.1 s and 32 MiB per derivation
_MAX_N = 2**20  # an archive asking for more is refused rather than allowed to exhaust memory
_AAD = b"qlvb-backup-secrets-2"
WRONG = "Sai cụm mật khẩu sao lưu, hoặc bản sao lưu đã bị sửa đổi."


def read_passphrase(path: Path | None) -> str:
    """The passphrase in ``path`` (its first line), refused with a clear message if absent or short."""
    if path is None:
        raise InvalidData("Cần cụm mật khẩu sao lưu (--passphrase-file hoặc QLVB_BACKUP_PASSPHRASE_FILE): "
                          "bản sao lưu chứa khóa bí mật và được mã hóa bằng cụm mật khẩu này.",
                          {"passphrase": "Bắt buộc."})
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidData(Text("Không đọc được tệp cụm mật khẩu %(path)s: %(error)s", path=path, error=err),
                          {"passphrase": "Không đọc được."}) from None
    passphrase = lines[0] if lines else ""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidData(Text("Cụm mật khẩu sao lưu cần ít nhất %(n)s ký tự.", n=MIN_PASSPHRASE),
                          {"passphrase": Text("Ít nhất %(n)s ký tự.", n=MIN_PASSPHRASE)})
    return passphrase


@dataclass(frozen=True)
class _Keys:
    encrypt: bytes
    mac: bytes


def _derive(passphrase: str, kdf: dict[str, Any]) -> _Keys:
    try:
        n, r, p, salt = int(kdf["n"]), int(kdf["r"]), int(kdf["p"]), base64.b64decode(kdf["salt"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise InvalidData(WRONG) from None
    if kdf.get("name") != "scrypt" or not (2 <= n <= _MAX_N and 1 <= r <= 16 and 1 <= p <= 4 and len(salt) >= 16):
        raise InvalidData(WRONG)
    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return _Keys(material[:32], material[32:])


@dataclass(frozen=True)
class Sealer:
    """One archive's keys: made fresh (new salt) to write, or from the manifest's header to read."""
    header: dict[str, Any]
    keys: _Keys

    @classmethod
    def new(cls, passphrase: str) -> Sealer:
        header = {"name": "scrypt", "n": _N, "r": _R, "p": _P, "salt": base64.b64encode(os.urandom(16)).decode()}
        return cls(header, _derive(passphrase, header))

    @classmethod
    def of(cls, passphrase: str, header: Any) -> Sealer:
        if not isinstance(header, dict):
            raise InvalidData(WRONG)
        return cls(header, _derive(passphrase, header))

    def seal(self, plain: bytes) -> bytes:
        """12 bytes of nonce, then the ciphertext with its tag."""
        nonce = os.urandom(12)
        return nonce + AESGCM(self.keys.encrypt).encrypt(nonce, plain, _AAD)

    def open(self, sealed: bytes) -> bytes:
        try:
            return AESGCM(self.keys.encrypt).decrypt(sealed[:12], sealed[12:], _AAD)
        except (InvalidTag, ValueError):
            raise InvalidData(WRONG) from None

    def mac(self, data: bytes) -> str:
        return hmac.new(self.keys.mac, data, sha256).hexdigest()

    def check(self, data: bytes, tag: str) -> None:
        if not hmac.compare_digest(self.mac(data), tag.strip()):
            raise InvalidData(WRONG)
