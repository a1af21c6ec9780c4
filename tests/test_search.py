"""Document search: insensitive to Vietnamese diacritics, by number and symbol or issuer,
paginated, and filtered by who may see what."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, select, union, update

from engine.core import schema
from engine.core.platform import Platform
from engine.demo import AGENCIES, DEMO_PASSWORD
from engine.documents import search
from engine.models import (
    Agency,
    Case,
    CaseFollower,
    Document,
    DocumentParticipant,
    HumanTask,
    Position,
    TaskCandidate,
    Unit,
    UnitKind,
    User,
    UserPosition,
)
from engine.org.accounts import hash_password
from engine.registry import registers
from tests.conftest import ROOT, Api
from tests.flows import DRAFT, complete, only_task, start

VACCINATION = {"doc_type": "QĐ", "subject": "Về việc tổ chức tiêm chủng vắc xin sởi – rubella năm 2026",
               "number_symbol": "125/SYT-NVY", "issuer_name": "Sở Y tế Hà Nội", "document_date": "2026-02-20"}
DENGUE = {"doc_type": "CV", "subject": "Về việc tăng cường phòng chống dịch sốt xuất huyết",
          "number_symbol": "126/SYT-NVY", "issuer_name": "Sở Y tế Hà Nội", "document_date": "2026-02-27"}
TRAINING = {"doc_type": "KH", "subject": "Đào tạo liên tục cho điều dưỡng các trạm y tế",
            "number_symbol": "12/UBND-VX", "issuer_name": "UBND quận Bắc Từ Liêm", "document_date": "2026-02-25"}


def _enter(api: Api, data: dict[str, Any], user: str = "btl_clerk", direction: str = "incoming") -> int:
    r = api.post(user, "/api/v1/documents", {"direction": direction, "data": data,
                                             "confirm_duplicates": True})  # some are entered twice on purpose
    assert r.status_code == 201, r.get_json()
    document_id: int = r.get_json()["document"]["id"]
    return document_id


def _search(api: Api, user: str, query: str, **params: Any) -> dict[str, Any]:
    args = "&".join(f"{k}={v}" for k, v in {"q": query, **params}.items())
    r = api.get(user, f"/api/v1/search?{args}")
    assert r.status_code == 200, r.get_json()
    page: dict[str, Any] = r.get_json()
    return page


def _ids(api: Api, user: str, query: str, **params: Any) -> list[int]:
    return [hit["id"] for hit in _search(api, user, query, **params)["items"]]


def test_search_ignores_diacritics_and_case(api: Api) -> None:
    vaccination, dengue, training = (_enter(api, d) for d in (VACCINATION, DENGUE, TRAINING))
    for query in ("quyet dinh tiem chung", "Quyết định tiêm chủng", "TIÊM CHỦNG quyết", "tiem chu", "vac xin soi"):
        assert _ids(api, "btl_clerk", query) == [vaccination], query
    assert _ids(api, "btl_clerk", "dao tao dieu duong") == [training]
    assert _ids(api, "btl_clerk", "Đào tạo điều dưỡng") == [training]
    # "đ" is folded to "d", in the query as in the text.
    assert _ids(api, "btl_clerk", "đà") == _ids(api, "btl_clerk", "da") == [training]
    assert _ids(api, "btl_clerk", "Đinh") == _ids(api, "btl_clerk", "dinh") == [vaccination]
    assert _ids(api, "btl_clerk", "sot xuat huyet") == [dengue]
    assert _search(api, "btl_clerk", "tiêm chủng sốt xuất huyết")["total"] == 0  # every term must occur
    # Only the last word may be the beginning of a word, and only from two characters.
    assert _search(api, "btl_clerk", "tie chung")["total"] == 0
    assert _search(api, "btl_clerk", "vac x")["total"] == 0
    assert _ids(api, "btl_clerk", "vac xin s") == []
    assert _ids(api, "btl_clerk", "rubella vac xi") == [vaccination]


def test_search_by_number_symbol_and_issuer(api: Api) -> None:
    vaccination, dengue, training = (_enter(api, d) for d in (VACCINATION, DENGUE, TRAINING))
    assert _ids(api, "btl_clerk", "125/SYT") == [vaccination]
    assert _ids(api, "btl_clerk", "125/syt-nvy") == [vaccination]
    assert _ids(api, "btl_clerk", "SYT") == [dengue, vaccination]  # newest first
    assert _ids(api, "btl_clerk", "12/UBND") == [training]
    assert _ids(api, "btl_clerk", "sở y tế hà nội") == [dengue, vaccination]
    hit = _search(api, "btl_clerk", "125/SYT")["items"][0]
    assert (hit["subject"], hit["number_symbol"], hit["issuer_name"], hit["doc_type_name"]) == (
        VACCINATION["subject"], "125/SYT-NVY", "Sở Y tế Hà Nội", "Quyết định")
    assert (hit["direction"], hit["number"], hit["year"]) == ("incoming", 1, 2026)


def test_search_pages_and_filters(api: Api) -> None:
    ids = [_enter(api, {**DENGUE, "number_symbol": f"{n}/SYT-NVY"}) for n in range(200, 205)]
    pages = [_search(api, "btl_clerk", "sốt xuất huyết", per_page=2, page=p) for p in (1, 2, 3, 4)]
    assert [(p["total"], p["total_exact"]) for p in pages] == [(5, True)] * 4
    assert [[h["id"] for h in p["items"]] for p in pages] == [ids[4:2:-1], ids[2:0:-1], ids[:1], []]
    assert _search(api, "btl_clerk", "sot xuat huyet", doc_type="CV", year=2026, direction="incoming")["total"] == 5
    assert _search(api, "btl_clerk", "sot xuat huyet", direction="outgoing")["total"] == 0
    assert _search(api, "btl_clerk", "sot xuat huyet", year=2025)["total"] == 0
    assert _search(api, "btl_clerk", "sot xuat huyet", doc_type="QĐ")["total"] == 0


def test_search_input_is_checked(api: Api) -> None:
    cases = [
        ("/api/v1/search", "q"), ("/api/v1/search?q=", "q"), ("/api/v1/search?q=%20-%2F!", "q"),
        ("/api/v1/search?q=" + "a" * 201, "q"), ("/api/v1/search?q=" + "+a" * 17, "q"),
        ("/api/v1/search?q=x&direction=sideways", "direction"), ("/api/v1/search?q=x&year=20x6", "year"),
        ("/api/v1/search?q=x&year=1800", "year"), ("/api/v1/search?q=x&doc_type=XYZ", "doc_type"),
        ("/api/v1/search?q=x&per_page=101", "per_page"), ("/api/v1/search?q=x&page=0", "page"),
        ("/api/v1/search?q=x&page=11&per_page=100", "page"), ("/api/v1/search?q=x&page=51", "page"),
    ]
    for path, field in cases:
        r = api.get("btl_clerk", path)
        assert r.status_code == 422, path
        assert r.get_json()["fields"][field], path
    assert api.get("btl_clerk", "/api/v1/search?q=x&page=10&per_page=100").status_code == 200
    assert api.client.get("/api/v1/search?q=x").status_code == 401


def test_counting_stops_at_the_result_limit(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    ids = [_enter(api, {**DENGUE, "number_symbol": f"{n}/SYT-NVY"}) for n in range(200, 205)]
    first = _search(api, "btl_clerk", "sốt xuất huyết", per_page=2)
    assert (first["total"], first["total_exact"], [h["id"] for h in first["items"]]) == (3, False, ids[:2:-1])
    assert [h["id"] for h in _search(api, "btl_clerk", "sot xuat huyet", per_page=2, page=2)["items"]] == [ids[2]]
    assert api.get("btl_clerk", "/api/v1/search?q=sot&per_page=2&page=3").status_code == 422
    assert _search(api, "btl_clerk", "125/SYT")["total_exact"] is True


def test_counting_stops_at_the_result_limit_over_ones_own_documents(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone who sees only their own documents is served by another query (search.in_words):
    it too counts up to the limit and says whether the count is exact."""
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    drafts = [start(api)["document"]["id"] for _ in range(3)]
    exact = _search(api, "btl_spec_khnv", "tiem chung", per_page=2)
    assert (exact["total"], exact["total_exact"], [h["id"] for h in exact["items"]]) == (3, True, drafts[:0:-1])
    drafts.append(start(api)["document"]["id"])
    first = _search(api, "btl_spec_khnv", "tiem chung", per_page=2)
    assert (first["total"], first["total_exact"], [h["id"] for h in first["items"]]) == (3, False, drafts[:1:-1])
    assert _ids(api, "btl_spec_khnv", "tiem chung", per_page=2, page=2) == [drafts[1]]
    assert api.get("btl_spec_khnv", "/api/v1/search?q=tiem&per_page=2&page=3").status_code == 422


