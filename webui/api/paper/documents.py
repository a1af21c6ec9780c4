"""Documents in the JSON API: entering them in the registers, their files."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask import Blueprint, Response, jsonify
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.documents import documents
from engine.documents.storage import FileStore
from engine.models import User
from engine.office import desk, queries
from engine.registry import intake, placement
from engine.signatures import signatures, verification
from webui.api.util import authed, current_user
from webui.common import downloads, exports
from webui.common.context import platform, signing_desk, transaction, write_by
from webui.contract.route import api_route
from webui.contract.shapes import Body, Code, Files, Form, Items, Query, Text

bp = Blueprint("documents", __name__, url_prefix="/api/v1/documents")

NEEDS = ("Chưa cấp số: chữ ký số không hợp lệ hoặc văn bản có thể trùng; trả lời 409 kèm signature_status, "
         "signature_reasons, duplicates và needs (note, confirm_duplicates), chờ quyết định của văn thư")


class Decision(Body):
    """The clerk's decision on what the intake checks found."""

    note: Text | None = Field(None, description="ghi chú: bắt buộc khi chữ ký số không hợp lệ")
    confirm_duplicates: bool | None = Field(None, description="vẫn vào sổ dù có thể trùng văn bản đã vào sổ")


class Entry(Decision):
    messages: ClassVar[dict[str, Any]] = {"direction": _l("Chọn incoming hoặc outgoing.")}
    direction: Literal["incoming", "outgoing"]
    agency: Code | None = None
    register_now: bool = Field(True, alias="register")
    backfilled: bool | None = Field(None, description="entered after an outage, with its real date")
    data: dict[str, Any] = Field(description="Decree 30 Appendix VI metadata")


class Reason(Body):
    summary: ClassVar[Any] = _l("Cần nêu lý do.")
    reason: Text


class Successor(Reason):
    messages: ClassVar[dict[str, Any]] = {"kind": _l("Chọn correct (đính chính) hoặc replace (thay thế).")}
    kind: Literal["correct", "replace"]


class Upload(Form):
    file: Files
    role: Literal["main", "appendix"] = "main"


Point = Annotated[float, Field(ge=-100_000, le=100_000)]
Box = Annotated[list[Point], Field(min_length=4, max_length=4, description="x1, y1, x2, y2 (điểm PDF)")]


class Placement(Body):
    summary: ClassVar[Any] = _l("Vị trí số và ngày không hợp lệ.")
    messages: ClassVar[dict[str, Any]] = dict.fromkeys(("number", "date"), _l("Cần 4 số: x1, y1, x2, y2 (điểm PDF)."))
    number: Box
    date: Box


class Document(BaseModel):
    """Decree 30 Appendix VI fields, files, recipients."""

    model_config = {"extra": "allow"}
    id: int


class Registered(BaseModel):
    document: Document
    duplicates: list[dict[str, Any]]
    intake: dict[str, Any]


class Stored(BaseModel):
    id: int
    sha256: str
    size: int
    role: str


def _store() -> FileStore:
    return FileStore(platform().settings.files_dir)


def _keys() -> signatures.Keys:
    return signing_desk(signatures.Credentials()).keys


@api_route(bp, "", "POST", "Vào sổ: văn bản đến (đăng ký ngay hoặc sau bút phê), văn bản mật, văn bản nhập bù",
           description=NEEDS, body=Entry, response=Registered, status=201, errors=(401, 403, 409))
def enter(body: Entry) -> Any:
    """Vào sổ: register an incoming document, or a secret entry (metadata only)."""
    given = body.model_dump(by_alias=True, exclude_unset=True)

    def action(session: Session, user: User, now: datetime) -> Any:
        doc, found = desk.enter(session, user, given, now)
        return {"document": documents.view(doc), "duplicates": found.get("duplicates", []), "intake": found}

    return authed(True, action, 201)


@api_route(bp, "/<int:document_id>/register", "POST",
           "Vào sổ văn bản đến đã nhận (chữ ký số của tệp chính được kiểm tra trước khi cấp số)", description=NEEDS,
           body=Decision, response=Registered, errors=(401, 403, 404, 409))
