"""A delegation limited to some processes opens only the grantor's cases and documents of
those processes (issue 12: one limited to one process opened all the grantor's cases and
documents for reading), through the API, on SQLite and PostgreSQL; a whole delegation still
opens them all."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import Delegation, User
from tests.conftest import Api
from tests.flows import to_head


def _delegate(platform: Platform, scope: str) -> None:
    """As engine.org.delegations stores it: Bắc Từ Liêm has one process deployed in the demo, so
    the other one (its incoming documents, say) is written as a delegation would hold it."""
    with platform.db.write() as session:
        grantor, delegate = (session.scalars(select(User.id).where(User.username == name)).one()
                             for name in ("btl_head_khnv", "btl_spec_ksdb"))
        session.add(Delegation(grantor_id=grantor, delegate_id=delegate, starts_on=date(2026, 3, 2),
                               ends_on=date(2026, 3, 31), scope=scope, created_at=platform.clock.now()))


def test_a_delegation_for_one_process_opens_no_other(api: Api, platform: Platform) -> None:
    task = to_head(api)  # a btl_outgoing case of the head of KHNV (the grantor)
    case = api.get("btl_head_khnv", f"/api/v1/tasks/{task['id']}").get_json()["case"]
    document = api.get("btl_head_khnv", f"/api/v1/cases/{case['id']}").get_json()["document"]
    paths = [f"/api/v1/cases/{case['id']}", f"/api/v1/cases/{case['id']}/history",
             f"/api/v1/documents/{document['id']}"]
    assert [api.get("btl_spec_ksdb", p).status_code for p in paths] == [403, 403, 403]

    _delegate(platform, "btl_incoming")
    assert [api.get("btl_spec_ksdb", p).status_code for p in paths] == [403, 403, 403]
    assert api.get("btl_spec_ksdb", f"/api/v1/tasks/{task['id']}").status_code in (403, 404)
    found = api.get("btl_spec_ksdb", "/api/v1/search?q=" + document["subject"].split()[0]).get_json()
    assert document["id"] not in [d["id"] for d in found["items"]]

    _delegate(platform, "btl_incoming,btl_outgoing")
    assert [api.get("btl_spec_ksdb", p).status_code for p in paths] == [200, 200, 200]
    found = api.get("btl_spec_ksdb", "/api/v1/search?q=" + document["subject"].split()[0]).get_json()
    assert document["id"] in [d["id"] for d in found["items"]]