def test_postgresql_index_expression_is_the_one_the_migration_creates() -> None:
    migration = ROOT / "engine" / "migrations" / "versions" / "0008_document_search.py"
    spec = importlib.util.spec_from_file_location("migration_0008", migration)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PG_VECTOR == search.PG_VECTOR


def _other_agency(platform: Platform) -> None:
    """A second agency with its own clerk and specialist, all with the demo password."""
    with platform.db.write() as session:
        agency = Agency(code="tl", name="Trung tâm Y tế huyện Thanh Liêm", abbreviation="TTYT",
                        identifier_code="000.99.02.H26")
        session.add(agency)
        session.flush()
        registers.create_default_books(session, agency.id)
        unit = Unit(agency_id=agency.id, code="VP", name="Văn phòng", kind=UnitKind.OFFICE)
        session.add(unit)
        session.flush()
        hashed = hash_password(DEMO_PASSWORD)
        for username, position in (("tl_clerk", Position.CLERK), ("tl_spec", Position.SPECIALIST)):
            user = User(username=username, full_name=username, password_hash=hashed)
            user.positions = [UserPosition(unit_id=unit.id, position=position)]
            session.add(user)


def test_search_shows_only_what_the_user_may_see(api: Api, platform: Platform) -> None:
    _other_agency(platform)
    ordinary = _enter(api, VACCINATION)
    secret = _enter(api, {**VACCINATION, "secrecy": "mat", "number_symbol": "07/M-SYT"})
    theirs = _enter(api, VACCINATION, user="tl_clerk")
    # Register keepers see their agency's ordinary entries; secret ones only the clerk and leaders.
    assert _ids(api, "btl_clerk", "tiem chung") == [secret, ordinary]
    assert _ids(api, "btl_director", "tiem chung") == [secret, ordinary]
    assert _ids(api, "btl_admin", "tiem chung") == [ordinary]
    assert _ids(api, "tl_clerk", "tiem chung") == [theirs]
    # Staff who neither keep the registers nor handle the document see nothing of it.
    for outsider in ("btl_spec_khnv", "btl_head_ksdb", "tl_spec"):
        assert _search(api, outsider, "tiem chung")["total"] == 0, outsider
    assert _search(api, "btl_admin", "07/M-SYT")["total"] == 0

    # The drafter of an outgoing document and those with a task in its case see it.
    case = start(api)
    drafted = case["document"]["id"]
    assert _ids(api, "btl_spec_khnv", "tiem chung") == [drafted]
    assert _ids(api, "btl_head_khnv", "tiem chung") == []
    complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    assert _ids(api, "btl_head_khnv", "tiem chung") == [drafted]
    assert _ids(api, "btl_head_ksdb", "tiem chung") == []
    assert _ids(api, "tl_clerk", "tiem chung") == [theirs]
    assert _ids(api, "btl_admin", "tiem chung") == [drafted, ordinary]


