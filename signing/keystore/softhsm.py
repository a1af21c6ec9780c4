"""A SoftHSM2 token holding one person's key and certificate, for tests and demonstrations.

SoftHSM finds its tokens through the file named by ``SOFTHSM2_CONF``, read once when the module
is first loaded in a process: a test run sets it before any token is opened (:func:`configure`).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from signing.keystore.keys import SOFTHSM_MODULE
from signing.keystore.pki import Identity


@dataclass(frozen=True)
class Token:
    module: Path
    label: str
    key_label: str
    pin: str


def configure(directory: Path) -> Path:
    """Give this process (and the tools it runs) its own SoftHSM configuration and token folder."""
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    return conf


def _run(*args: str) -> None:
    done = subprocess.run(list(args), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}")


def create_token(directory: Path, identity: Identity, label: str, pin: str, key_label: str = "signing",
                 so_pin: str = "12345678") -> Token:
    """A new token ``label`` with ``identity``'s key and certificate under ``key_label`` (id 01).

    :func:`configure` must have been called; ``directory`` holds the transient key files.
    """
    key_file, cert_file = directory / f"{label}.key.pem", directory / f"{label}.cert.der"
    key_file.write_bytes(identity.key_pem())
    cert_file.write_bytes(identity.certificate.public_bytes(serialization.Encoding.DER))
    try:
        _run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", so_pin, "--pin", pin)
        _run("softhsm2-util", "--import", str(key_file), "--token", label, "--label", key_label, "--id", "01",
             "--pin", pin)
        _run("pkcs11-tool", "--module", str(SOFTHSM_MODULE), "--token-label", label, "--login", "--pin", pin,
             "--write-object", str(cert_file), "--type", "cert", "--id", "01", "--label", key_label)
    finally:
        key_file.unlink()
    return Token(SOFTHSM_MODULE, label, key_label, pin)
