"""Digital signatures (PAdES) as Decree 30/2020 and Circular 15/2025/TT-BKHCN want them. Free of
Flask, like ``engine``. Four rooms:

- ``pdf``: the PDF before and around a signature — ``draft`` (fields, number and date),
  ``placeholders`` (where they go), ``appearance``, ``fonts``, ``images``, ``copies`` (sao y,
  sao lục, trích sao), ``conversion`` (the mark of a paper document's scan)
- ``pades``: signing and verifying — ``pdfsign`` (leader, agency, attachments), ``initials``
  (ký nháy), ``split`` (the holder's token signs bytes the server prepared), ``algorithms``
  (RSASSA-PSS, ECDSA, no SHA-1 nor RSA < 2048), ``revocation`` (OCSP, then CRL), ``longterm``
  (B-T, B-LT, B-LTA), ``verify`` and ``timing`` (judged at the time a time-stamp proves),
  ``report`` (the seven fields of Circular 15/2025 Art. 6), ``pdfsig`` (poppler's second opinion)
- ``keystore``: where keys live — ``keys`` (PKCS#12, PKCS#11, the holder's token), ``agent`` (the
  local sign agent); for tests and demonstrations ``pki``, ``softhsm`` and ``testca`` (OCSP, CRL,
  TSA on 127.0.0.1)
- ``speedups``: ``fastparse``, ``fastcms``, ``fasthistory`` (pyHanko reads hex strings, names and
  arrays of numbers at once, matches certificates cheaply first, walks revisions without a call per number: same
  results, faster), ``fastnames`` (certificate names prepared for comparison once per encoding),
  ``fixedattrs`` (the signed attributes that never change for a signer, encoded once),
  ``revinfo_cache`` (CA-level CRLs and OCSP answers kept within their validity), ``aio``
  (pyHanko's asynchronous signing called from ordinary code) and ``fastcmap`` (pdfminer reads a
  font's ToUnicode map at once)
"""

from pdfminer import __version__ as _pdfminer_version
from pyhanko.version import __version__ as _pyhanko_version

from signing.speedups import fastcmap, fastcms, fasthistory, fastnames, fastparse

# The pyHanko version the three were checked against, step for step (setup.cfg pins it); on
# another one pyHanko runs as it is, and their tests' installed() checks fail so that someone
# checks them again. Installed for the whole package: signing reads earlier signatures too.
PYHANKO_CHECKED = "0.38.0"
# asn1crypto's own comparison, kept per encoding: independent of pyHanko's version
fastnames.install()
if _pyhanko_version == PYHANKO_CHECKED:
    fastparse.install()
    fastcms.install()
    fasthistory.install()
# The pdfminer.six version fastcmap was checked against; on another one pdfminer reads as it is.
PDFMINER_CHECKED = "20260107"
if _pdfminer_version == PDFMINER_CHECKED:
    fastcmap.install()
