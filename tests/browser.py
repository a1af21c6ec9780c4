"""Browser tests' fixtures: the app served by waitress on 127.0.0.1 in a thread, over the
test database of ``platform`` (SQLite and PostgreSQL), and Debian's Chromium driven by
Playwright (never a browser Playwright downloads). Test modules import these fixtures."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from waitress.server import create_server

from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from tests.conftest import ROOT
from webui import create_app

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# TESTING.md: headless as root, and nothing that reaches for hosts this machine cannot reach.
# Playwright gives every launch a new, empty --user-data-dir of its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The suite must pass on a machine whose cores are busy with other work (issue 14): every wait is
# on a condition, with a deadline far beyond what a quiet run needs, never a fixed pause.
PAGE_TIMEOUT_MS = 90_000
expect.set_options(timeout=60_000)
# UTF-8 read as Latin-1 or CP1252, and lost characters. "Ã" alone is Vietnamese (XÃ HỘI, NGÃ): only
# "Ã" followed by what a UTF-8 continuation byte reads as in those code pages is a misreading.
_CONTINUATION = "".join(sorted({*bytes(range(0x80, 0xC0)).decode("latin-1"),
                                *bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")}))
MOJIBAKE = re.compile(f"Ã[{re.escape(_CONTINUATION)}]|Æ|áº|Ä‘|â€|\ufffd")


_running: list[tuple[Playwright, Browser]] = []


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Browser:
    """One Chromium for the whole run. Each test module that imports this fixture gets its
    own session-scoped copy of it, and Playwright's sync API runs once per process: so
    the first copy starts the browser, the others share it, and the run's end stops it."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: scripts/system-deps.sh installs Debian's chromium")
    if not _running:
        playwright = sync_playwright().start()
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        _running.append((playwright, launched))

        def stop() -> None:
            launched.close()
            playwright.stop()
            _running.clear()

        request.addfinalizer(stop)
    return _running[0][1]


@pytest.fixture
def live_url(platform: Platform) -> Iterator[str]:
    """The app over ``platform``'s database, served by waitress on a free loopback port."""
    with serving(platform) as url:
        yield url


@contextmanager
def serving(platform: Platform) -> Iterator[str]:
    """The app over ``platform`` served by waitress on a free port of 127.0.0.1; its address."""
    server = create_server(create_app(platform), host="127.0.0.1", port=0, threads=4, ident="qlvb-test")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        server.close()
        thread.join(timeout=10)


class Staff:
    """One person's own browser session (a context: cookies of their own)."""

    def __init__(self, browser: Browser, base: str, username: str, backend: str) -> None:
        self.context: BrowserContext = browser.new_context(base_url=base, locale="vi-VN",
                                                           viewport={"width": 1360, "height": 900})
        self.context.set_default_timeout(PAGE_TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.username = username
        self.backend = backend
        self.errors: list[str] = []
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))

    def login(self) -> Staff:
        self.page.goto("/login")
        self.page.fill("#username", self.username)
        self.page.fill("#password", DEMO_PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()
        expect(self.page.get_by_test_id("who")).to_be_visible()
        return self

    def shot(self, name: str) -> None:
        """A screenshot of the whole page, kept as a test artefact."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.backend}-{name}.png"), full_page=True)

    def close(self) -> None:
        assert self.errors == [], self.errors  # no script failed on any page
        self.context.close()


def backend(platform: Platform) -> str:
    return "sqlite" if platform.db.is_sqlite else "postgresql"
