"""Every saved case moves on whatever process loads it (issue 11, item 1).

A process parses each deployed diagram once and caches it; a case is saved without its
diagram. A step taken in a process that has not itself started the case's multi-instance
sub-process (after a restart, in a second server, in the worker) used to leave the case
``running`` with no open task. Here every step runs on a diagram parsed afresh, as in a
process just started: the per-agency flows, which together take every gateway branch of
every diagram in processes/ (tests/bpmn_coverage.py), must still reach their end, and
replay and audit verification (the ``api`` fixture) must still pass.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from engine.core.platform import Platform
from engine.workflow import definitions, forms, sandbox, state
from tests import (
    test_btl_outgoing,
    test_copies_recall_backfill,
    test_dong_nai,
    test_lai_chau,
    test_quang_ngai,
    test_timers,
    test_van_ninh,
)
from tests.conftest import Api
from tests.flows import complete, only_task


class _Forgetful(dict[Any, Any]):
    """A per-process cache for a process that keeps nothing: every lookup computes anew."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


@pytest.fixture
def fresh_diagrams(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every per-process cache the engine keeps of a deployed version forgets: its parsed
    diagram, the compiled scripts and conditions, the forms' validators."""
    monkeypatch.setattr(definitions, "_versions", _Forgetful())
    monkeypatch.setattr(sandbox, "_compiled", _Forgetful())
    monkeypatch.setattr(forms, "_validators", _Forgetful())


_EVENTS = ("update_event", "ready_event", "completed_event", "error_event", "cancelled_event", "run_event")


def _hooks(spec: Any) -> dict[str, list[tuple[str, str]]]:
    """Each task spec's connected callbacks, as (function, owner task spec) per event."""
    def describe(callback: Any) -> tuple[str, str]:
        owner = getattr(callback, "__self__", None)
        return callback.__qualname__, str(getattr(owner, "name", owner))

    found = {}
    for name, task_spec in spec.task_specs.items():
        for event_name in _EVENTS:
            event = getattr(task_spec, event_name)
            callbacks = [s[0] for s in event.hard_subscribers or []]
            callbacks += [s[0].get_function() for s in event.weak_subscribers or []]
            if callbacks:
                found[f"{name}.{event_name}"] = sorted(describe(c) for c in callbacks)
    return found


def test_a_parsed_diagram_has_every_hook_a_deserialised_one_has(platform: Platform) -> None:
    """SpiffWorkflow's deserialiser is the reference: for every deployed diagram, every
    callback it connects on any task spec is connected on the diagram the engine parses."""
    with platform.db.read() as session:
        versions = definitions.latest_versions(session)
        infos = [definitions.version_info(session, v.id) for v in versions]
    assert {"laichau_incoming", "dongnai_outgoing", "qn_incoming"} <= {info.process_id for info in infos}
    for info in infos:
        for spec in (info.spec, *info.subprocess_specs.values()):
            restored = state._REGISTRY.restore(state._REGISTRY.convert(spec))
            assert _hooks(spec) == _hooks(restored), (info.process_id, spec.name)
    assert any(_hooks(info.spec) for info in infos)  # the multi-instance ones have some


def test_lai_chau_units_go_on_after_a_restart_before_each_unit_step(api: Api) -> None:
    """The stall as measured: a restart just before ``unit_assign`` or ``handle``."""
    case = test_lai_chau._start(api, "laichau_incoming", "laichau_clerk",
                                {**test_lai_chau.INCOMING, "channel": "electronic"})
    case = complete(api, "laichau_director", only_task(case), test_lai_chau.DIRECTION)
    case = complete(api, "laichau_clerk", only_task(case), {"decision": "register"})
    for unit in ("qlcn", "qltm"):
        definitions._versions.clear()
        case = complete(api, f"laichau_head_{unit}", test_lai_chau._task(case, "unit_assign", f"laichau_head_{unit}"),
                        {"assignee": f"laichau_spec_{unit}"})
    for unit in ("qlcn", "qltm"):
        definitions._versions.clear()
        case = complete(api, f"laichau_spec_{unit}", test_lai_chau._task(case, "handle", f"laichau_spec_{unit}"),
                        {"decision": "finish"})
    assert case["status"] == "completed"
    assert case["document"]["status"] == "finished"


_MODULES = (test_btl_outgoing, test_copies_recall_backfill, test_dong_nai, test_lai_chau, test_quang_ngai,
            test_timers, test_van_ninh)


def _cases(function: Callable[..., None]) -> list[dict[str, Any]]:
    """The argument sets a flow's own ``parametrize`` marks give it."""
    cases: list[dict[str, Any]] = [{}]
    for mark in getattr(function, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names = [n.strip() for n in mark.args[0].split(",")] if isinstance(mark.args[0], str) else list(mark.args[0])
        rows = [dict(zip(names, values if len(names) > 1 else (values,), strict=True)) for values in mark.args[1]]
        cases = [{**case, **row} for case in cases for row in rows]
    return cases


FLOWS = [
    pytest.param(function, given, id=f"{module.__name__.rsplit('.', 1)[-1]}.{name}" + (f"{given}" if given else ""))
    for module in _MODULES for name, function in vars(module).items()
    if name.startswith("test_") and inspect.isfunction(function) for given in _cases(function)
]


@pytest.mark.parametrize(("flow", "given"), FLOWS)
def test_every_flow_reaches_its_end_with_each_step_on_a_freshly_parsed_diagram(
    flow: Callable[..., None], given: dict[str, Any], fresh_diagrams: None, api: Api, request: pytest.FixtureRequest
) -> None:
    flow(**{name: given[name] if name in given else api if name == "api" else request.getfixturevalue(name)
            for name in inspect.signature(flow).parameters})
