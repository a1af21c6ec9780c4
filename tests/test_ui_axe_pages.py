"""axe-core over every page of the web UI (issue 17, "Must show"): every page of the URL map as
each position opens it (tests/every_page.py says how they are enumerated and filled). Every page
a person can open (200, HTML) must have no critical and no serious violation; the error pages
(403, 404) are checked once each. A page route no position could open fails the test, as does a
path variable the walk cannot fill."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from engine.core.platform import Platform
from tests.axe import serious
from tests.browser import browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
<<<<<<< HEAD
from tests.test_route_matrix import _foreign
from webui import create_app

# One Quảng Ngãi person per position of the demo data (engine/demo.py); qn_spec_nvy made the
# objects of _foreign (its case, task, document, conversation), qn_clerk keeps the records.
ROLES = ["qn_spec_nvy", "qn_head_nvy", "qn_cvp", "qn_deputy1", "qn_director", "qn_clerk", "qn_admin", "qn_designer",
         "qn_auditor"]
# Pages that answer something else than a page (a file, an image, JSON for the designer's
# scripts, the language switch's redirect, a record's hand-over package): opened, not checked by axe.
NOT_HTML = re.compile(r"\.(pdf|png|json|bpmn|ico|xlsx|xml|<fmt>)$|/files/|/logout$|/signing-status$|/package$")
# The query a page needs to show anything but a refusal (the URL map does not say it).
QUERIES = {"design.diff": "?old=1&new=1"}
# Pages this file cannot reach, with what they need; the test fails when one of them becomes
# reachable (remove it here) or another page is missing.
NOT_YET: dict[str, str] = {}


def _rules(platform: Platform) -> list[Rule]:
    app = create_app(platform)
    return sorted((r for r in app.url_map.iter_rules()
                   if "GET" in (r.methods or set()) and not r.rule.startswith(("/api", "/static"))
                   and r.endpoint != "i18n.choose"), key=lambda r: r.rule)


def _own_task(platform: Platform, username: str) -> dict[str, str]:
    """The person's own open task in the demo data, and its case: their task page as they see it."""
    with platform.db.read() as s:
        found = s.execute(select(HumanTask.id, HumanTask.case_id)
                          .join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
                          .join(User, User.id == TaskCandidate.user_id)
                          .where(User.username == username, HumanTask.status == TaskStatus.OPEN)
                          .order_by(HumanTask.created_at.desc())).first()
    return {"task_id": str(found[0]), "case_id": str(found[1])} if found else {}


def _paths(rule: Rule, objects: dict[str, str]) -> list[str]:
    missing = rule.arguments - set(objects)
    assert not missing, f"{rule.rule}: no object for {sorted(missing)} (add it to _foreign)"
    path = rule.rule
    for name in rule.arguments:
        value = {"fmt": "pdf"}.get(name, objects[name]) if rule.endpoint == "record_pages.export" else objects[name]
        if rule.endpoint == "lookup.show":  # the public lookup of a printout's code (bản in)
            value = objects["printout"]
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
    if rule.endpoint == "lists.index":
        return [f"{path}?list={name}" for name in LISTS]
    return [path + QUERIES.get(rule.endpoint, "")]
=======
from tests.every_page import Walk, every_page
>>>>>>> main


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_for_every_position_has_no_serious_violation(
        browser: Browser, live_url: str, platform: Platform, api: Api) -> None:  # noqa: F811
    walk = Walk({})
    violations: dict[str, Any] = {}
    for role, path, page in every_page(browser, live_url, platform, api, walk):
        if found := serious(page):
            violations[f"{role} {path}"] = found
    assert violations == {}, violations
    walk.assert_complete()
    print(f"\naxe: {walk.summary()}")
