"""axe-core (npm, a development dependency: node_modules/axe-core) run in a test's page: the
accessibility violations of the page as it stands."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def serious(page: Page) -> list[dict[str, Any]]:
    """The critical and serious violations on ``page`` (id, impact, the first offending nodes)."""
    assert AXE.exists(), "axe-core is missing: `make assets` installs it (npm ci)"
    # Evaluated through the DevTools protocol, which the pages' Content-Security-Policy (no inline
    # script) does not govern, so the page is tested with its real policy.
    page.evaluate(f"() => {{ {AXE.read_text(encoding='utf-8')}\n }}")
    found = page.evaluate("async () => (await axe.run(document)).violations.map(v => ({id: v.id, impact: v.impact,"
                          " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    return [v for v in found if v["impact"] in ("critical", "serious")]
