"""Search over documents: summary, number and symbol, issuer and full text, insensitive to
Vietnamese diacritics ("quyet dinh tiem chung" finds "Quyết định tiêm chủng", "đ" is "d"),
filtered in the database by what the user may see, newest first.

Every whitespace-separated term of the query must occur as a whole word, except the last
word of the query, which may also be the beginning of a word when it has two characters
or more, as one types ("tiem chu" finds "tiêm chủng"). The words of a term joined by
punctuation must occur in that order ("125/SYT" finds "125/SYT-NVY" but not "125 … SYT").

Both backends index the words of ``documents.search_text``, already folded by
``engine.documents.textfold`` (migration 0008):

* SQLite: the FTS5 table ``documents_fts`` (unicode61 words), read newest first as a
  stream that stops at the count limit.
* PostgreSQL: a GIN index on the ``simple`` tsvector of those words, prefix queries with
  ``:*``. Chosen over pg_trgm because its word-and-prefix semantics are FTS5's, so that a
  query finds the same documents on either backend; it needs no extension (pg_trgm needs
  the contrib package and the right to create it); and a trigram index cannot serve
  terms under three characters ("qd", "05"). Each indexed word carries the document's
  agency and secrecy ("a3p" + word, "a3s" for a secret one): a query names only the
  posting lists the user may read, a fifth of the index with five agencies.

On both, someone who sees only their own documents (a few thousand) is served without the
index: the query starts from those (two index ranges: the documents they created and their
pairs in ``document_participants``, migration 0012) and tests each one's words in
``search_text``, which holds only the words (migration 0010).

The permission filter of ``engine.org.permissions`` always applies in SQL as well; the word
prefixes only narrow what the index returns.

Results come newest first rather than by relevance, and are counted up to
``MAX_RESULTS``: ranking, or counting every match of a common word across a million
documents, would read all of them on every request, while nobody pages past the first
thousand hits of a search instead of refining it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, cast, column, func, literal, literal_column, select, table
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session, defer

from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData, Text
from engine.documents import doctypes, textfold
from engine.fulltext import index as fulltext_index
from engine.fulltext import passage
from engine.models import Direction, Document, User
from engine.org import permissions

MAX_QUERY_CHARS = 200
MAX_WORDS = 16  # each word is one more posting list to intersect
MAX_RESULTS = 1000
# The index expression of migration 0008, repeated verbatim so that PostgreSQL uses it.
PG_VECTOR = (
    "to_tsvector('simple'::regconfig, regexp_replace(regexp_replace(search_text, '[^0-9a-z]+', ' ', 'g'), "
    "'([0-9a-z]+)', 'a' || agency_id::text || CASE WHEN secrecy = 'thuong' THEN 'p' ELSE 's' END || '\\1', 'g'))"
)
_FTS = table("documents_fts", column("rowid"))

Terms = tuple[tuple[str, ...], ...]  # folded words; each inner tuple is one term


@dataclass(frozen=True)
class SearchQuery:
    terms: Terms
    direction: Direction | None = None
    year: int | None = None
    doc_type: str | None = None

    @property
    def prefix(self) -> bool:
        """Whether the last word also matches as the beginning of a word."""
        return len(self.terms[-1][-1]) >= 2


def parse(args: Mapping[str, str]) -> SearchQuery:
    """The query string's parameters (q, direction, year, doc_type), checked."""
    errors: dict[str, str] = {}
    terms = parse_terms(args.get("q", ""), errors)
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


def parse_terms(text: str, errors: dict[str, str]) -> Terms:
    """The folded terms of a query typed in ``q``; its error, if any, under ``q``."""
    terms = tuple(t for t in (tuple(textfold.words(chunk)) for chunk in text.split()) if t)
    if len(text) > MAX_QUERY_CHARS:
        errors["q"] = Text("Tối đa %(n)s ký tự.", n=MAX_QUERY_CHARS)
    elif not terms:
        errors["q"] = "Nhập từ khóa tìm kiếm (chữ hoặc số)."
    elif sum(len(t) for t in terms) > MAX_WORDS:
        errors["q"] = f"Tối đa {MAX_WORDS} từ."
    return terms


def _year(text: str | None, errors: dict[str, str]) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        errors["year"] = "Năm không hợp lệ (từ 1900 đến 2100)."
        return None
    return int(text)


def _fts5_query(query: SearchQuery) -> str:
    # Words are [0-9a-z]+ only, so quoting them cannot break out of the FTS5 syntax.
    phrases = ['"' + " ".join(words) + '"' for words in query.terms]
    if query.prefix:
        phrases[-1] += "*"
    return " AND ".join(phrases)


def _tsquery(query: SearchQuery, scope: str) -> str:
    terms = [[f"'{scope}{w}'" for w in words] for words in query.terms]
    if query.prefix:
        terms[-1][-1] += ":*"
    return " & ".join(" <-> ".join(words) for words in terms)


def agency_scopes(agency_id: int) -> list[str]:
    """The word prefixes of the PostgreSQL index of every document of an agency."""
    return [f"a{agency_id}{kind}" for kind in "ps"]


def _scopes(reach: permissions.DocumentReach) -> list[str]:
    """The word prefixes of the PostgreSQL index that ``reach`` may read."""
    return [s for a in reach.every for s in agency_scopes(a)] + [f"a{a}p" for a in reach.ordinary + reach.own]