def register(document_id: int, body: Decision) -> Any:
    """Vào sổ a received document: its PDF's signatures are verified first (outside the
    transaction); an invalid signature needs ``note``, a possible duplicate
    ``confirm_duplicates``, else 409 with what was found and nothing numbered."""
    given = body.model_dump(by_alias=True, exclude_unset=True)
    with transaction(False) as (session, now):
        sha = desk.main_file(session, current_user(session, now), document_id)
    check = intake.check_file(_store(), _keys(), sha, platform().clock.now()) if sha else None

    def action(session: Session, user: User, now: datetime) -> Any:
        doc, found = desk.register(session, user, document_id, given, check, _store(), _keys(), now)
        return {"document": documents.view(doc), "duplicates": found["duplicates"], "intake": found}

    return authed(True, action)


@api_route(bp, "/<int:document_id>/refuse", "POST", "Từ chối tiếp nhận văn bản đến, nêu lý do (không cấp số)",
           body=Reason, response=Document, errors=(401, 403, 404, 409))
def refuse(document_id: int, body: Reason) -> Any:
    """Từ chối tiếp nhận a received document, with a reason; it is never numbered."""
    return authed(True, lambda s, u, now: documents.view(desk.refuse(s, u, document_id, body.reason, now)))


@api_route(bp, "/<int:document_id>", "GET", "Chi tiết văn bản", response=Document, errors=(401, 403, 404))
def get(document_id: int) -> Any:
    """One document with its metadata, files and recipients."""
    return authed(False, lambda s, u, now: desk.get(s, u, document_id, now))


@api_route(bp, "/<int:document_id>/recall", "POST", "Thu hồi văn bản đã phát hành", body=Reason,
           response=Document, errors=(401, 403, 404, 409))
def recall(document_id: int, body: Reason) -> Any:
    """Thu hồi an issued document, with a reason."""
    return authed(True, lambda s, u, now: documents.view(desk.recall(s, u, document_id, body.reason, now)))


@api_route(bp, "/<int:document_id>/void", "POST", "Hủy văn bản trong sổ, nêu lý do (số vẫn giữ, sổ in ĐÃ HỦY)",
           body=Reason, response=Document, errors=(401, 403, 404, 409))
def void(document_id: int, body: Reason) -> Any:
    """Hủy a register entry, with a reason: its number stays used, printed as void."""
    return authed(True, lambda s, u, now: documents.view(desk.void(s, u, document_id, body.reason, now)))


@api_route(bp, "/<int:document_id>/successor", "POST",
           "Đính chính hoặc thay thế văn bản đã phát hành: dự thảo mới qua quy trình văn bản đi", body=Successor,
           status=201, errors=(401, 403, 404, 409))
def successor(document_id: int, body: Successor) -> Any:
    """Đính chính (``kind`` correct) or thay thế (replace) an issued document, with a reason:
    a new draft in the outgoing procedure, linked to it; the old one is frozen when the new
    one is issued."""
    def action(session: Session, user: User, now: datetime) -> Any:
        case = desk.successor(session, user, document_id, body.kind, body.reason, now)
        return queries.case_view(session, case)

    return authed(True, action, 201)


@api_route(bp, "/<int:document_id>/tree", "GET", "Cây công việc của văn bản", response=Items,
           errors=(401, 403, 404))
def tree(document_id: int) -> Any:
    """Cây công việc: who handed the document to whom, with deadlines, notes and outcomes."""
    return authed(False, lambda s, u, now: {"items": desk.work_tree(s, u, document_id, now)})


@api_route(bp, "/<int:document_id>/versions", "GET",
           "Các phiên bản của tệp chính: tải lên, lãnh đạo ký, cơ quan ký (số, ngày), khôi phục", response=Items,
           errors=(401, 403, 404))
def versions(document_id: int) -> Any:
    """The main file's versions in order: upload, approval_signature, leader_signature, agency_signature,
    attachment_stamp, restored."""
    return authed(False, lambda s, u, now: {"items": desk.file_versions_of(s, u, document_id, now)})


class VerificationQuery(Query):
    format: Literal["json", "pdf"] | None = None


class Verification(BaseModel):
    """Bảy trường bằng tiếng Việt cho mỗi chữ ký (TT 15/2025/TT-BKHCN Đ6), nguồn kiểm tra thu hồi:
    ``files`` là tệp chính rồi từng phụ lục, mỗi tệp với các chữ ký của nó; ``signatures`` là của tệp chính."""

    signatures: list[dict[str, Any]]
    files: list[dict[str, Any]]
    evidence: list[dict[str, Any]]


@api_route(bp, "/<int:document_id>/verification", "GET",
           "Kết quả xác thực chữ ký số của tệp chính và từng phụ lục, xác thực lúc gọi (TT 15/2025/TT-BKHCN Đ6)",
           query=VerificationQuery, response=Verification, media=("application/pdf",), errors=(401, 403, 404))
