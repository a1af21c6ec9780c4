"""The inbox and the delegations every task view asks about run statements built once (issue 19
item 4, CPU per step): building an SQLAlchemy statement and its cache key costs more than running
it on SQLite. A person without a delegation limited to some processes reads the inbox with the
same statement objects on every request (the people whose candidacies count are a parameter);
one with such a delegation has its conditions built for its read, as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine.core.platform import Platform
from tests.conftest import Api
from tests.flows import only_task
from tests.test_request_costs import REGISTER, _incoming

INBOX = "/api/v1/tasks?per_page=20"


@contextmanager
def executed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The identities of the statements the ORM session ran inside the block."""
    seen: list[int] = []
    original = Session.execute

    def execute(session: Session, statement: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(id(statement))
        return original(session, statement, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Session, "execute", execute)
        yield seen


def test_the_inbox_and_a_task_view_run_statements_built_once(api: Api, platform: Platform,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    api.complete("btl_clerk", only_task(_incoming(api, 1))["id"], REGISTER)
    api.complete("btl_clerk", only_task(_incoming(api, 2))["id"], REGISTER)
    api.token("btl_director")
    runs = []
    for page in ("1", "1", "2"):
        with executed(monkeypatch) as seen:
            r = api.get("btl_director", f"/api/v1/tasks?per_page=1&page={page}")
        assert r.status_code == 200 and r.get_json()["total"] == 2
        runs.append(seen)
    assert runs[0] == runs[1] == runs[2] and len(runs[0]) >= 2  # the token, the delegations, the page
    task = api.get("btl_director", INBOX).get_json()["items"][0]["id"]
    views = []
    for _ in range(2):
        with executed(monkeypatch) as seen:
            assert api.get("btl_director", f"/api/v1/tasks/{task}").status_code == 200
        views.append(seen)
    assert views[0] == views[1]
