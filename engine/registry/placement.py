"""Where an outgoing document's number and date are printed: the agency's place name for the
date line, the boxes a drafter or the clerk places by hand on page 1 of a draft that prints no
"Số:" line, and the pictures of page 1 (to place the boxes on, and the clerk's preview of the
number and date as they will be printed, before the issue takes the number)."""

from __future__ import annotations

import json
import subprocess
import tempfile
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.errors import Conflict, InvalidData, NotFound, Text
from engine.documents import doctypes, documents
from engine.documents.storage import FileStore
from engine.models import Agency, Direction, Document, DocumentFile, DocumentStatus, User
from engine.org import permissions
from engine.registry import registers
from signing.errors import SigningError
from signing.pdf import draft, placeholders
from signing.pdf.appearance import Box

MAX_PLACE = 100
_BOXES = ("number", "date")
_PAGE = (596.0, 842.0)  # A4 (595.28 × 841.89 points), as page 1 is shown to place the boxes on
_MIN_BOX = {"number": (60.0, 12.0), "date": (120.0, 12.0)}  # room for "Số: 05/QĐ-UBND" and a date line


def set_place_name(session: Session, admin: User, agency: Agency, given: Any, now: datetime) -> None:
    """Địa danh of the agency (the start of its date line), set by its administrator; audited."""
    value = unicodedata.normalize("NFC", str(given or "").strip())
    if not value or len(value) > MAX_PLACE or any(unicodedata.category(c).startswith("C") for c in value) \
            or any(c.isdigit() for c in value) or "," in value:
        raise InvalidData("Địa danh không hợp lệ.", {"place_name": Text(
            "Tên địa danh (ví dụ: Bắc Từ Liêm), không có chữ số hay dấu phẩy, tối đa %(n)s ký tự.", n=MAX_PLACE)})
    before, agency.place_name = agency.place_name, value
    audit.append(session, at=now, action="agency_place_name_set", actor_id=admin.id,
                 payload={"agency_id": agency.id, "before": before, "after": value}, agency_id=agency.id)


def _draft(session: Session, user: User, document_id: int, now: datetime) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.")
    permissions.ensure_can_edit_document(session, user, doc, now.astimezone(VIETNAM).date())
    if doc.direction != Direction.OUTGOING or doc.status != DocumentStatus.DRAFT or doc.copy_kind is not None:
        raise Conflict("Chỉ đặt vị trí số và ngày trên dự thảo văn bản đi chưa phát hành.")
    if doc.signatures_json is not None:
        raise Conflict("Lãnh đạo đã ký văn bản: không đổi được vị trí số và ngày nữa.")
    return doc


def _box(name: str, given: Any) -> Box:
    if not isinstance(given, list) or len(given) != 4 or \
            not all(isinstance(v, int | float) and not isinstance(v, bool) for v in given):
        raise InvalidData("Vị trí số và ngày không hợp lệ.", {name: "Cần 4 số: x1, y1, x2, y2 (điểm PDF)."})
    box = Box(*(float(v) for v in given))
    width, height = _MIN_BOX[name]
    if not (0 <= box.x1 and box.x2 <= _PAGE[0] and 0 <= box.y1 and box.y2 <= _PAGE[1]):
        raise InvalidData("Vị trí số và ngày không hợp lệ.", {name: "Khung phải nằm trong trang 1."})
    if box.width < width or box.height < height:
        raise InvalidData("Vị trí số và ngày không hợp lệ.",
                          {name: Text("Khung quá nhỏ: tối thiểu %(width).0f × %(height).0f điểm.",
                                      width=width, height=height)})
    return box


def place_boxes(session: Session, user: User, document_id: int, given: Any, now: datetime) -> dict[str, Any]:
    """Đặt vị trí số và ngày: the two boxes on page 1 of a draft, before the leader signs;
    they are used when the draft is prepared for signing. Audited."""
    doc = _draft(session, user, document_id, now)
    if not isinstance(given, dict):
        raise InvalidData("Vị trí số và ngày không hợp lệ.", {"number": "Bắt buộc.", "date": "Bắt buộc."})
    boxes = {name: _box(name, given.get(name)) for name in _BOXES}
    a, b = boxes["number"], boxes["date"]
    if a.x1 < b.x2 and b.x1 < a.x2 and a.y1 < b.y2 and b.y1 < a.y2:
        raise InvalidData("Vị trí số và ngày không hợp lệ.", {"date": "Khung ngày trùng khung số."})
    main = _main_file(doc)
    stored = {name: [round(v, 1) for v in (box.x1, box.y1, box.x2, box.y2)] for name, box in boxes.items()}
    # kept with the file they were placed on: a new main file needs its own
    doc.placement_json, doc.updated_at = json.dumps({"sha256": main.sha256, **stored}), now
    audit.append(session, at=now, action="number_placement_set", actor_id=user.id,
                 payload={"document": doc.id, "sha256": main.sha256, **stored})
    return {"document": doc.id, **stored}