def verification_report(document_id: int, query: VerificationQuery) -> Any:
    """Kết quả xác thực chữ ký số: every signature of the main file and of each appendix verified
    now, in the seven fields of Circular 15/2025 Art. 6 (``?format=pdf``: the printable page)."""
    with transaction(False) as (session, now):
        found = verification.target(session, _store(), _keys(), current_user(session, now), document_id, now)
    return exports.verification(verification.verify_target(found, now), query.format, now)


@api_route(bp, "/<int:document_id>/printout", "GET",
           "Bản in của văn bản: tệp chính, mỗi trang có chân trang bản in và mã QR tra cứu (NĐ 137/2024 Đ5)",
           media=("application/pdf",), errors=(401, 403, 404, 422))
def printout(document_id: int) -> Any:
    """The document's main file for printing, every page marked with the printout's lookup code."""
    with transaction(False) as (session, now):
        return exports.printout(session, current_user(session, now), document_id, now)


@api_route(bp, "/<int:document_id>/files", "POST", "Tải tệp PDF lên (tệp chính hoặc phụ lục)", form=Upload,
           response=Stored, status=201, errors=(401, 403, 404, 409, 413))
def upload(document_id: int, body: Upload) -> Any:
    """Attach a PDF (multipart field ``file``; ``role`` main or appendix). The token is checked
    once, with who may attach, before the file is read; the writes read the person again by id.
    A received document's new main file has its signatures checked after the write, outside it."""
    upload, role = body.file[0], body.role
    name, stream = ((upload.filename or ""), upload.stream) if upload else ("", None)
    with transaction(False) as (session, now):
        user = current_user(session, now)
        user_id = user.id
        desk.may_attach(session, user, document_id, name, stream, role, now)
    received = desk.receive(_store(), name, stream, role, platform().settings.max_upload_bytes)  # no transaction
    with write_by(user_id) as (session, user, now):
        record = desk.upload(session, user, document_id, received, role, now)
        stored = {"id": record.id, "sha256": record.sha256, "size": record.size, "role": record.role}
        sha = desk.check_wanted(session, document_id)
    if sha is not None:
        check = intake.check_file(_store(), _keys(), sha, platform().clock.now())
        with write_by(user_id) as (session, user, now):
            desk.keep_check(session, user, document_id, check, now)
    return jsonify(stored), 201


@api_route(bp, "/<int:document_id>/files/<int:file_id>", "GET", "Tải tệp PDF về", media=("application/pdf",),
           errors=(401, 403, 404))
def download(document_id: int, file_id: int) -> Any:
    """The stored PDF."""
    with transaction(False) as (session, now):
        path, filename = desk.download(session, _store(), current_user(session, now), document_id, file_id, now)
    return downloads.send(path, filename, "application/pdf")


@api_route(bp, "/<int:document_id>/placement", "PUT",
           "Đặt vị trí số và ngày trên trang 1 của dự thảo (trước khi lãnh đạo ký)", body=Placement,
           errors=(401, 403, 404, 409))
def place(document_id: int, body: Placement) -> Any:
    """Đặt vị trí số và ngày on page 1 of a draft without a "Số:" line, before the leader signs."""
    given = body.model_dump()
    return authed(True, lambda s, u, now: placement.place_boxes(s, u, document_id, given, now))


def _png(render: Any) -> Any:
    with transaction(False) as (session, now):
        return Response(render(session, _store(), current_user(session, now), now), mimetype="image/png")


@api_route(bp, "/<int:document_id>/page-one.png", "GET",
           "Trang 1 của dự thảo, mỗi điểm PDF một điểm ảnh: nơi đặt khung số và ngày", media=("image/png",),
           errors=(401, 403, 404, 409, 422))
def page_one(document_id: int) -> Any:
    """Page 1 of the draft's main file, one pixel per PDF point: where the boxes are placed."""
    return _png(lambda s, store, u, now: placement.page_one(s, store, u, document_id, now))


@api_route(bp, "/<int:document_id>/issue-preview.png", "GET",
           "Xem trước trang 1 với số và ngày sẽ in khi phát hành (văn thư; không lấy số)", media=("image/png",),
           errors=(401, 403, 404, 409, 422))
def issue_preview(document_id: int) -> Any:
    """The clerk's preview of page 1 with the number and date the issue would print (none taken)."""
    return _png(lambda s, store, u, now: placement.issue_preview(s, store, u, document_id, now))
