"""Internal messages (Quảng Ngãi regulation, Art. 9): staff talk and send files inside the
system instead of on USB sticks. A conversation stays inside one agency unless the
sender's agency allows messages to the other agencies of this installation; a message
may carry PDF files (the document checks) or link a document or case that every
recipient may see."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.errors import Forbidden, InvalidData, NotFound, Text
from engine.documents import pdf_check
from engine.documents.storage import FileStore
from engine.models import (
    Agency,
    Case,
    Conversation,
    ConversationMember,
    Document,
    Message,
    MessageFile,
    Unit,
    User,
    UserPosition,
)
from engine.office import notifications
from engine.org import permissions

MAX_TEXT = 5000


def _agencies(session: Session, user_id: int) -> set[int]:
    return set(session.scalars(select(Unit.agency_id).join(UserPosition, UserPosition.unit_id == Unit.id)
                               .where(UserPosition.user_id == user_id)))


def create(session: Session, user: User, given: dict[str, Any], now: datetime) -> Conversation:
    usernames = given.get("members")
    if not isinstance(usernames, list) or not usernames or not all(isinstance(u, str) for u in usernames):
        raise InvalidData("Cần chọn người nhận.", {"members": "Danh sách tên đăng nhập."})
    people = list(session.scalars(select(User).where(User.username.in_(usernames), User.active.is_(True))))
    unknown = set(usernames) - {p.username for p in people}
    if unknown:
        raise InvalidData("Có người nhận không tồn tại.",
                          {"members": Text("Không có: %(names)s.", names=", ".join(sorted(unknown)))})
    mine = _agencies(session, user.id)
    agency_id = min(mine) if mine else None
    if agency_id is None:
        raise Forbidden("Bạn chưa thuộc cơ quan nào.")
    open_to_all = any(session.get(Agency, a).cross_agency_messages for a in mine)  # type: ignore[union-attr]
    outside = [p.username for p in people if not _agencies(session, p.id) & mine]
    if outside and not open_to_all:
        raise Forbidden(Text("Cơ quan của bạn không cho phép nhắn tin ra ngoài cơ quan (%(names)s).",
                             names=", ".join(outside)))
    members = {user.id} | {p.id for p in people}
    title = given.get("title")
    if title is not None and (not isinstance(title, str) or len(title) > 200):
        raise InvalidData("Tên nhóm không hợp lệ.", {"title": "Tối đa 200 ký tự."})
    direct = len(members) == 2 and not title
    if direct:
        existing = _direct_between(session, members)
        if existing is not None:
            return existing
    conversation = Conversation(agency_id=agency_id, title=title, direct=direct, created_by=user.id, created_at=now)
    session.add(conversation)
    session.flush()
    session.add_all(ConversationMember(conversation_id=conversation.id, user_id=uid) for uid in sorted(members))
    session.flush()  # the members are looked up by key (session.get) when the first message follows
    audit.append(session, at=now, action="conversation_created", actor_id=user.id,
                 payload={"conversation": conversation.id, "members": sorted(members), "title": title})
    return conversation


def _direct_between(session: Session, members: set[int]) -> Conversation | None:
    a, b = sorted(members)
    return session.scalars(
        select(Conversation).where(Conversation.direct.is_(True))
        .join(ConversationMember, and_(ConversationMember.conversation_id == Conversation.id,
                                       ConversationMember.user_id == a))
        .where(Conversation.id.in_(select(ConversationMember.conversation_id).where(ConversationMember.user_id == b)))
    ).first()


def _membership(session: Session, user: User, conversation_id: int) -> ConversationMember:
    if session.get(Conversation, conversation_id) is None:
        raise NotFound("Không tìm thấy cuộc trò chuyện.")
    member = session.get(ConversationMember, (conversation_id, user.id))
    if member is None:
        raise Forbidden("Bạn không tham gia cuộc trò chuyện này.")
    return member


def _members(session: Session, conversation_id: int) -> list[User]:
    return list(session.scalars(select(User).join(ConversationMember, ConversationMember.user_id == User.id)
                                .where(ConversationMember.conversation_id == conversation_id)))


def _check_link(session: Session, recipients: list[User], given: dict[str, Any], now: datetime) -> tuple[Any, Any]:
    """A linked document or case must be visible to every recipient, or nothing is sent."""
    today = now.astimezone(VIETNAM).date()
    document_id, case_id = given.get("document_id"), given.get("case_id")
    if document_id is not None:
        doc = session.get(Document, document_id) if isinstance(document_id, int) else None
        if doc is None:
            raise InvalidData("Văn bản không tồn tại.", {"document_id": "Không có văn bản này."})
        for person in recipients:
            try:
                permissions.ensure_can_view_document(session, person, doc, today)
            except Forbidden:
                raise InvalidData(Text("%(person)s không có quyền xem văn bản này.", person=person.full_name),
                                  {"document_id": "Có người nhận không được xem."}) from None
    if case_id is not None:
        case = session.get(Case, case_id) if isinstance(case_id, int) else None
        if case is None:
            raise InvalidData("Hồ sơ không tồn tại.", {"case_id": "Không có hồ sơ này."})
        for person in recipients:
            try:
                permissions.ensure_can_view(session, person, case, today)
            except Forbidden:
                raise InvalidData(Text("%(person)s không có quyền xem hồ sơ này.", person=person.full_name),
                                  {"case_id": "Có người nhận không được xem."}) from None
    return document_id, case_id


def post(
    session: Session, store: FileStore, user: User, conversation_id: int, given: dict[str, Any],
    files: list[tuple[str, IO[bytes]]], max_bytes: int, now: datetime,
) -> Message:
    member = _membership(session, user, conversation_id)
    text = given.get("text", "")
    if not isinstance(text, str):
        raise InvalidData("Nội dung tin nhắn không hợp lệ.", {"text": "Cần một chuỗi ký tự."})
    if not text.strip() and not files:
        raise InvalidData("Tin nhắn trống.", {"text": "Nhập nội dung hoặc gửi tệp."})
    if len(text) > MAX_TEXT:
        raise InvalidData("Tin nhắn quá dài.", {"text": Text("Tối đa %(n)s ký tự.", n=MAX_TEXT)})
    others = [p for p in _members(session, conversation_id) if p.id != user.id]
    document_id, case_id = _check_link(session, others, given, now)
    message = Message(conversation_id=conversation_id, sender_id=user.id, text=text, document_id=document_id,
                      case_id=case_id, created_at=now)
    for filename, stream in files:
        stored = pdf_check.store_upload(store, filename, stream, max_bytes)
        message.files.append(MessageFile(filename=stored.filename, sha256=stored.sha256, size=stored.size,
                                         content_type="application/pdf"))
    session.add(message)
    session.flush()
    member.last_read_id = message.id
    notifications.message_posted(session, [p.id for p in others], user, text, now)
    audit.append(session, at=now, action="message_posted", actor_id=user.id,
                 payload={"conversation": conversation_id, "message": message.id, "document": document_id,
                          "case": case_id, "files": [{"filename": f.filename, "sha256": f.sha256}
                                                     for f in message.files]})
    return message


def _message_view(m: Message, names: dict[int, str]) -> dict[str, Any]:
    return {"id": m.id, "sender": names.get(m.sender_id), "text": m.text, "document_id": m.document_id,
            "case_id": m.case_id, "created_at": m.created_at.isoformat(),
            "files": [{"id": f.id, "filename": f.filename, "size": f.size, "sha256": f.sha256} for f in m.files]}


def messages(session: Session, user: User, conversation_id: int, page: int, per_page: int) -> dict[str, Any]:
    _membership(session, user, conversation_id)
    query = select(Message).where(Message.conversation_id == conversation_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(Message.id.desc()).offset((page - 1) * per_page).limit(per_page)))
    names = {uid: name for uid, name in session.execute(
        select(User.id, User.username).where(User.id.in_({m.sender_id for m in rows})))}
    return {"items": [_message_view(m, names) for m in reversed(rows)], "page": page, "per_page": per_page,
            "total": total}


def about_case(session: Session, user: User, case_id: int, now: datetime, limit: int = 50) -> list[dict[str, Any]]:
    """The latest messages linking a case I may see, from the conversations I belong to,
    oldest first (the case page shows them)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("Không tìm thấy hồ sơ công việc.")
    permissions.ensure_can_view(session, user, case, now.astimezone(VIETNAM).date())
    rows = list(session.scalars(
        select(Message).join(ConversationMember, and_(ConversationMember.conversation_id == Message.conversation_id,
                                                      ConversationMember.user_id == user.id))
        .where(Message.case_id == case_id).order_by(Message.id.desc()).limit(limit)))
    names = dict(session.execute(select(User.id, User.full_name).where(User.id.in_({m.sender_id for m in rows}))).all())
    return [{**_message_view(m, names), "conversation_id": m.conversation_id} for m in reversed(rows)]


