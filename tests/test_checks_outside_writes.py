"""The checks a write request makes before writing run outside its write transaction (issue 19:
on SQLite the write lock, engine.core.write_gate, is held from the transaction's first statement
to its end, and every other writer of the installation waits meanwhile). On SQLite and PostgreSQL:

- an incoming document received without a kept check (as one delivered by another agency of the
  installation) is verified before the transaction of the procedure's step that numbers it
  (engine.signed_steps), and registered with that check;
- on SQLite, the token of an API write (a case started, a task completed) and the session of a
  page's write are looked up and checked in a read transaction before the write one, which reads
  the person again by id (engine.org.accounts.person_again) and refuses an account disabled
  meanwhile; on PostgreSQL, where a read locks nothing, a plain write checks it inside (one
  transaction less), and a completion in its read phase (engine.signed_steps) as on SQLite.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.core.errors import Unauthorized
from engine.core.platform import Platform
from engine.models import Document, SignatureStatus, User
from engine.org import accounts
from engine.signatures import signatures
from tests.conftest import Api
from tests.flows import DRAFT, complete, only_task, start
from tests.test_intake import _signed
from tests.test_ui_inbox import _login
from webui import create_app


class Writes:
    """Whether the calling thread is inside a write transaction of the platform's database: every
    ``Database.write`` (the API's, the pages', engine.signed_steps') is counted while it is open."""

    def __init__(self, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
        self.local = threading.local()
        original = platform.db.write

        @contextlib.contextmanager
        def write() -> Iterator[Any]:
            self.local.depth = self.depth() + 1
            try:
                with original() as session:
                    yield session
            finally:
                self.local.depth -= 1

        monkeypatch.setattr(platform.db, "write", write)

    def depth(self) -> int:
        return int(getattr(self.local, "depth", 0))


def test_a_received_file_is_verified_before_the_registering_step_writes(api: Api, platform: Platform,
                                                                        demo_pki: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    r = api.post("vn_clerk", "/api/v1/cases", {"process": "vn_five_step", "data": {
        "channel": "electronic", "doc_type": "CV", "subject": "Về việc lập kế hoạch đầu tư công năm 2027",
        "number_symbol": "88/UBND-KT", "issuer_name": "UBND tỉnh Khánh Hòa", "document_date": "2026-02-25"}})
    case = r.get_json()
    assert api.upload("vn_clerk", case["document"]["id"], _signed(demo_pki)).status_code == 201
    with platform.db.write() as session:  # as delivered from another agency: no check kept here
        doc = session.get(Document, case["document"]["id"])
        assert doc is not None and doc.verified_sha256 is not None
        doc.verified_sha256, doc.signatures_json, doc.signature_status = None, None, SignatureStatus.NONE
    writes = Writes(platform, monkeypatch)
    verified: list[int] = []
    original = signatures.check_stored

    def check_stored(*args: Any, **kwargs: Any) -> Any:
        verified.append(writes.depth())
        return original(*args, **kwargs)

    monkeypatch.setattr(signatures, "check_stored", check_stored)
    done = complete(api, "vn_clerk", only_task(case), {"decision": "register"})
    assert verified == [0]  # once, with no write transaction open
    registered = api.get("vn_clerk", f"/api/v1/documents/{case['document']['id']}").get_json()
    assert (registered["number"], registered["signature_status"]) == (1, "valid"), done
    assert registered["signatures"][0]["valid"] is True


def test_a_write_requests_token_is_checked_before_its_write_transaction(api: Api, platform: Platform,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    writes = Writes(platform, monkeypatch)
    looked_up: list[int] = []
    original = accounts.user_for_token

    def user_for_token(*args: Any, **kwargs: Any) -> Any:
        looked_up.append(writes.depth())
        return original(*args, **kwargs)

    monkeypatch.setattr(accounts, "user_for_token", user_for_token)
    case = start(api)  # an API write (webui.api.util.authed)
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)  # through engine.signed_steps
    api_lookups = len(looked_up)
    page = create_app(platform).test_client()
    _login(page, "btl_head_khnv")
    assert page.get(f"/tasks/{only_task(case)['id']}").status_code == 200  # its read of the document: a write
    assert api_lookups >= 2 and len(looked_up) > api_lookups
    if platform.db.is_sqlite:
        assert set(looked_up) == {0}, looked_up
    else:  # the start and the page's write inside their transaction, the completion's before it
        assert looked_up[0] == 1 and looked_up[-1] == 1 and 0 in looked_up, looked_up


def test_an_account_disabled_after_its_token_was_checked_is_refused_in_the_write(platform: Platform) -> None:
    with platform.db.write() as session:
        user = session.scalars(select(User).where(User.username == "btl_clerk")).one()
        assert accounts.person_again(session, user.id) is user
        user.active = False
    with platform.db.write() as session, pytest.raises(Unauthorized):
        accounts.person_again(session, user.id)
