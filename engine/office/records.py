"""Hồ sơ: an agency's record catalogue per year and people's personal records (Decree 30
Appendix VI; Quảng Ngãi regulation Art. 8). A document sits in as many records as it
belongs to without being copied; a record lists its documents in date order and exports
as XML of its metadata (and as one printed PDF, engine.office.record_pdf). Records are
flagged 30 days before their archiving deadline (one year after the work they record
ended, Decree 30 Art. 30). A record's retention is its agency's retention table item's term
(engine.archives.table.retention_for)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from lxml import etree
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.archives import table
from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound, Text
from engine.documents import doctypes
from engine.models import Agency, Document, Record, RecordDocument, RetentionItem, Unit, User, UserPosition
from engine.office.people import people
from engine.org import permissions
from engine.reporting.exports import Export

NOTICE = timedelta(days=30)
ACCESS = ["Công khai", "Hạn chế"]
_NOTATION = re.compile(r"^[0-9A-Za-zĐđ.\-]{1,20}$")
COVER_COLUMNS = [("STT", 12), ("Số, ký hiệu văn bản", 32), ("Ngày tháng văn bản", 24), ("Tác giả văn bản", 50),
                 ("Trích yếu nội dung văn bản", 107), ("Tờ số", 20), ("Ghi chú", 32)]


def _today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


def agency_of(session: Session, user: User) -> Agency:
    agency = session.scalars(select(Agency).join(Unit, Unit.agency_id == Agency.id)
                             .join(UserPosition, UserPosition.unit_id == Unit.id)
                             .where(UserPosition.user_id == user.id).order_by(UserPosition.id)).first()
    if agency is None:
        raise Forbidden("Bạn chưa thuộc cơ quan nào.")
    return agency


def create(session: Session, user: User, given: dict[str, Any], now: datetime) -> Record:
    problems = {}
    notation, title = given.get("notation"), given.get("title")
    if not isinstance(notation, str) or not _NOTATION.match(notation):
        problems["notation"] = "Ký hiệu hồ sơ: chữ, số, dấu chấm hoặc gạch ngang, tối đa 20 ký tự."
    if not isinstance(title, str) or not 3 <= len(title.strip()) <= 500:
        problems["title"] = "Tiêu đề hồ sơ từ 3 đến 500 ký tự."
    if given.get("access", "Hạn chế") not in ACCESS:
        problems["access"] = "Chọn Công khai hoặc Hạn chế."
    year = given.get("year", _today(now).year)
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        problems["year"] = "Năm không hợp lệ."
    agency = agency_of(session, user)
    try:
        retention, item_id = table.retention_for(session, agency.id, given)
    except InvalidData as refused:
        problems.update(refused.fields)
    if problems:
        raise InvalidData("Thông tin hồ sơ chưa hợp lệ.", problems)
    record = Record(agency_id=agency.id, year=year, notation=notation, title=str(title).strip(),
                    retention=retention, retention_item_id=item_id, access=given.get("access", "Hạn chế"),
                    owner_id=user.id,
                    personal=given.get("personal") is True, description=given.get("description"), created_at=now)
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        raise Conflict(Text("Hồ sơ ký hiệu %(notation)s năm %(year)s đã có.", notation=notation, year=year)) from None
    audit.append(session, at=now, action="record_created", actor_id=user.id,
                 payload={"record": record.id, "code": code(session, record), "personal": record.personal})
    return record


def code(session: Session, record: Record) -> str:
    """Mã hồ sơ: ``{agency identifier}.{year}.{notation}``."""
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    return f"{agency.identifier_code}.{record.year}.{record.notation}"


def _visible(session: Session, user: User, record: Record) -> bool:
    if record.owner_id == user.id:
        return True
    if record.personal:
        return False
    positions = permissions.positions_in(session, user, record.agency_id)
    return bool(positions & permissions.REGISTER_KEEPERS) or (bool(positions) and record.access == "Công khai")


def visible_record(session: Session, user: User, record_id: int, edit: bool = False) -> Record:
    record = session.get(Record, record_id)
    if record is None or not _visible(session, user, record):
        # A personal record of someone else is not even said to exist.
        raise NotFound("Không tìm thấy hồ sơ.")
    if edit and record.owner_id != user.id:
        raise Forbidden("Chỉ người lập hồ sơ được thay đổi hồ sơ.")
    return record


def add_document(session: Session, user: User, record_id: int, document_id: Any, now: datetime) -> None:
    record = visible_record(session, user, record_id, edit=True)
    doc = session.get(Document, document_id) if isinstance(document_id, int) else None
    if doc is None:
        raise InvalidData("Văn bản không tồn tại.", {"document_id": "Không có văn bản này."})
    permissions.ensure_can_view_document(session, user, doc, _today(now))
    if doc.agency_id != record.agency_id:
        raise InvalidData("Chỉ đưa vào hồ sơ văn bản của cơ quan mình.", {"document_id": "Văn bản cơ quan khác."})
    if session.get(RecordDocument, (record.id, doc.id)) is not None:
        raise Conflict("Văn bản đã có trong hồ sơ.")
    session.add(RecordDocument(record_id=record.id, document_id=doc.id, added_by=user.id, added_at=now))
    audit.append(session, at=now, action="record_document_added", actor_id=user.id,
                 payload={"record": record.id, "document": doc.id})


def addable(session: Session, user: User, record_id: int, now: datetime, limit: int = 50) -> list[dict[str, Any]]:
    """The latest documents I may see of the record's agency that are not in it yet: the
    choices offered by the page's "add a document" form (its owner's only)."""
    record = visible_record(session, user, record_id, edit=True)
    inside = select(RecordDocument.document_id).where(RecordDocument.record_id == record.id)
    rows = session.scalars(
        select(Document).where(Document.agency_id == record.agency_id, Document.id.not_in(inside),
                               permissions.document_visibility(session, user, _today(now)))
        .order_by(Document.id.desc()).limit(limit))
    return [{"id": d.id, "number_symbol": d.number_symbol, "subject": d.subject, "direction": d.direction.value}
            for d in rows]


def for_document(session: Session, user: User, document_id: int) -> dict[str, Any]:
    """The document page's panel (the caller has checked the document may be seen): the
    records holding it that I may see, and my records not archived it may still go in."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.")
    holding = select(RecordDocument.record_id).where(RecordDocument.document_id == document_id)
    order = (Record.year.desc(), Record.notation)
    inside = [r for r in session.scalars(select(Record).where(Record.id.in_(holding)).order_by(*order))
              if _visible(session, user, r)]
    open_ones = session.scalars(select(Record).where(
        Record.owner_id == user.id, Record.agency_id == doc.agency_id, Record.archived.is_(False),
        Record.id.not_in(holding)).order_by(*order))

    def brief(record: Record) -> dict[str, Any]:
        return {"id": record.id, "code": code(session, record), "title": record.title}

    return {"in": [brief(r) for r in inside], "choices": [brief(r) for r in open_ones]}


