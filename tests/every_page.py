"""Every page of the web UI, opened by one person of each position (issue 17, "Must show"): the
pages come from the application's own URL map (every GET rule outside /api and /static), not
from a hand list, so a page added later is visited without editing the tests that walk them
(axe, the English scan). Each is opened in Chromium by one person of each position of Quảng
Ngãi, over the demo data (so lists, registers and charts have rows) and an object of every kind
the paths name (tests/test_route_matrix.py makes them), each of the document lists of the
left-hand tree too. A page route no position could open fails the walk, as does a path variable
this file cannot fill."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.routing import Rule

from engine.core.platform import Platform
from engine.demodata import seeding
from engine.models import HumanTask, Printout, TaskCandidate, TaskStatus, User
from engine.office.document_lists import LISTS
from tests.browser import Staff, backend
from tests.conftest import Api
from tests.test_route_matrix import _foreign
from webui import create_app

# One Quảng Ngãi person per position of the demo data (engine/demo.py); qn_spec_nvy made the
# objects of _foreign (its case, task, document, conversation), qn_clerk keeps the records.
ROLES = ["qn_spec_nvy", "qn_head_nvy", "qn_cvp", "qn_deputy1", "qn_director", "qn_clerk", "qn_admin", "qn_designer",
         "qn_auditor"]
# Pages that answer something else than a page (a file, an image, JSON for the designer's
# scripts, the language switch's redirect, a record's hand-over package): never opened.
NOT_HTML = re.compile(r"\.(pdf|png|json|bpmn|ico|xlsx|xml|<fmt>)$|/files/|/logout$|/signing-status$|/package$")
# The query a page needs to show anything but a refusal (the URL map does not say it).
QUERIES = {"design.diff": "?old=1&new=1"}
# Pages this file cannot reach, with what they need; the walk fails when one of them becomes
# reachable (remove it here) or another page is missing.
NOT_YET: dict[str, str] = {}


def _rules(platform: Platform) -> list[Rule]:
    app = create_app(platform)
    return sorted((r for r in app.url_map.iter_rules()
                   if "GET" in (r.methods or set()) and not r.rule.startswith(("/api", "/static"))
                   and r.endpoint != "i18n.choose" and not NOT_HTML.search(r.rule)), key=lambda r: r.rule)


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


@dataclass
class Walk:
    """What a walk over every page saw: who opened each page, the error pages met, server errors."""

    opened: dict[str, list[str]]
    error_pages: set[int] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)

    def assert_complete(self) -> None:
        assert self.failures == {}, self.failures
        never = sorted(rule for rule, roles in self.opened.items() if not roles)
        assert never == sorted(NOT_YET), f"pages no position could open, so never checked: {never}"

    def summary(self) -> str:
        return (f"{sum(len(r) for r in self.opened.values())} page views of {len(self.opened)} pages, "
                f"{len(ROLES)} positions, error pages {sorted(self.error_pages)}")


def every_page(browser: Browser, live_url: str, platform: Platform, api: Api, walk: Walk | None = None,
               language: str | None = None) -> Iterator[tuple[str, str, Page]]:
    """(position, path, page) for every page each position opens (200, HTML), and each error
    page (403, 404, 422…) once, the page loaded; in ``language`` when given (chosen with the
    header's switch once per person). The walk's record goes to ``walk``."""
    seeding.run(platform)
    shared = _foreign(api, platform)
    assert api.get("qn_clerk", "/api/v1/registers/incoming/print?year=2026").status_code == 200
    with platform.db.read() as s:
        shared["printout"] = s.scalars(select(Printout.code)).one()
    rules = _rules(platform)
    record = walk if walk is not None else Walk({})
    record.opened.update({r.rule: [] for r in rules})
    for role in ROLES:
        objects = {**shared, **_own_task(platform, role)}
        staff = Staff(browser, live_url, role, backend(platform)).login()
        page = staff.page
        if language:
            page.locator(f'form.languages button[value="{language}"]').click()
            expect(page.locator("html")).to_have_attribute("lang", language)
        for rule in rules:
            for path in _paths(rule, objects):
                response = page.goto(path)
                assert response is not None, path
                html = "text/html" in (response.headers.get("content-type") or "")
                if response.status == 200 and html:
                    record.opened[rule.rule].append(role)
                elif response.status in record.error_pages or not html:
                    continue
                elif response.status >= 500:
                    record.failures[f"{role} {path}"] = f"HTTP {response.status}"
                    continue
                else:
                    record.error_pages.add(response.status)
                page.wait_for_load_state("load")
                yield role, path, page
        staff.close()
