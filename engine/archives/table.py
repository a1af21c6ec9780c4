"""Bảng thời hạn bảo quản hồ sơ, tài liệu: an agency's retention table, which its records take their
retention from. Each item names a group of records (its code, e.g. "01.05", and heading) and how long
they are kept: permanently ("Vĩnh viễn") or a whole number of years (Circular 10/2022/TT-BNV Art. 2:
the two levels; the agency's table is built from the common table of its Appendix, Art. 4). The table
is kept by the agency's administrators and its văn thư; an item records use is retired, never
deleted, and keeps its code and term so that every record's retention stays its item's term.

The one rule of a record's retention (``retention_for``): when its agency has a table, the record
names an active item and its retention is that item's term; an agency with no table yet (none
issued) still picks from the national list ``NATIONAL``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound, Text
from engine.models import Agency, Record, RetentionItem, User
from engine.models.org import Position
from engine.org import permissions

PERMANENT = "Vĩnh viễn"
NATIONAL = [PERMANENT, "70 năm", "50 năm", "30 năm", "20 năm", "10 năm", "5 năm"]
MAX_YEARS = 100
KEEPERS = (Position.ADMIN, Position.CLERK)
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")
_YEARS = re.compile(r"^0*(\d{1,3})(?:\s*(?:năm|years?))?$", re.IGNORECASE)
TERM_MESSAGE = Text("Thời hạn bảo quản là \"Vĩnh viễn\" hoặc một số năm nguyên từ 1 đến 100 (ví dụ \"10 năm\").")


def normal_term(raw: Any) -> str | None:
    """``"vĩnh viễn"``, ``"permanent"`` → ``"Vĩnh viễn"``; ``"10"``, ``"10 năm"``, ``"10 years"`` → ``"10 năm"``;
    None when it is neither (0, 101 years, "mãi mãi", half years)."""
    if not isinstance(raw, str):
        return None
    text = " ".join(raw.split())
    if text.lower() in (PERMANENT.lower(), "permanent"):  # the English page's words too
        return PERMANENT
    found = _YEARS.match(text)
    if found is None or not 1 <= int(found.group(1)) <= MAX_YEARS:
        return None
    return f"{int(found.group(1))} năm"


def kept_agency(session: Session, user: User, code: str | None) -> Agency:
    """The agency whose table ``user`` keeps: the one named by ``code``, or their first."""
    mine = {code: agency_id for position in KEEPERS
            for code, agency_id in permissions.agencies_where(session, user, position).items()}
    if not mine or (code is not None and code not in mine):
        raise Forbidden("Chỉ quản trị hệ thống và văn thư của cơ quan được sửa bảng thời hạn bảo quản.")
    found = session.get(Agency, mine[code] if code is not None else min(mine.values()))
    assert found is not None
    return found


def _uses(session: Session, item_ids: list[int]) -> dict[int, int]:
    """How many records name each of the items, in one statement."""
    return {item_id: count for item_id, count in session.execute(
        select(Record.retention_item_id, func.count()).where(Record.retention_item_id.in_(item_ids))
        .group_by(Record.retention_item_id)) if item_id is not None}


def _used(session: Session, item_id: int) -> int:
    return _uses(session, [item_id]).get(item_id, 0)


def _shown(item: RetentionItem, records: int) -> dict[str, Any]:
    return {"id": item.id, "code": item.code, "heading": item.heading, "term": item.term, "note": item.note,
            "active": item.active, "records": records}


def as_dict(session: Session, item: RetentionItem) -> dict[str, Any]:
    return _shown(item, _used(session, item.id))


def listing(session: Session, agency_id: int, page: int, per_page: int) -> dict[str, Any]:
    """The table in code order, retired items too (marked), a page at a time."""
    query = select(RetentionItem).where(RetentionItem.agency_id == agency_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(RetentionItem.code).offset((page - 1) * per_page).limit(per_page)))
    uses = _uses(session, [i.id for i in rows])
    return {"items": [_shown(i, uses.get(i.id, 0)) for i in rows], "page": page, "per_page": per_page,
            "total": total}


def offered_to_records(session: Session, agency_id: int) -> list[RetentionItem] | None:
    """The items a new record of the agency chooses from; None while the agency has no table at all
    (then the national list stands in), an empty list when every item is retired."""
    if session.scalar(select(RetentionItem.id).where(RetentionItem.agency_id == agency_id).limit(1)) is None:
        return None
    return list(session.scalars(select(RetentionItem).where(RetentionItem.agency_id == agency_id,
                                                            RetentionItem.active.is_(True))
                                .order_by(RetentionItem.code)))


def item_of(session: Session, agency_id: int, item_id: int) -> RetentionItem:
    """The agency's item; another agency's is not said to exist."""
    item = session.get(RetentionItem, item_id)
    if item is None or item.agency_id != agency_id:
        raise NotFound("Không tìm thấy mục trong bảng thời hạn bảo quản.")
    return item


def _checked(given: dict[str, Any], partial: bool) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    if "code" in given or not partial:
        code = given.get("code")
        code = code.strip() if isinstance(code, str) else ""
        if not _CODE.match(code):
            problems["code"] = Text("Số, ký hiệu của mục: chữ, số, dấu chấm hoặc gạch ngang, tối đa 20 ký tự "
                                    "(ví dụ 01.05).")
        clean["code"] = code
    if "heading" in given or not partial:
        heading = " ".join(str(given.get("heading") or "").split())
        if not 3 <= len(heading) <= 500:
            problems["heading"] = Text("Tên nhóm hồ sơ, tài liệu từ 3 đến 500 ký tự.")
        clean["heading"] = heading
    if "term" in given or not partial:
        term = normal_term(given.get("term"))
        if term is None:
            problems["term"] = TERM_MESSAGE
        clean["term"] = term
    if "note" in given:
        note = " ".join(str(given.get("note") or "").split())
        if len(note) > 1000:
            problems["note"] = Text("Ghi chú tối đa 1000 ký tự.")
        clean["note"] = note or None
    if "active" in given:
        if not isinstance(given["active"], bool):
            problems["active"] = Text("Cần true hoặc false.")
        clean["active"] = given["active"]
    if problems:
        raise InvalidData("Mục của bảng thời hạn bảo quản chưa hợp lệ.", problems)
    return clean


def _duplicate(code: str) -> InvalidData:
    return InvalidData("Mục của bảng thời hạn bảo quản chưa hợp lệ.",
                       {"code": Text("Bảng đã có mục số %(code)s.", code=code)})


def add(session: Session, user: User, agency: Agency, given: dict[str, Any], now: datetime) -> RetentionItem:
    """A new item, active; its code is unique in the agency's table. The caller has checked
    that ``user`` keeps ``agency``'s table (``kept_agency``)."""
    clean = _checked({"note": None, **given}, partial=False)
    item = RetentionItem(agency_id=agency.id, code=clean["code"], heading=clean["heading"], term=clean["term"],
                         note=clean["note"], active=clean.get("active", True), created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(item)
    except IntegrityError:
        raise _duplicate(clean["code"]) from None
    audit.append(session, at=now, action="retention_item_added", actor_id=user.id, agency_id=agency.id,
                 payload={"agency": agency.code, "item": item.id, "code": item.code, "term": item.term})
    return item


def change(session: Session, user: User, agency: Agency, item_id: int, given: dict[str, Any],
           now: datetime) -> RetentionItem:
    """Edit an item, or retire it (``active`` False) or bring it back. The code and term of an item
    records already name stay as they are: those records' retention is that term."""
    item = item_of(session, agency.id, item_id)
    clean = _checked(given, partial=True)
    moved = {k for k in ("code", "term") if k in clean and clean[k] != getattr(item, k)}
    if moved and _used(session, item.id):
        raise Conflict("Mục này đã được hồ sơ sử dụng: không đổi số hoặc thời hạn được; hãy ngừng dùng mục "
                       "này và thêm mục mới.")
    before = {k: getattr(item, k) for k in clean}
    for key, value in clean.items():
        setattr(item, key, value)
    item.updated_at = now
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _duplicate(clean["code"]) from None
    changed = {k: [before[k], v] for k, v in clean.items() if before[k] != v}
    audit.append(session, at=now, action="retention_item_retired" if changed.get("active") == [True, False]
                 else "retention_item_changed", actor_id=user.id, agency_id=agency.id,
                 payload={"agency": agency.code, "item": item.id, "code": item.code, "changed": changed})
    return item


def retention_for(session: Session, agency_id: int, given: dict[str, Any]) -> tuple[str, int | None]:
    """A new record's retention and the item it comes from (see the module's docstring); InvalidData
    on the field at fault."""
    offered = offered_to_records(session, agency_id)
    if offered is None:
        if given.get("retention") not in NATIONAL:
            raise InvalidData("Thông tin hồ sơ chưa hợp lệ.", {
                "retention": Text("Chọn một thời hạn bảo quản: %(choices)s.", choices=", ".join(NATIONAL))})
        return given["retention"], None
    wanted = given.get("retention_item_id")
    item = next((i for i in offered if i.id == wanted), None)
    if item is None:
        raise InvalidData("Thông tin hồ sơ chưa hợp lệ.", {
            "retention_item_id": Text("Chọn một mục đang dùng của bảng thời hạn bảo quản của cơ quan.")})
    return item.term, item.id


def read_agency(session: Session, user: User, code: str | None) -> Agency:
    """The agency whose table ``user`` reads: anyone of an agency reads its table (a record names one
    of its items); ``code`` names one of their agencies, else the one whose table they keep, else
    their first."""
    by_agency = permissions.positions_by_agency(session, user)
    if code is not None:
        agency = session.scalar(select(Agency).where(Agency.code == code))
        if agency is None or agency.id not in by_agency:
            raise Forbidden("Bạn không thuộc cơ quan này.")
        return agency
    if not by_agency:
        raise Forbidden("Bạn chưa thuộc cơ quan nào.")
    kept = [a for a, held in by_agency.items() if held & {p.value for p in KEEPERS}]
    found = session.get(Agency, min(kept or by_agency))
    assert found is not None
    return found
