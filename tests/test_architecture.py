"""The house's shape (issue 14): modules small, packages of a size a newcomer can read, and the
committed drawing of the imports current. The layering itself is import-linter's (setup.cfg)."""

from __future__ import annotations

import importlib.util
import statistics
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "webui", "signing", "qlvb", "exchange")


def _modules() -> list[Path]:
    return sorted(p for top in PACKAGES for p in (ROOT / top).rglob("*.py")
                  if "migrations" not in p.parts)


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_over_400_lines() -> None:
    over = {str(p.relative_to(ROOT)): _lines(p) for p in _modules() if _lines(p) > 400}
    assert over == {}


def test_median_module_under_150_lines() -> None:
    sizes = [_lines(p) for p in _modules() if p.name != "__init__.py"]
    assert statistics.median(sizes) < 150


def test_no_package_over_15_modules() -> None:
    packages = {p.parent for p in _modules()}
    crowded = {str(d.relative_to(ROOT)): n for d in packages
               if (n := len([m for m in d.glob("*.py") if m.name != "__init__.py"])) > 15}
    assert crowded == {}


def test_every_package_says_what_it_owns() -> None:
    silent = [str(p.relative_to(ROOT)) for p in _modules()
              if p.name == "__init__.py" and not p.read_text(encoding="utf-8").lstrip().startswith('"""')]
    assert silent == []


def test_committed_import_drawing_is_current() -> None:
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import-graph.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (ROOT / "docs" / "architecture" / "imports.md").read_text(encoding="utf-8")
    if module.render() != committed:
        pytest.fail("docs/architecture/imports.md is stale: run python scripts/import-graph.py")
