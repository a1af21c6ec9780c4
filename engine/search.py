"""Search over documents: summary, number and symbol, issuer and full text, insensitive to
Vietnamese diacritics ("quyet dinh tiem chung" finds "Quyết định tiêm chủng", "đ" is "d"),
filtered in the database by what the user may see, newest first.

Every whitespace-separated term of the query must occur; the last word of a term may be
the beginning of a word ("tiem chu" finds "tiêm chủng"); the words of a term joined by
punctuation must occur in that order ("125/SYT" finds "125/SYT-NVY" but not "125 ... SYT").

Both backends index the words of ``documents.search_text``, already folded by
``engine.textfold`` (migration 0004s):

* SQLite: the FTS5 table ``documents_fts``, unicode61 words, prefix queries.
* PostgreSQL: a GIN index on the ``simple`` tsvector of those words, prefix queries
  (``:*``). Chosen over pg_trgm because its word-and-prefix semantics are FTS5's, so a
  query finds the same documents on either backend; it needs no extension (pg_trgm needs
  the contrib package and the right to create it); and a trigram index cannot serve
  terms shorter than three letters ("qd", "05").

Results come newest first rather than by relevance: ranking would score every match of
a common word across a million rows, and a clerk looks for recent documents first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, column, func, literal_column, select, table
from sqlalchemy.orm import Session, defer

from . import doctypes, permissions, textfold
from .clock import VIETNAM
from .errors import InvalidData
from .models import Direction, Document, User

MAX_QUERY_CHARS = 200
MAX_WORDS = 16  # each word is one more index lookup and intersection
# Must stay identical to the index expression of migration 0004s.
PG_VECTOR = "to_tsvector('simple'::regconfig, regexp_replace(documents.search_text, '[^0-9a-z]+', ' ', 'g'))"
_FTS = table("documents_fts", column("rowid"))


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[tuple[str, ...], ...]  # folded words; each inner tuple is one term
    direction: Direction | None = None
    year: int | None = None
    doc_type: str | None = None


def parse(args: Mapping[str, str]) -> SearchQuery:
    """The query string's parameters (q, direction, year, doc_type), checked."""
    errors: dict[str, str] = {}
    text = args.get("q", "")
    terms = tuple(t for t in (tuple(textfold.words(chunk)) for chunk in text.split()) if t)
    if len(text) > MAX_QUERY_CHARS:
        errors["q"] = f"Tối đa {MAX_QUERY_CHARS} ký tự."
    elif not terms:
        errors["q"] = "Nhập từ khóa tìm kiếm (chữ hoặc số)."
    elif sum(len(t) for t in terms) > MAX_WORDS:
        errors["q"] = f"Tối đa {MAX_WORDS} từ."
    direction = args.get("direction")
    if direction is not None and direction not in {d.value for d in Direction}:
        errors["direction"] = "Chọn incoming hoặc outgoing."
    year = _year(args.get("year"), errors)
    doc_type = args.get("doc_type")
    if doc_type is not None and doc_type not in doctypes.DOC_TYPES:
        errors["doc_type"] = "Loại văn bản không hợp lệ."
    if errors:
        raise InvalidData("Tham số tìm kiếm không hợp lệ.", errors)
    return SearchQuery(terms, Direction(direction) if direction else None, year, doc_type)


def _year(text: str | None, errors: dict[str, str]) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        errors["year"] = "Năm không hợp lệ (từ 1900 đến 2100)."
        return None
    return int(text)


def _fts5_query(terms: tuple[tuple[str, ...], ...]) -> str:
    # Words are [0-9a-z]+ only, so quoting them cannot break out of the FTS5 syntax.
    return " AND ".join('"' + " ".join(words) + '"*' for words in terms)


def _tsquery(terms: tuple[tuple[str, ...], ...]) -> str:
    return " & ".join(" <-> ".join(words[:-1] + (words[-1] + ":*",)) for words in terms)


def matches(session: Session, terms: tuple[tuple[str, ...], ...]) -> ColumnElement[bool]:
    """A filter on Document: its search text holds every term, through the backend's index."""
    if session.get_bind().dialect.name == "postgresql":
        return literal_column(PG_VECTOR).bool_op("@@")(
            func.to_tsquery(literal_column("'simple'::regconfig"), _tsquery(terms))
        )
    return Document.id.in_(select(_FTS.c.rowid).where(literal_column("documents_fts").bool_op("MATCH")(
        _fts5_query(terms))))


def search(session: Session, user: User, query: SearchQuery, page: int, per_page: int,
           now: datetime) -> dict[str, Any]:
    today = now.astimezone(VIETNAM).date()
    conditions = [matches(session, query.terms), permissions.document_visibility(session, user, today)]
    if query.direction is not None:
        conditions.append(Document.direction == query.direction)
    if query.year is not None:
        conditions.append(Document.year == query.year)
    if query.doc_type is not None:
        conditions.append(Document.doc_type == query.doc_type)
    total = session.scalar(select(func.count()).select_from(Document).where(*conditions)) or 0
    rows = session.scalars(
        select(Document).options(defer(Document.search_text)).where(*conditions)
        .order_by(Document.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return {"items": [_hit(d) for d in rows], "page": page, "per_page": per_page, "total": total}


def _hit(doc: Document) -> dict[str, Any]:
    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "id": doc.id, "direction": doc.direction.value, "status": doc.status.value, "doc_type": doc.doc_type,
        "doc_type_name": doctypes.DOC_TYPES.get(doc.doc_type), "subject": doc.subject,
        "number_symbol": doc.number_symbol, "number": doc.number, "year": doc.year,
        "document_date": iso(doc.document_date), "arrival_date": iso(doc.arrival_date),
        "issuer_name": doc.issuer_name, "urgency": doc.urgency.value, "secrecy": doc.secrecy.value,
    }
