"""Digital signatures (PAdES) as Decree 30/2020 wants them. Free of Flask, like ``engine``.

- ``keys``: where a key lives (PKCS#12 file, PKCS#11 token, or the holder's own token for split signing)
- ``draft``: prepare a draft once (fields for both signatures, number and date); the clerk's number and date
- ``pdfsign``: the leader's, the agency's and the attachment's signatures; ``appearance`` draws them
- ``split``: prepare the bytes to sign on the server, embed what the holder's token returned
- ``agent``: the local signing agent on 127.0.0.1 (``qlvb sign-agent``)
- ``verify``: validation with Vietnamese reasons, at the time a time-stamp proves (``timing``);
  ``report``: the seven fields of Circular 15/2025 Art. 6; ``pdfsig``: poppler's second opinion
- ``algorithms``: RSASSA-PSS, ECDSA, no SHA-1 nor RSA < 2048 (Circular 15/2025 Appendix I)
- ``revocation``: the certificate's status before signing (OCSP, then CRL); ``longterm``: B-T,
  B-LT, B-LTA (time-stamps, revocation data in the DSS, archive time-stamps)
- ``pki``, ``images``, ``softhsm``: a demo PKI, signature and seal images, a SoftHSM token for tests;
  ``testca``: a test CA with OCSP, CRL and TSA on 127.0.0.1
- ``fastparse``, ``fastcms``, ``fasthistory``: pyHanko reads hex strings and names at once, matches
  certificates cheaply first, and walks revisions without a call per number (same results, faster)
"""

from pyhanko.version import __version__ as _pyhanko_version

from . import fastcms, fasthistory, fastparse

# The pyHanko version the three were checked against, step for step (setup.cfg pins it); on
# another one pyHanko runs as it is, and their tests' installed() checks fail so that someone
# checks them again. Installed for the whole package: signing reads earlier signatures too.
PYHANKO_CHECKED = "0.38.0"
if _pyhanko_version == PYHANKO_CHECKED:
    fastparse.install()
    fastcms.install()
    fasthistory.install()