def mark_read(session: Session, user: User, conversation_id: int, now: datetime) -> None:
    member = _membership(session, user, conversation_id)
    latest = session.scalar(select(func.max(Message.id)).where(Message.conversation_id == conversation_id))
    if (latest or 0) <= member.last_read_id:
        return  # nothing new: opening the conversation again leaves no audit entry
    member.last_read_id = latest or 0
    audit.append(session, at=now, action="conversation_read", actor_id=user.id,
                 payload={"conversation": conversation_id, "up_to": member.last_read_id})


def summary(session: Session, user: User, conversation_id: int) -> dict[str, Any]:
    """A conversation's name and members, for its members only."""
    _membership(session, user, conversation_id)
    conversation = session.get(Conversation, conversation_id)
    assert conversation is not None  # _membership checked it
    return {"id": conversation.id, "title": conversation.title, "direct": conversation.direct,
            "members": [{"username": p.username, "full_name": p.full_name}
                        for p in sorted(_members(session, conversation_id), key=lambda p: p.full_name)]}


def unread_count(session: Session, user: User) -> int:
    """Messages of others I have not read yet, over all my conversations (the header's count)."""
    return session.scalar(
        select(func.count(Message.id)).join(ConversationMember, and_(
            ConversationMember.conversation_id == Message.conversation_id, ConversationMember.user_id == user.id))
        .where(Message.id > ConversationMember.last_read_id, Message.sender_id != user.id)) or 0