def remove_document(session: Session, user: User, record_id: int, document_id: int, now: datetime) -> None:
    record = visible_record(session, user, record_id, edit=True)
    link = session.get(RecordDocument, (record.id, document_id))
    if link is None:
        raise NotFound("Văn bản không có trong hồ sơ.")
    session.delete(link)
    audit.append(session, at=now, action="record_document_removed", actor_id=user.id,
                 payload={"record": record.id, "document": document_id})


def update(session: Session, user: User, record_id: int, given: dict[str, Any], now: datetime) -> Record:
    """Close a record (the date its work ended) or mark it handed to the archive."""
    record = visible_record(session, user, record_id, edit=True)
    if "closed_on" in given:
        try:
            record.closed_on = date.fromisoformat(given["closed_on"]) if given["closed_on"] else None
        except (TypeError, ValueError):
            raise InvalidData("Ngày kết thúc không hợp lệ.", {"closed_on": "Dạng YYYY-MM-DD."}) from None
    if "archived" in given:
        if not isinstance(given["archived"], bool):
            raise InvalidData("Giá trị không hợp lệ.", {"archived": "Cần true hoặc false."})
        record.archived = given["archived"]
    audit.append(session, at=now, action="record_updated", actor_id=user.id,
                 payload={"record": record.id, "closed_on": given.get("closed_on"), "archived": given.get("archived")})
    return record


