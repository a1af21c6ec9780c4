"""Where a signature's key lives, behind one small interface.

A :class:`KeySource` gives the signer's certificate, the CA certificates to embed, and a pyHanko
``Signer``. An RSA key signs with RSASSA-PSS unless the source is made with ``pss=False``
(Circular 15/2025 asks for PSS; v1.5 stays for a token that cannot do PSS). The key is read
once when the source is made (a PKCS#12 file is decrypted, a token
session is opened and logged in), because re-reading it for every signature costs more than the
signature itself. A wrong password or PIN raises :class:`~signing.errors.WrongSecret`.

:class:`ExternalKey` is the split path: the server knows only the certificate; the holder's own
token signs the bytes the server prepared (see :mod:`signing.pades.split`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pkcs11
from asn1crypto import x509 as asn1_x509
from asn1crypto.algos import SignedDigestAlgorithm
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.attributes import CMSAttributeProvider
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers import ExternalSigner, Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import process_pss_params

from signing.errors import KeyUnavailable, WrongSecret
from signing.pades import algorithms
from signing.speedups import fixedattrs

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
# A verifier trusts a root it already holds, never one carried in the signature: leaving it out
# makes the signature smaller and quicker to check (one certificate fewer to parse and match).
EMBED_ROOTS = False


def to_asn1(cert: x509.Certificate | asn1_x509.Certificate | bytes) -> asn1_x509.Certificate:
    """A certificate in pyHanko's (asn1crypto) form, from cryptography's form or DER."""
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    der = cert if isinstance(cert, bytes) else cert.public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(der)


class KeySource(ABC):
    """A signing key with its certificate; :meth:`signer` is cheap and may be called per signature."""

    def __init__(self, certificate: asn1_x509.Certificate, chain: Sequence[x509.Certificate | bytes], *,
                 pss: bool = True) -> None:
        self._cert = certificate
        self._chain = tuple(to_asn1(c) for c in chain)
        self._pss = pss

    @property
    def pss(self) -> bool:
        """Whether an RSA key signs with RSASSA-PSS (an EC key signs with ECDSA either way)."""
        return self._pss

    def signature_mechanism(self, digest: str = algorithms.DIGEST) -> SignedDigestAlgorithm:
        """The algorithm the CMS declares, which the signer must use."""
        return algorithms.mechanism(self._cert, digest, self._pss)

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._cert

    @property
    def chain(self) -> tuple[asn1_x509.Certificate, ...]:
        return self._chain

    @abstractmethod
    def signer(self) -> Signer: ...

    def close(self) -> None:  # noqa: B027 - only a token session has something to release
        """Release what the source holds (a token session); a no-op for files."""

    def __enter__(self) -> KeySource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _LoadedKeySigner(Signer):
    """pyHanko's ``SimpleSigner`` re-parses its key on every call; this one keeps the parsed key."""

    def __init__(self, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, cert: asn1_x509.Certificate,
                 registry: SimpleCertificateStore, pss: bool) -> None:
        self._key = key
        self._fixed: dict[tuple[str, str, bool], bytes] = {}
        super().__init__(signing_cert=cert, cert_registry=registry, embed_roots=EMBED_ROOTS,
                         signature_mechanism=fixedattrs.encoded(algorithms.mechanism(cert, algorithms.DIGEST, pss)))

    def _signed_attr_providers(self, data_digest: bytes, digest_algorithm: str, *args: Any,
                               **kwargs: Any) -> list[CMSAttributeProvider]:
        return fixedattrs.kept(super()._signed_attr_providers(data_digest, digest_algorithm, *args, **kwargs),
                               self._fixed, digest_algorithm)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey):
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mechanism["algorithm"].native == "rsassa_pss":
                pss_padding, pss_hash = process_pss_params(mechanism["parameters"])
                return self._key.sign(data, pss_padding, pss_hash)
            return self._key.sign(data, padding.PKCS1v15(), hash_algorithm)
        return self._key.sign(data, ec.ECDSA(hash_algorithm))


def _registry(chain: Sequence[asn1_x509.Certificate]) -> SimpleCertificateStore:
    return SimpleCertificateStore.from_certs(chain)