def listing(session: Session, user: User, page: int, per_page: int) -> dict[str, Any]:
    """My conversations, most recent first, each with its unread count."""
    unread = (
        select(func.count(Message.id)).where(Message.conversation_id == ConversationMember.conversation_id,
                                             Message.id > ConversationMember.last_read_id,
                                             Message.sender_id != user.id)
        .correlate(ConversationMember).scalar_subquery()
    )
    last = select(func.max(Message.id)).where(Message.conversation_id == Conversation.id).scalar_subquery()
    base = (select(Conversation, unread.label("unread"), last.label("last"))
            .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
            .where(ConversationMember.user_id == user.id))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(base.order_by(last.desc().nulls_last(), Conversation.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    items = []
    for c, n, _ in rows:
        people = _members(session, c.id)
        items.append({"id": c.id, "title": c.title, "direct": c.direct, "unread": int(n or 0),
                      "members": [p.username for p in people], "names": [p.full_name for p in people]})
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "unread": sum(i["unread"] for i in items)}


def file_for_download(session: Session, store: FileStore, user: User, conversation_id: int, message_id: int,
                      file_id: int) -> tuple[Path, str]:
    _membership(session, user, conversation_id)
    record = session.get(MessageFile, file_id)
    message = session.get(Message, message_id)
    if record is None or message is None or record.message_id != message_id or \
            message.conversation_id != conversation_id:
        raise NotFound("Không tìm thấy tệp.")
    return store.path(record.sha256), record.filename
