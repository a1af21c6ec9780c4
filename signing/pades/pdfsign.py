"""The three signatures of an issued document under Decree 30: the leader's, the agency's over
it, and the clerk's on each attachment; signed here with a key the server can use.

Each step is a :class:`Step` (which field, what it shows, what must already be there), so the
same step can be signed here (:func:`sign`) or split between the server and the holder's own
token (:mod:`signing.pades.split`).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pkcs11
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, Signer
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from signing.errors import DocumentRejected, SigningError
from signing.keystore.keys import KeySource
from signing.pades import algorithms
from signing.pdf import appearance
from signing.pdf.appearance import DrawingStyle, attachment_box, nfc
from signing.pdf.draft import (
    AGENCY_FIELD,
    ATTACHMENT_FIELD,
    LEADER_FIELD,
    Numbering,
    fill_into,
    number_filled,
    qpdf_rewrite,
    read,
    signed_fields,
)
from signing.speedups import aio

DIGEST = algorithms.DIGEST
# Beyond the certificates and the signature value, the CMS container holds the signed attributes
# and the algorithm identifiers (~450 bytes) and the issuer's name twice (the signer's identifier
# and its certificate reference); the rest is margin.
_CMS_OVERHEAD = 640
# A signature time-stamp token (RFC 3161) rides in the CMS as an unsigned attribute: the TSA's
# certificate and its CA's (~2.5 KB for RSA-2048 ones) and the token's own signed data; as hex.
TIMESTAMP_RESERVE = 2 * 8192


def bytes_reserved(signer: Signer) -> int:
    """Room for the CMS container, as hex: computed from the certificates it will carry, so that
    pyHanko skips its size-estimating dry run (a second signature) and so that validators do not
    parse kilobytes of padding (pyHanko reads the hex string a byte at a time)."""
    cert = signer.signing_cert
    assert cert is not None
    chain = [c for c in signer.cert_registry if signer.embed_roots or c.self_signed == "no"]  # "maybe": a root
    der = sum(len(c.dump()) for c in [cert, *chain])
    size = cert.public_key.byte_size
    signature = size + 16 if cert.public_key.algorithm == "rsa" else 2 * size + 16  # ECDSA: a DER pair (r, s)
    overhead = signature + 2 * len(cert.issuer.dump()) + _CMS_OVERHEAD
    return -(-2 * (der + overhead) // 256) * 256


@dataclass(frozen=True)
class Step:
    """One signature: the field it fills (made now if ``new_field`` is given), its appearance,
    the reason recorded in the signature, and a check of the document before signing."""

    field: str
    style: DrawingStyle
    reason: str
    when: datetime
    check: Callable[[PdfFileReader], None]
    new_field: SigFieldSpec | None = None
    rewrite: bool = False  # qpdf-rewrite first (an unsigned attachment straight from Word)
    # what the signature's own revision fills in before it is signed (the clerk's number and date)
    numbering: Numbering | None = None


def _now(when: datetime | None) -> datetime:
    return when if when is not None else datetime.now(UTC)


def _require_empty(field: str, missing: str, done: str) -> Callable[[PdfFileReader], None]:
    def check(reader: PdfFileReader) -> None:
        fields = signed_fields(reader)
        if field not in fields:
            raise DocumentRejected(missing)
        if fields[field]:
            raise DocumentRejected(done)
    return check


def leader_step(signer_name: str, position: str, agency: str, image: bytes, when: datetime | None = None) -> Step:
    moment = _now(when)
    return Step(LEADER_FIELD, appearance.leader_style(signer_name, position, agency, image, moment),
                "Người có thẩm quyền ký ban hành", moment,
                _require_empty(LEADER_FIELD, "Văn bản chưa được chuẩn bị để ký (chưa có ô chữ ký của lãnh đạo).",
                               "Lãnh đạo đã ký văn bản này."))


def agency_step(agency: str, seal: bytes, when: datetime | None = None, numbering: Numbering | None = None) -> Step:
    """The agency's signature over the leader's; with ``numbering``, the number and date filled in
    the same revision (else they must be filled already)."""
    moment = _now(when)
    empty = _require_empty(AGENCY_FIELD, "Văn bản chưa được chuẩn bị để ký (chưa có ô chữ ký của cơ quan).",
                           "Cơ quan đã ký số văn bản này.")

    def check(reader: PdfFileReader) -> None:
        empty(reader)
        if not signed_fields(reader).get(LEADER_FIELD):
            raise DocumentRejected("Chỉ ký số của cơ quan lên văn bản đã có chữ ký số của người có thẩm quyền.")
        if numbering is None and not number_filled(reader):
            raise DocumentRejected("Văn bản chưa được cấp số, ký hiệu và ngày tháng.")

    return Step(AGENCY_FIELD, appearance.seal_style(seal), f"Ký số của cơ quan: {nfc(agency)}", moment, check,
                numbering=numbering)


def attachment_step(reader: PdfFileReader, number_symbol: str, when: datetime | None = None) -> Step:
    """The clerk's signature on an attachment file: a new field at the top right of page 1."""
    moment = _now(when)
    page_ref, _ = reader.find_page_for_modification(0)
    media = find_inherited_value_in_tree(page_ref.get_object(), "/MediaBox", "/Parent") or [0, 0, 595, 842]
    x1, y1, x2, y2 = (float(v) for v in media)
    rect = attachment_box(x2 - x1, y2 - y1).shifted(x1, y1)

    def check(reader: PdfFileReader) -> None:
        if signed_fields(reader).get(ATTACHMENT_FIELD):
            raise DocumentRejected("Văn thư đã ký số tệp đính kèm này.")

    return Step(ATTACHMENT_FIELD, appearance.attachment_style(number_symbol, moment),
                f"Văn thư ký số tệp đính kèm văn bản {nfc(number_symbol)}", moment, check,
                new_field=SigFieldSpec(ATTACHMENT_FIELD, on_page=0, box=rect.as_tuple()),
                rewrite=not signed_fields(reader))