def dated(doc: Document) -> date:
    return doc.document_date or doc.arrival_date or doc.created_at.date()


def readable(session: Session, user: User, now: datetime) -> ColumnElement[bool]:
    """The documents ``user`` may see: the document page's rule (``ensure_can_view_document``,
    as ``permissions.document_visibility``), so that a record shows, counts and exports
    nothing its reader could not open, a secret document to a non-reader least of all."""
    return permissions.document_visibility(session, user, _today(now))


def documents_in(session: Session, record: Record, seen: ColumnElement[bool]) -> list[Document]:
    """The record's documents that pass ``seen`` (``readable``) in date order (then by id),
    numbered 1, 2, … in that order."""
    docs = list(session.scalars(select(Document).join(RecordDocument, RecordDocument.document_id == Document.id)
                                .where(RecordDocument.record_id == record.id, seen)))
    return sorted(docs, key=lambda d: (dated(d), d.id))


def page_count(doc: Document) -> int | None:
    """The pages the clerk recorded, else those counted when the main file was stored; None
    when unknown (a file that could not be counted): never a PDF parsed while listing."""
    if doc.page_amount:
        return doc.page_amount
    main = next((f for f in doc.files if f.role == "main"), None)
    return 0 if main is None else main.page_count


def _pages(docs: list[Document]) -> int:
    return sum(page_count(d) or 0 for d in docs)


def archive_due(record: Record) -> date | None:
    return None if record.closed_on is None else record.closed_on + timedelta(days=365)


def view_item(session: Session, record: Record) -> dict[str, Any] | None:
    """The retention table item the record's retention came from (None: opened without one)."""
    item = session.get(RetentionItem, record.retention_item_id) if record.retention_item_id else None
    return None if item is None else {"id": item.id, "code": item.code, "heading": item.heading}


def view(session: Session, user: User, record: Record, now: datetime, with_documents: bool,
         seen: ColumnElement[bool] | None = None) -> dict[str, Any]:
    docs = documents_in(session, record, readable(session, user, now) if seen is None else seen)
    due = archive_due(record)
    result: dict[str, Any] = {
        "id": record.id, "code": code(session, record), "year": record.year, "notation": record.notation,
        "title": record.title, "retention": record.retention, "retention_item": view_item(session, record),
        "access": record.access, "personal": record.personal,
        "owner": session.scalar(select(User.username).where(User.id == record.owner_id)),
        "description": record.description, "closed_on": record.closed_on.isoformat() if record.closed_on else None,
        "archived": record.archived, "archive_due": due.isoformat() if due else None,
        "due_for_archiving": bool(due and not record.archived and _today(now) >= due - NOTICE),
        "documents": len(docs), "pages": _pages(docs),
        # Documents whose pages are unknown (their file could not be counted): not in "pages".
        "pages_unknown": sum(1 for d in docs if page_count(d) is None),
    }
    if with_documents:
        result["items"] = [{"ordinal": i, "id": d.id, "number_symbol": d.number_symbol, "subject": d.subject,
                            "date": dated(d).isoformat(), "direction": d.direction.value, "pages": page_count(d)}
                           for i, d in enumerate(docs, start=1)]
    return result


def get(session: Session, user: User, record_id: int, now: datetime) -> dict[str, Any]:
    return view(session, user, visible_record(session, user, record_id), now, with_documents=True)


