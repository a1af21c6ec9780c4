"""A faster match of a certificate against a CMS issuer-and-serial-number, for pyHanko.

pyHanko 0.38's ``match_issuer_serial`` compares the issuer names before the serial numbers, with
asn1crypto's RFC 5280 name comparison (Unicode string preparation of every attribute, ~1 ms for
a Vietnamese name) whenever the two encodings differ. They always differ in a ``signing
certificate`` attribute (ESS), whose issuer is an explicitly tagged ``GeneralName`` compared with
its tag; and they differ for every certificate of the signature that is not the signer's (the
CA's, issued by another name) when pyHanko looks for the signer's. Measured on 2026-12-04, that
was ~20% of validating an issued document.

This match asks the cheap questions first: a different serial number cannot match (pyHanko
requires both to match), and the same name encoding, once the ESS tag is taken off, is the same
name. Every other case goes to pyHanko's own function, so what matches is what pyHanko matches.
It replaces ``pyhanko.sign.general.match_issuer_serial``, which ``general`` looks up at each call
(to find the signer's certificate and in ``check_ess_certid``); only on the pyHanko version it was
checked against.
"""

from __future__ import annotations

from asn1crypto import cms, tsp, x509
from pyhanko.sign import general

_pyhanko_match = general.match_issuer_serial


def match_issuer_serial(expected_issuer_serial: cms.IssuerAndSerialNumber | tsp.IssuerSerial,
                        cert: x509.Certificate) -> bool:
    """Whether ``cert`` is the certificate that ``expected_issuer_serial`` identifies, as pyHanko
    answers (same parameters as pyHanko's)."""
    expected = expected_issuer_serial
    if expected["serial_number"] != cert["tbs_certificate"]["serial_number"]:
        return False
    issuer = expected["issuer"]
    if isinstance(issuer, x509.GeneralNames) and len(issuer) == 1 and issuer[0].name == "directory_name":
        issuer = issuer[0].chosen.untag()
    if isinstance(issuer, x509.Name) and issuer.dump() == cert.issuer.dump():
        return True
    return _pyhanko_match(expected, cert)


def install() -> None:
    """Make pyHanko use :func:`match_issuer_serial` (``signing`` does, on the pyHanko version it
    was checked against). Idempotent."""
    general.match_issuer_serial = match_issuer_serial


def installed() -> bool:
    return general.match_issuer_serial is match_issuer_serial