@dataclass
class Prepared:
    """A document in its final pre-signing state: the output with room for the signature, where
    that room is, and the digest of everything around it."""

    output: io.BytesIO
    digest: PreparedByteRangeDigest
    tbs: PdfTBSDocument


def prepare(pdf: bytes, step: Step, signer: Signer, timestamper: TimeStamper | None = None) -> Prepared:
    """Check the document for ``step``, draw the appearance and reserve the signature's room
    (with room for a signature time-stamp when ``timestamper`` is given: PAdES B-T)."""
    if step.rewrite:
        pdf = qpdf_rewrite(pdf)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    except (PdfError, ValueError) as err:
        raise DocumentRejected("Tệp không phải là PDF hợp lệ.") from err
    step.check(writer.prev)
    if step.numbering is not None:
        fill_into(writer, step.numbering)
    meta = PdfSignatureMetadata(field_name=step.field, md_algorithm=DIGEST, subfilter=SigSeedSubFilter.PADES,
                                reason=step.reason)
    pdf_signer = PdfSigner(meta, signer, stamp_style=step.style, new_field_spec=step.new_field, timestamper=timestamper)
    try:
        session = pdf_signer.init_signing_session(writer, existing_fields_only=step.new_field is None)
    except PyhankoSigningError as err:
        raise DocumentRejected(f"Không ký được văn bản: {err}") from err
    # pyHanko takes the signing time from the clock of the moment; the step fixed it already,
    # so that the appearance, the signature dictionary and the signed attributes agree.
    session.system_time = step.when
    reserved = bytes_reserved(signer) + (TIMESTAMP_RESERVE if timestamper is not None else 0)
    tbs = session.prepare_tbs_document(validation_info=None, bytes_reserved=reserved)
    digest, output = tbs.digest_tbs_document()
    assert isinstance(output, io.BytesIO)
    return Prepared(output, digest, tbs)


async def sign_async(pdf: bytes, step: Step, key: KeySource, timestamper: TimeStamper | None = None) -> bytes:
    """:func:`sign`, for callers already in a coroutine."""
    return (await signed_async(pdf, step, key, timestamper))[0]


async def signed_async(pdf: bytes, step: Step, key: KeySource,
                       timestamper: TimeStamper | None = None) -> tuple[bytes, bytes]:
    """:func:`sign_async`'s PDF and the CMS signature it holds (DER), for what is added over it
    (signing.pades.longterm: the DSS) without reading the PDF back to find it."""
    algorithms.check_signer(key.certificate, DIGEST)
    prepared = prepare(pdf, step, key.signer(), timestamper)
    attrs = PdfCMSSignedAttributes(signing_time=step.when)
    try:
        done = await prepared.tbs.perform_signature(prepared.digest.document_digest, attrs)
    except (PyhankoSigningError, pkcs11.PKCS11Error) as err:  # e.g. the token was pulled out meanwhile
        raise SigningError(f"Thiết bị ký số không ký được: {err}") from err
    except TimestampRequestError as err:
        raise SigningError("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA) của cơ quan: "
                           "hãy thử lại sau.") from err
    return prepared.output.getvalue(), done.sig_contents


def sign(pdf: bytes, step: Step, key: KeySource, timestamper: TimeStamper | None = None) -> bytes:
    """``pdf`` with the signature of ``step`` by ``key``, as an incremental update; with a
    signature time-stamp from ``timestamper`` when given (PAdES B-T)."""
    return aio.run(sign_async(pdf, step, key, timestamper))


def sign_leader(pdf: bytes, key: KeySource, signer_name: str, position: str, agency: str, image: bytes,
                when: datetime | None = None) -> bytes:
    """The leader's signature on a prepared draft: position, handwritten signature image, full
    name, and "Ký bởi / Cơ quan / Thời gian ký"."""
    return sign(pdf, leader_step(signer_name, position, agency, image, when), key)


def sign_agency(pdf: bytes, key: KeySource, agency: str, seal: bytes, when: datetime | None = None) -> bytes:
    """The agency's signature, applied by the clerk once the leader has signed and the number and
    date are filled: the red seal over the left third of the leader's signature image."""
    return sign(pdf, agency_step(agency, seal, when), key)


def sign_attachment(pdf: bytes, key: KeySource, number_symbol: str, when: datetime | None = None) -> bytes:
    """The clerk's signature on an attachment file: number and symbol and the signing time at the
    top right of page 1, no image."""
    return sign(pdf, attachment_step(read(pdf), number_symbol, when), key)
