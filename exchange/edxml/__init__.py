"""edXML packages (gói tin edXML, QCVN 102:2016/BTTTT and its 2022 amendment).

``build(package, signer)`` writes a document package, ``parse(data, trust=...)`` reads one
back, refusing anything doubtful with :class:`PackageRefused` (status 02 and a Vietnamese
reason); ``build_status``/``parse_status`` do the same for status packages (01..16).
"""

from .build import build, build_status
from .digest import content_digest
from .dsig import XmlKey
from .errors import REFUSED, PackageRefused, Reason
from .model import (
    Attachment,
    Business,
    BusinessDocType,
    DocumentType,
    Organ,
    OtherInfo,
    Package,
    ReceiverChange,
    Replacement,
    ResponseFor,
    Signer,
    StaffInfo,
    StatusPackage,
    TraceHeader,
    UpdateInfo,
    document_id_for,
)
from .parse import Trust, parse, parse_any, parse_status
from .safexml import DEFAULT_LIMITS, DEFAULT_MAX_BYTES, Limits, read_limited
from .status import Status

__all__ = [
    "DEFAULT_LIMITS", "DEFAULT_MAX_BYTES", "REFUSED", "Attachment", "Business", "BusinessDocType", "DocumentType",
    "Limits", "Organ", "OtherInfo", "Package", "PackageRefused", "Reason", "ReceiverChange", "Replacement",
    "ResponseFor", "Signer", "StaffInfo", "Status", "StatusPackage", "TraceHeader", "Trust", "UpdateInfo", "XmlKey",
    "build", "build_status", "content_digest", "document_id_for", "parse", "parse_any", "parse_status", "read_limited",
]
