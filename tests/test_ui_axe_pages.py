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
from tests.every_page import Walk, every_page


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