def test_search_sees_a_document_whose_text_changed(api: Api) -> None:
    case = start(api)
    assert _ids(api, "btl_spec_khnv", "tiem chung") == [case["document"]["id"]]
    complete(api, "btl_spec_khnv", only_task(case), {**DRAFT, "subject": "Kế hoạch phòng chống sốt xuất huyết"})
    assert _ids(api, "btl_spec_khnv", "tiem chung") == []
    assert _ids(api, "btl_spec_khnv", "phong chong sot") == [case["document"]["id"]]


def test_upgrade_indexes_the_documents_and_tasks_already_there(api: Api, platform: Platform) -> None:
    vaccination = _enter(api, VACCINATION)
    case = start(api)
    config = schema.alembic_config(platform.db.url)
    with platform.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
        command.upgrade(config, "head")
    assert _ids(api, "btl_clerk", "tiem chung") == [case["document"]["id"], vaccination]
    assert _ids(api, "btl_spec_khnv", "tiem chung") == [case["document"]["id"]]
    assert api.get("btl_spec_khnv", "/api/v1/tasks").get_json()["total"] == 1
    complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    assert api.get("btl_spec_khnv", "/api/v1/tasks").get_json()["total"] == 0


def test_search_shows_exactly_the_documents_one_may_open(api: Api, platform: Platform) -> None:
    """The SQL filter of a search and the per-document check of GET /documents agree, for
    every demo user, on ordinary and secret entries, drafts and documents in review."""
    _other_agency(platform)
    docs = [_enter(api, VACCINATION), _enter(api, {**VACCINATION, "secrecy": "toi_mat"}),
            _enter(api, VACCINATION, user="tl_clerk")]
    reviewed = start(api, "btl_spec_ksdb")
    complete(api, "btl_spec_ksdb", only_task(reviewed), DRAFT)
    docs += [reviewed["document"]["id"], start(api)["document"]["id"]]
    users = [u for u, *_ in next(a for a in AGENCIES if a.code == "btl").staff] + ["tl_clerk", "tl_spec"]
    for user in users:
        found = set(_ids(api, user, "tiem chung"))
        allowed = {d for d in docs if api.get(user, f"/api/v1/documents/{d}").status_code == 200}
        assert found == allowed, user