class Pkcs12Key(KeySource):
    """A key and certificate in a PKCS#12 (.p12/.pfx) file protected by a password."""

    def __init__(self, data: bytes, password: str, *, pss: bool = True) -> None:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode())
        except ValueError as err:
            raise WrongSecret("Mật khẩu của tệp chứng thư số (PKCS#12) không đúng hoặc tệp bị hỏng.") from err
        if key is None or cert is None:
            raise KeyUnavailable("Tệp PKCS#12 không chứa khóa bí mật và chứng thư số của người ký.")
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise KeyUnavailable("Chỉ hỗ trợ khóa RSA hoặc ECDSA.")
        super().__init__(to_asn1(cert), extra, pss=pss)
        self._signer = _LoadedKeySigner(key, self._cert, _registry(self._chain), pss)

    @classmethod
    def from_file(cls, path: Path, password: str, *, pss: bool = True) -> Pkcs12Key:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise KeyUnavailable(f"Không đọc được tệp chứng thư số {path}.") from err
        return cls(data, password, pss=pss)

    def signer(self) -> Signer:
        return self._signer


def open_token(module: Path, token_label: str, pin: str | None) -> Any:
    """A PKCS#11 session, logged in unless ``pin`` is None; Vietnamese errors for a wrong PIN or no token."""
    try:
        return open_pkcs11_session(str(module), token_criteria=TokenCriteria(label=token_label), user_pin=pin)
    except pkcs11.PinIncorrect as err:
        raise WrongSecret("Mã PIN của thiết bị ký số không đúng.") from err
    except pkcs11.PinLocked as err:
        raise WrongSecret("Thiết bị ký số đã bị khóa vì nhập sai mã PIN quá số lần cho phép.") from err
    except pkcs11.PinLenRange as err:
        raise WrongSecret("Mã PIN của thiết bị ký số không đúng (sai độ dài).") from err
    except (PyhankoSigningError, pkcs11.PKCS11Error, RuntimeError, OSError) as err:
        raise KeyUnavailable(f"Không tìm thấy thiết bị ký số “{token_label}”: hãy cắm thiết bị và thử lại.") from err


class Pkcs11Key(KeySource):
    """A key on a PKCS#11 token (a USB token, an HSM, SoftHSM in tests), unlocked by its PIN.

    ``chain`` gives the CA certificates to embed when the token holds only the signer's own.
    """

    def __init__(self, module: Path, token_label: str, key_label: str, pin: str,
                 chain: Sequence[x509.Certificate | bytes] = (), *, pss: bool = True) -> None:
        self._session = open_token(module, token_label, pin)
        try:
            probe = PKCS11Signer(self._session, key_label=key_label)
            cert = probe.signing_cert
        except (PyhankoSigningError, pkcs11.PKCS11Error) as err:
            self._session.close()
            raise KeyUnavailable(f"Thiết bị ký số không có khóa “{key_label}” kèm chứng thư số.") from err
        assert cert is not None
        super().__init__(cert, chain, pss=pss)
        # SoftHSM (and some tokens) lack ECDSA-with-SHA256: hash here and let the token sign raw.
        self._signer = PKCS11Signer(self._session, key_label=key_label, signing_cert=cert,
                                    ca_chain=list(self._chain), use_raw_mechanism=cert.public_key.algorithm == "ec",
                                    embed_roots=EMBED_ROOTS,
                                    signature_mechanism=algorithms.mechanism(cert, algorithms.DIGEST, pss))

    def signer(self) -> Signer:
        return self._signer

    def close(self) -> None:
        self._session.close()


class ExternalKey(KeySource):
    """The split path: only the certificate is here; the holder's token signs elsewhere.

    Its signer puts a placeholder where the signature value will go, or the value once known.
    """

    def __init__(self, certificate: x509.Certificate | bytes, chain: Sequence[x509.Certificate | bytes] = (), *,
                 pss: bool = True) -> None:
        super().__init__(to_asn1(certificate), chain, pss=pss)

    def signer(self, signature: bytes | None = None) -> ExternalSigner:
        return ExternalSigner(self._cert, _registry(self._chain), signature_value=signature, embed_roots=EMBED_ROOTS,
                              signature_mechanism=self.signature_mechanism())