def _boxes(doc: Document) -> dict[str, list[float]]:
    """The boxes placed on the current main file (none when it was replaced since)."""
    main = next((f for f in doc.files if f.role == "main"), None)
    stored = json.loads(doc.placement_json) if doc.placement_json else {}
    if main is None or stored.get("sha256") != main.sha256:
        return {}
    return {name: stored[name] for name in _BOXES}


def current_boxes(session: Session, store: FileStore, user: User, document_id: int,
                  now: datetime) -> tuple[dict[str, list[float]], bool]:
    """The boxes placed so far on a draft the person may place them on (none: empty), and
    whether the draft prints its own "Số:" and date lines (then boxes are needed only to print
    the number and date elsewhere)."""
    doc = _draft(session, user, document_id, now)
    main = next((f for f in doc.files if f.role == "main"), None)
    own = main is not None and placeholders.find(store.path(main.sha256).read_bytes()) is not None
    return _boxes(doc), own


def symbol_of(session: Session, doc: Document) -> str:
    """The symbol (ký hiệu) the document will be numbered with, which its "Số:" line must print."""
    return documents.outgoing_symbol(session, doc)[1]


def placement_of(doc: Document) -> placeholders.Placement | None:
    """The boxes placed by hand, if any (else the draft's own placeholders are looked for)."""
    stored = _boxes(doc)
    return placeholders.placed(Box(*stored["number"]), Box(*stored["date"])) if stored else None


def _png(pdf: bytes, dpi: int) -> bytes:
    with tempfile.TemporaryDirectory(prefix="qlvb-page-") as folder:
        source = Path(folder, "doc.pdf")
        source.write_bytes(pdf)
        done = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", str(source),
                               str(Path(folder, "page"))], capture_output=True, check=False, timeout=60)
        if done.returncode != 0:
            raise InvalidData("Không hiển thị được trang 1 của tệp PDF.", {"file": "Tệp PDF hỏng."})
        return Path(folder, "page.png").read_bytes()


def _main_file(doc: Document) -> DocumentFile:
    main = next((f for f in doc.files if f.role == "main"), None)
    if main is None:
        raise InvalidData("Văn bản chưa có tệp chính (PDF).", {"file": "Cần tải tệp chính trước."})
    return main


def _main_pdf(store: FileStore, doc: Document) -> bytes:
    return store.path(_main_file(doc).sha256).read_bytes()


def page_one(session: Session, store: FileStore, user: User, document_id: int, now: datetime) -> bytes:
    """Page 1 of the draft's main file as a PNG at 72 dpi (one pixel per point), to place on."""
    return _png(_main_pdf(store, _draft(session, user, document_id, now)), 72)


def next_number_symbol(session: Session, doc: Document, on: date) -> str:
    """The number and symbol the issue WOULD give on ``on``, read without taking it."""
    book_code, symbol = documents.outgoing_symbol(session, doc)
    return doctypes.number_symbol(registers.peek_number(session, registers.book(session, doc.agency_id, book_code).id,
                                                        on.year), symbol)


def issue_preview(session: Session, store: FileStore, user: User, document_id: int, now: datetime) -> bytes:
    """The clerk's preview: page 1 with the number and date filled in as the issue would print
    them (the next number of the book, today, the agency's place name), on a copy; nothing is taken."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.")
    permissions.ensure_clerk(session, user, doc.agency_id)
    if doc.direction != Direction.OUTGOING or doc.status != DocumentStatus.DRAFT:
        raise Conflict("Chỉ xem trước văn bản đi chưa phát hành.")
    today = now.astimezone(VIETNAM).date()
    agency = session.get(Agency, doc.agency_id)
    assert agency is not None
    try:
        filled = draft.filled_fields(_main_pdf(store, doc), next_number_symbol(session, doc, today), today,
                                     agency.place_name)
    except SigningError as err:
        raise InvalidData(err.message, {"file": err.message}) from None
    return _png(filled, 100)