def listing(session: Session, user: User, year: int | None, page: int, per_page: int,
            now: datetime) -> dict[str, Any]:
    """Records I may see: mine, my agency's public ones, all of my agency's if I keep its registers."""
    agency = agency_of(session, user)
    keeper = bool(permissions.positions_in(session, user, agency.id) & permissions.REGISTER_KEEPERS)
    seen = or_(Record.owner_id == user.id, Record.personal.is_(False) & (Record.access == "Công khai")) \
        if not keeper else or_(Record.owner_id == user.id, Record.personal.is_(False))
    query = select(Record).where(Record.agency_id == agency.id, seen)
    if year is not None:
        query = query.where(Record.year == year)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Record.year.desc(), Record.notation).offset((page - 1) * per_page)
                           .limit(per_page))
    docs_seen = readable(session, user, now)
    return {"items": [view(session, user, r, now, with_documents=False, seen=docs_seen) for r in rows],
            "page": page, "per_page": per_page, "total": total}


def stats(session: Session, user: User, now: datetime) -> list[dict[str, Any]]:
    """Per account of my agency: records kept, documents and pages in them (owners' own
    counts; a keeper sees every account, anyone else only their own), of the documents I may see."""
    agency = agency_of(session, user)
    keeper = bool(permissions.positions_in(session, user, agency.id) & permissions.REGISTER_KEEPERS)
    query = select(Record).where(Record.agency_id == agency.id)
    if not keeper:
        query = query.where(Record.owner_id == user.id)
    docs_seen = readable(session, user, now)
    totals: dict[int, dict[str, int]] = {}
    for record in session.scalars(query):
        docs = documents_in(session, record, docs_seen)
        entry = totals.setdefault(record.owner_id, {"records": 0, "documents": 0, "pages": 0})
        entry["records"] += 1
        entry["documents"] += len(docs)
        entry["pages"] += _pages(docs)
    named = people(session, totals)  # the page shows name and position; the API keeps the username
    return [{"username": named[uid].username, "person": named[uid].as_dict(), **counts}
            for uid, counts in sorted(totals.items(), key=lambda t: named[t[0]].username)]


def export_xml(session: Session, user: User, record_id: int, now: datetime) -> Export:
    """The record's metadata with the field names of Decree 30 Appendix VI Part II."""
    record = visible_record(session, user, record_id)
    docs = documents_in(session, record, readable(session, user, now))
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    root = etree.Element("HoSo")

    def add(parent: etree._Element, tag: str, value: Any) -> etree._Element:
        node = etree.SubElement(parent, tag)
        node.text = "" if value is None else str(value)
        return node

    file_code = etree.SubElement(root, "FileCode")
    add(file_code, "OrganId", agency.identifier_code)
    add(file_code, "FileCatalog", record.year)
    add(file_code, "FileNotation", record.notation)
    for tag, value in (("Title", record.title), ("Maintenance", record.retention), ("Rights", record.access),
                       ("Creator", session.scalar(select(User.full_name).where(User.id == record.owner_id))),
                       ("Language", "Tiếng Việt"),
                       ("StartDate", min((dated(d) for d in docs), default=None)),
                       ("EndDate", record.closed_on or max((dated(d) for d in docs), default=None)),
                       ("DocTotal", len(docs)), ("PageTotal", _pages(docs)),
                       ("Description", record.description)):
        add(root, tag, value)
    listed = etree.SubElement(root, "VanBan")
    for i, doc in enumerate(docs, start=1):
        item = etree.SubElement(listed, "Document")
        add(item, "DocOrdinal", i)
        add(item, "TypeName", doctypes.DOC_TYPES.get(doc.doc_type, doc.doc_type))
        number, _, notation = (doc.number_symbol or "").partition("/")
        add(item, "CodeNumber", number)
        add(item, "CodeNotation", notation)
        add(item, "IssuedDate", dated(doc))
        add(item, "OrganName", doc.issuer_name or agency.name)
        add(item, "Subject", doc.subject)
        add(item, "Language", "Tiếng Việt")
        add(item, "PageAmount", page_count(doc))
        add(item, "Description", doc.description)
    audit.append(session, at=now, action="record_exported", actor_id=user.id,
                 payload={"record": record.id, "format": "xml", "documents": [d.id for d in docs]})
    content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Export(content, f"ho-so-{code(session, record)}.xml", "application/xml")