def words_match(session: Session, query: SearchQuery, scopes: list[str]) -> ColumnElement[bool]:
    """A filter on Document: its words hold every term of ``query``. On PostgreSQL, only
    among the words of the index's ``scopes`` (the caller's permission filter still applies)."""
    if session.get_bind().dialect.name == "postgresql":
        # Written into the statement rather than bound: once psycopg prepares a statement
        # it runs often, PostgreSQL may switch it to a generic plan, which cannot know
        # how rare the words are.
        tsquery = literal(" | ".join(f"({_tsquery(query, scope)})" for scope in scopes), literal_execute=True)
        return literal_column(PG_VECTOR).bool_op("@@")(cast(tsquery, TSQUERY))
    return Document.id.in_(select(_FTS.c.rowid).where(_fts5_match(query)))


def _matching_ids(session: Session, query: SearchQuery, reach: permissions.DocumentReach,
                  conditions: list[ColumnElement[bool]]) -> list[int]:
    """The ids of up to MAX_RESULTS + 1 visible matches, newest first."""
    if not (reach.every or reach.ordinary):
        # Someone who sees only their own documents (a few thousand) would wait for the index
        # to list every match of a common word in the whole database: their documents come
        # first (``driving``), and each is tested on its words.
        statement = (
            select(Document.id).where(*conditions, *in_words(session, query))
            .order_by(Document.id.desc())
        )
    elif session.get_bind().dialect.name == "postgresql":
        statement = (
            select(Document.id).where(words_match(session, query, _scopes(reach)), *conditions)
            .order_by(Document.id.desc())
        )
    else:
        # FTS5 gives its matches newest first as it reads them, and a register keeper sees
        # a good share of them: the scan stops at the limit.
        statement = (
            select(Document.id).join_from(_FTS, Document, Document.id == _FTS.c.rowid)
            .where(_fts5_match(query), *conditions).order_by(_FTS.c.rowid.desc())
        )
    return list(session.scalars(statement.limit(MAX_RESULTS + 1)))


def in_words(session: Session, query: SearchQuery) -> list[ColumnElement[bool]]:
    """The terms of ``query`` tested on one document's ``search_text`` (textfold.search_words):
    the words of a term in order, the last word of the query also as a beginning. The same
    documents as the index finds (``words_match``), one document at a time."""
    needles = [f" {' '.join(words)} " for words in query.terms]
    if query.prefix:
        needles[-1] = needles[-1].rstrip()
    position = func.strpos if session.get_bind().dialect.name == "postgresql" else func.instr
    return [position(Document.search_text, needle) > 0 for needle in needles]


def _fts5_match(query: SearchQuery) -> ColumnElement[bool]:
    return literal_column("documents_fts").bool_op("MATCH")(_fts5_query(query))


def search(session: Session, user: User, query: SearchQuery, page: int, per_page: int,
           now: datetime) -> dict[str, Any]:
    if (page - 1) * per_page >= MAX_RESULTS:
        raise InvalidData(Text("Chỉ xem được %(n)s kết quả đầu tiên.", n=MAX_RESULTS),
                          {"page": "Hãy thêm từ khóa hoặc bộ lọc để thu hẹp kết quả."})
    reach = permissions.document_reach(session, user)
    own_only = not (reach.every or reach.ordinary)
    conditions = [permissions.document_visibility(session, user, now.astimezone(VIETNAM).date(), reach,
                                                  driving=own_only)]
    if query.direction is not None:
        conditions.append(Document.direction == query.direction)
    if query.year is not None:
        conditions.append(Document.year == query.year)
    if query.doc_type is not None:
        conditions.append(Document.doc_type == query.doc_type)
    ids = _matching_ids(session, query, reach, conditions) if reach.every + reach.ordinary + reach.own else []
    shown = ids[:MAX_RESULTS][(page - 1) * per_page:page * per_page]
    docs = {d.id: d for d in session.scalars(
        select(Document).options(defer(Document.search_text)).where(Document.id.in_(shown))
    )} if shown else {}
    texts = fulltext_index.texts_of(session, shown)
    return {"items": [_hit(docs[i], passage.find(texts.get(i, ""), query.terms, query.prefix)) for i in shown],
            "page": page, "per_page": per_page,
            "total": min(len(ids), MAX_RESULTS), "total_exact": len(ids) <= MAX_RESULTS}


def _hit(doc: Document, found: passage.Passage | None) -> dict[str, Any]:
    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "id": doc.id, "direction": doc.direction.value, "status": doc.status.value, "doc_type": doc.doc_type,
        "doc_type_name": doctypes.DOC_TYPES.get(doc.doc_type), "subject": doc.subject,
        "number_symbol": doc.number_symbol, "number": doc.number, "year": doc.year,
        "document_date": iso(doc.document_date), "arrival_date": iso(doc.arrival_date),
        "issuer_name": doc.issuer_name, "urgency": doc.urgency.value, "secrecy": doc.secrecy.value,
        "signature_status": doc.signature_status.value,
        # where the query's words are in the text of the main PDF (None: found by its metadata)
        "passage": {"before": found.before, "match": found.match, "after": found.after} if found else None,
    }
