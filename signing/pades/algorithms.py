"""The algorithms a signature may use (Circular 15/2025/TT-BKHCN, Appendix I items 1.2–1.3): RSA
of at least 2048 bits signing with RSASSA-PSS (PKCS#1 v2.1), or ECDSA of at least 256 bits; a
SHA-2 or SHA-3 digest, never SHA-1. One place owns the rule: signing refuses what it forbids
(:func:`check_signer`), verification flags it (:func:`problem`).

Signatures made before 2025 with PKCS#1 v1.5 stay readable and valid: the circular governs new
signatures, so v1.5 is named in the report (:func:`describe`) but not refused at verification.
"""

from __future__ import annotations

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko_certvalidator.util import process_pss_params

from signing.errors import SigningError

DIGEST = "sha256"
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
ALLOWED_DIGESTS = frozenset({"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512"})


def _key_problem(cert: asn1_x509.Certificate) -> str | None:
    key = cert.public_key
    if key.algorithm == "rsa" and key.bit_size < MIN_RSA_BITS:
        return f"khóa RSA {key.bit_size} bit, ngắn hơn {MIN_RSA_BITS} bit"
    if key.algorithm == "ec" and key.bit_size < MIN_EC_BITS:
        return f"khóa ECDSA {key.bit_size} bit, ngắn hơn {MIN_EC_BITS} bit"
    if key.algorithm not in ("rsa", "ec"):
        return f"thuật toán khóa {key.algorithm} không được hỗ trợ"
    if cert.hash_algo not in ALLOWED_DIGESTS:
        return f"chứng thư số được ký bằng {cert.hash_algo.upper()}"
    return None


def check_signer(cert: asn1_x509.Certificate, digest: str) -> None:
    """Refuse, before anything is signed, a key or digest the circular does not allow."""
    problem = _key_problem(cert) or (None if digest in ALLOWED_DIGESTS else f"hàm băm {digest.upper()}")
    if problem:
        raise SigningError(f"Không ký được: {problem} không đáp ứng Thông tư 15/2025/TT-BKHCN "
                           "(RSA từ 2048 bit với RSASSA-PSS hoặc ECDSA từ 256 bit, hàm băm SHA-256 trở lên).")


def mechanism(cert: asn1_x509.Certificate, digest: str, pss: bool) -> algos.SignedDigestAlgorithm:
    """What the CMS declares: RSASSA-PSS or PKCS#1 v1.5 for RSA, ECDSA with ``digest`` for EC.

    The PSS salt is as long as the digest, with MGF1 over the same hash (RFC 8017's
    recommendation): the one salt length every token that does PSS supports."""
    if cert.public_key.algorithm == "ec":
        return algos.SignedDigestAlgorithm({"algorithm": f"{digest}_ecdsa"})
    if pss:
        hash_algorithm = algos.DigestAlgorithm({"algorithm": digest})
        params = algos.RSASSAPSSParams({
            "hash_algorithm": hash_algorithm,
            "mask_gen_algorithm": algos.MaskGenAlgorithm({"algorithm": "mgf1", "parameters": hash_algorithm}),
            "salt_length": get_pyca_cryptography_hash(digest).digest_size})
        return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": params})
    return algos.SignedDigestAlgorithm({"algorithm": f"{digest}_rsa"})


def verify_value(cert: x509.Certificate, data: bytes, signature: bytes, declared: algos.SignedDigestAlgorithm,
                 digest: str) -> None:
    """Check a raw signature value over ``data`` as ``declared``; raises InvalidSignature."""
    public_key = cert.public_key()
    hash_algorithm = get_pyca_cryptography_hash(digest)
    if isinstance(public_key, rsa.RSAPublicKey):
        if declared["algorithm"].native == "rsassa_pss":
            pss_padding, pss_hash = process_pss_params(declared["parameters"])
            public_key.verify(signature, data, pss_padding, pss_hash)
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), hash_algorithm)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hash_algorithm))
    else:
        raise SigningError("Chỉ hỗ trợ khóa RSA hoặc ECDSA.")


def _signer_info(signed_data: cms.SignedData) -> cms.SignerInfo:
    return signed_data["signer_infos"][0]


def describe(signed_data: cms.SignedData, cert: asn1_x509.Certificate | None) -> str:
    """The algorithms of a signature as the report names them, e.g. "RSASSA-PSS, SHA-256, RSA 2048 bit"."""
    info = _signer_info(signed_data)
    digest = info["digest_algorithm"]["algorithm"].native.upper().replace("SHA", "SHA-")
    algorithm = info["signature_algorithm"]["algorithm"].native
    scheme = {"rsassa_pss": "RSASSA-PSS"}.get(algorithm, "ECDSA" if "ecdsa" in algorithm else "RSA PKCS#1 v1.5")
    key = f", {'RSA' if cert.public_key.algorithm == 'rsa' else 'EC'} {cert.public_key.bit_size} bit" if cert else ""
    return f"{scheme}, {digest}{key}"


def problem(signed_data: cms.SignedData, cert: asn1_x509.Certificate | None) -> str | None:
    """What a signature uses that the circular forbids (Vietnamese), or None."""
    digest = _signer_info(signed_data)["digest_algorithm"]["algorithm"].native
    found = (_key_problem(cert) if cert is not None else None) or \
        (None if digest in ALLOWED_DIGESTS else f"hàm băm {digest.upper()}")
    return f"Thuật toán không đáp ứng Thông tư 15/2025/TT-BKHCN: {found}." if found else None
