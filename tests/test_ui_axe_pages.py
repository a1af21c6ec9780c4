"""axe-core over every page of the web UI (issue 17, "Must show"): the pages come from the
application's own URL map (every GET rule outside /api and /static), not from a hand list, so a
page added later is checked without editing this file; each is opened in Chromium by one person
of each position of Quảng Ngãi, over the demo data (so lists, registers and charts have rows) and
an object of every kind the paths name (tests/test_route_matrix.py makes them), each of
the document lists of the left-hand tree too. Every page a person can open (200, HTML) must have
no critical and no serious violation; the error pages (403, 404) are checked once each. A page
route no position could open fails the test, as does a path variable this file cannot fill."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select
from werkzeug.routing import Rule

from engine.core.platform import Platform
from engine.demodata import seeding
from engine.models import HumanTask, Printout, TaskCandidate, TaskStatus, User
from engine.office.document_lists import LISTS
from tests.axe import serious
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_for_every_position_has_no_serious_violation(
        browser: Browser, live_url: str, platform: Platform, api: Api) -> None:  # noqa: F811
    seeding.run(platform)
    shared = _foreign(api, platform)
    assert api.get("qn_clerk", "/api/v1/registers/incoming/print?year=2026").status_code == 200
    with platform.db.read() as s:
        shared["printout"] = s.scalars(select(Printout.code)).one()
    rules = _rules(platform)
    opened: dict[str, list[str]] = {r.rule: [] for r in rules if not NOT_HTML.search(r.rule)}
    violations: dict[str, Any] = {}
    error_pages: set[int] = set()
    for role in ROLES:
        objects = {**shared, **_own_task(platform, role)}
        staff = Staff(browser, live_url, role, backend(platform)).login()
        page = staff.page
        for rule in rules:
            if NOT_HTML.search(rule.rule):
                continue
            for path in _paths(rule, objects):
                response = page.goto(path)
                assert response is not None, path
                html = "text/html" in (response.headers.get("content-type") or "")
                if response.status == 200 and html:
                    opened[rule.rule].append(role)
                elif response.status in error_pages or not html:
                    continue
                elif response.status >= 500:
                    violations[f"{role} {path}"] = f"HTTP {response.status}"
                    continue
                else:
                    error_pages.add(response.status)
                page.wait_for_load_state("load")
                found = serious(page)
                if found:
                    violations[f"{role} {path}"] = found
        staff.close()
    assert violations == {}, violations
    never = sorted(rule for rule, roles in opened.items() if not roles)
    assert never == sorted(NOT_YET), f"pages no position could open, so never checked: {never}"
    print(f"\naxe: {sum(len(r) for r in opened.values())} page views of {len(opened)} pages, "
          f"{len(ROLES)} positions, error pages {sorted(error_pages)}")
