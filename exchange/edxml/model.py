"""The data of an edXML package (gói tin edXML, QCVN 102:2016/BTTTT), as frozen dataclasses.

Field names follow the standard's elements (``OrganId`` → ``organ_id``); where the standard's
spelling is its own (``Bussiness``), the Python name is plain English (``business``). Dates are
:class:`datetime.date`, timestamps naive :class:`datetime.datetime` in Vietnam time, as the
standard writes them (``yyyy/MM/dd HH:mm:ss``, no zone).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum


@dataclass(frozen=True)
class Organ:
    """An agency (cơ quan, tổ chức) as ``From``/``To`` carry it; ``organ_id`` is its identifier
    code (mã định danh, QĐ 20/2020/QĐ-TTg, e.g. ``000.00.00.H41``)."""

    organ_id: str
    name: str
    in_charge: str = ""  # OrganizationInCharge: cơ quan chủ quản
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class DocumentType:
    """Loại văn bản: the numeric code (the code list is not settled between implementations),
    its detail code and the name as printed (``Công văn``)."""

    code: int
    name: str
    detail: int = 0


@dataclass(frozen=True)
class Signer:
    """Người ký: authority prefix (quyền hạn: ``KT. CHỦ TỊCH``), position (chức vụ), full name."""

    competence: str
    position: str
    full_name: str


@dataclass(frozen=True)
class StaffInfo:
    """The clerk who handled the package (cán bộ xử lý)."""

    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class ResponseFor:
    """The document this one answers (văn bản được phản hồi), or a status package's subject."""

    organ_id: str
    code: str
    promulgation_date: date
    document_id: str


@dataclass(frozen=True)
class TraceHeader:
    """One hop of the package: the agency that handled it and when."""

    organ_id: str
    timestamp: datetime


class BusinessDocType(IntEnum):
    """BussinessDocType (loại nghiệp vụ): what the package does to the document it carries."""

    NEW = 0  # văn bản mới
    RECALL = 1  # thu hồi
    UPDATE = 2  # cập nhật
    REPLACE = 3  # thay thế


@dataclass(frozen=True)
class ReceiverChange:
    """An update (BussinessDocType 2) to the recipients: ``added`` False removes ``organ_id``."""

    organ_id: str
    added: bool


@dataclass(frozen=True)
class UpdateInfo:
    """BussinessDocumentInfo of an update: whether the document's information and its
    recipients change, and the recipients added or removed."""

    document_info: bool = False
    document_receiver: bool = False
    receivers: tuple[ReceiverChange, ...] = ()


@dataclass(frozen=True)
class Replacement:
    """A document this package replaces (BussinessDocType 3) and the agencies that hold it."""

    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Business:
    """Bussiness: the package's business type, its reason, and the documents it acts on.

    ``document_id`` names the document recalled or updated (types 1 and 2); ``replaces``
    lists the documents replaced (type 3)."""

    doc_type: BusinessDocType = BusinessDocType.NEW
    reason: str = ""
    staff: StaffInfo | None = None
    paper: int = 0  # 1: the paper original follows (gửi kèm bản giấy)
    document_id: str = ""
    update: UpdateInfo | None = None
    replaces: tuple[Replacement, ...] = ()


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Attachment:
    """A file carried by the package: the signed PDF (văn bản chính) or an appendix (phụ lục).

    A received ``name`` is the sender's text: use :attr:`safe_name` for anything on disk."""

    content_id: str  # without the ``cid:`` prefix
    name: str
    media_type: str
    data: bytes = field(repr=False)
    description: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def safe_name(self) -> str:
        """The name without any directory part (``/`` or ``\\``) or control character."""
        base = _UNSAFE_NAME.sub("", re.split(r"[/\\]", self.name)[-1]).strip().lstrip(".")
        return base[:200] or "tep-dinh-kem"


@dataclass(frozen=True)
class OtherInfo:
    """OtherInfo: priority (độ khẩn, 0 thường … 4 hỏa tốc hẹn giờ) and the issuing details."""

    priority: int = 0
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int = 0
    page_amount: int = 0
    appendixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Package:
    """A document package (gói tin văn bản, "edoc")."""

    document_id: str
    from_organ: Organ
    to: tuple[Organ, ...]
    code_number: str
    code_notation: str
    promulgation_place: str
    promulgation_date: date
    document_type: DocumentType
    subject: str
    signer: Signer
    content: str = ""
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    other: OtherInfo = OtherInfo()
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: int = 1  # 1 không phải chỉ đạo, 2 chỉ đạo, 3 báo cáo chỉ đạo
    trace_headers: tuple[TraceHeader, ...] = ()
    business: Business = Business()
    attachments: tuple[Attachment, ...] = ()

    @property
    def code(self) -> str:
        """Số và ký hiệu as printed: ``12/UBND-VX``."""
        return f"{self.code_number}/{self.code_notation}" if self.code_notation else self.code_number

    def foreign_document_ids(self) -> tuple[str, ...]:
        """The DocumentIds this package sends, recalls, updates or replaces that are not the
        sender's (QCVN 102: ``{OrganId},{date},{number}`` begins with the issuer's OrganId).
        A sender acts only on its own documents, or it could recall another agency's."""
        prefix = f"{self.from_organ.organ_id},"
        named = (self.document_id, self.business.document_id, *(r.document_id for r in self.business.replaces))
        return tuple(document_id for document_id in named if document_id and not document_id.startswith(prefix))


def document_id_for(organ_id: str, promulgated: date, code: str) -> str:
    """DocumentId = ``{sender OrganId},{yyyy/MM/dd},{number/symbol}`` (QCVN 102)."""
    return f"{organ_id},{promulgated:%Y/%m/%d},{code}"


@dataclass(frozen=True)
class StatusPackage:
    """A status package (gói tin trạng thái) answering the document ``response_for`` names;
    it goes back to that document's sender, ``response_for.organ_id``."""

    response_for: ResponseFor
    from_organ: Organ
    status_code: str  # ``01``..``16``, see :mod:`.status`
    timestamp: datetime
    description: str = ""
    staff: StaffInfo | None = None

    @property
    def document_id(self) -> str:
        return self.response_for.document_id

    @property
    def to_organ_id(self) -> str:
        return self.response_for.organ_id