def test_a_documents_words_give_what_the_index_gives(api: Api, platform: Platform) -> None:
    """The search over someone's own documents tests each one's words (search.in_words); it
    must find exactly what the full-text index finds, prefixes and punctuation included."""
    for data in (VACCINATION, DENGUE, TRAINING):
        _enter(api, data)
    queries = ["quyet dinh tiem chung", "TIÊM CHỦNG quyết", "tiem chu", "tie chung", "vac x", "vac xin s",
               "rubella vac xi", "đà", "Đinh", "125/SYT", "125/syt-nvy", "SYT", "12/UBND", "sở y tế hà nội",
               "syt 125", "nvy-syt", "tiêm chủng sốt xuất huyết", "y t", "năm 2026", "không có từ này"]
    with platform.db.read() as session:
        agency = session.scalars(select(Agency.id).where(Agency.code == "btl")).one()
        for text in queries:
            query = search.parse({"q": text})
            by_index = set(session.scalars(select(Document.id).where(
                search.words_match(session, query, search.agency_scopes(agency)))))
            by_words = set(session.scalars(select(Document.id).where(*search.in_words(session, query))))
            assert by_words == by_index, text
        assert by_index == set()  # the last query
        assert len(session.scalars(select(Document.id).where(
            *search.in_words(session, search.parse({"q": "sở y tế"})))).all()) == 2


def test_upgrade_keeps_only_the_words_of_the_search_text(api: Api, platform: Platform) -> None:
    vaccination = _enter(api, VACCINATION)
    folded = "ve viec to chuc tiem chung vac xin soi – rubella nam 2026 125/syt-nvy so y te ha noi quyet dinh"
    config = schema.alembic_config(platform.db.url)
    with platform.db.engine.begin() as connection:
        connection.execute(update(Document).where(Document.id == vaccination).values(search_text=folded))
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
        command.upgrade(config, "head")
    with platform.db.read() as session:
        assert session.scalar(select(Document.search_text).where(Document.id == vaccination)) == (
            " ve viec to chuc tiem chung vac xin soi rubella nam 2026 125 syt nvy so y te ha noi quyet dinh ")
    assert _ids(api, "btl_clerk", "125/SYT") == [vaccination]


def _participants(platform: Platform) -> set[tuple[int, int]]:
    with platform.db.read() as session:
        rows = session.execute(select(DocumentParticipant.user_id, DocumentParticipant.document_id))
        return {(u, d) for u, d in rows}


def _participants_by_rule(platform: Platform) -> set[tuple[int, int]]:
    """(user, document) for each case's initiator, follower and task candidate, as
    permissions._involved admits them to a case."""
    with platform.db.read() as session:
        rows = session.execute(union(
            select(Case.initiator_id, Case.document_id),
            select(CaseFollower.user_id, Case.document_id).join(Case, Case.id == CaseFollower.case_id),
            select(TaskCandidate.user_id, Case.document_id).join(HumanTask, HumanTask.id == TaskCandidate.task_id)
            .join(Case, Case.id == HumanTask.case_id),
        ))
        return {(u, d) for u, d in rows if d is not None}


def _user_id(platform: Platform, username: str) -> int:
    with platform.db.read() as session:
        user_id: int = session.scalars(select(User.id).where(User.username == username)).one()
        return user_id


def test_the_participants_follow_the_cases(api: Api, platform: Platform) -> None:
    """document_participants, kept by triggers (migration 0012), holds exactly the pairs of the
    rule as cases start and move on, and when a case's people or document change."""
    reviewed = start(api)
    complete(api, "btl_spec_khnv", only_task(reviewed), DRAFT)
    other = start(api, "btl_spec_ksdb")
    assert _participants(platform) == _participants_by_rule(platform) != set()
    head, doc, moved = _user_id(platform, "btl_head_khnv"), reviewed["document"]["id"], other["document"]["id"]
    assert (head, doc) in _participants(platform)

    with platform.db.write() as session:  # the head's review is no longer theirs
        session.execute(delete(TaskCandidate).where(TaskCandidate.user_id == head))
    assert (head, doc) not in _participants(platform)
    assert _participants(platform) == _participants_by_rule(platform)

    with platform.db.write() as session:  # the drafter stops following: still the initiator
        session.execute(delete(CaseFollower).where(CaseFollower.case_id == reviewed["id"]))
    assert (_user_id(platform, "btl_spec_khnv"), doc) in _participants(platform)
    assert _participants(platform) == _participants_by_rule(platform)

    with platform.db.write() as session:  # the second case handles the first one's document
        session.execute(update(Case).where(Case.id == other["id"]).values(document_id=doc))
    assert (_user_id(platform, "btl_spec_ksdb"), doc) in _participants(platform)
    assert not {d for _, d in _participants(platform)} & {moved}
    assert _participants(platform) == _participants_by_rule(platform)


def test_upgrade_fills_the_participants_of_the_cases_already_there(api: Api, platform: Platform) -> None:
    case = start(api)
    complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    config = schema.alembic_config(platform.db.url)
    with platform.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
        command.upgrade(config, "head")
    assert _participants(platform) == _participants_by_rule(platform) != set()
    assert _ids(api, "btl_head_khnv", "tiem chung") == [case["document"]["id"]]
