"""Cases saved by the platform, kept as test data (tests/data/saved_cases/*.json), so that an
upgrade of the platform, of its diagrams or of SpiffWorkflow (whose own serialized-format
migration of 3.2.0 breaks workflows with sub-processes, ENGINE.md) is tested against real
saved state: each loads with the diagram it ran on, shows the same open tasks, takes its next
step, saves again unchanged, and moves onto the diagram the platform ships today.

Each file holds the version's BPMN and forms as deployed, the case's ``state_json`` and its
data, the open tasks, and the next step with the tasks it opens. They were written by
``QLVB_SAVE_CASES=1 pytest tests/test_saved_cases.py -k write`` from the flows below."""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import Case, ProcessVersion
from engine.workflow import sandbox, state, surgery
from engine.workflow.bpmn_check import parser_for, safe_xml
from engine.workflow.definitions import wire
from tests.conftest import ROOT, Api
from tests.flows import attach_pdf, complete, only_task, to_head
from tests.incident_support import DIRECTION, INCOMING

SAVED = ROOT / "tests" / "data" / "saved_cases"
SHIPPED = {"btl_outgoing": "bac_tu_liem/btl_outgoing.bpmn", "laichau_incoming": "lai_chau/laichau_incoming.bpmn"}


def _specs(xml: str, process_id: str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    parser = parser_for(safe_xml(xml.encode("utf-8"), process_id, 64 * 1024 * 1024), process_id)
    spec, subs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    wire((spec, *subs.values()))
    return spec, subs


def _ready(workflow: Any) -> list[str]:
    return sorted(t.task_spec.name for t in workflow.get_tasks(state=TaskState.READY, manual=True))


def _fixtures() -> list[Path]:
    return sorted(SAVED.glob("*.json"))


def test_the_saved_cases_are_there() -> None:
    names = {p.stem for p in _fixtures()}
    assert {"btl_outgoing_head_review", "laichau_incoming_per_unit"} <= names
    with_subprocesses = [p for p in _fixtures() if json.loads(json.loads(p.read_text())["state"])["subprocesses"]]
    assert with_subprocesses, "a saved case with sub-processes is what SpiffWorkflow 3.2.0's migration breaks"


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.stem)
def test_a_saved_case_loads_steps_on_and_saves_again(path: Path) -> None:
    saved = json.loads(path.read_text(encoding="utf-8"))
    spec, subs = _specs(saved["bpmn"], saved["process_id"])
    workflow = state.load(saved["state"], spec, subs)
    assert _ready(workflow) == saved["open"]
    assert state.dump(state.load(saved["state"], spec, subs)) == saved["state"]  # saved again unchanged

    step = saved["next"]
    task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.name == step["task"]
                and all(t.data.get(k) == v for k, v in step.get("where", {}).items()))
    task.data.update(step["data"])
    task.run()
    sandbox.run_engine(workflow)
    assert _ready(workflow) == step["opens"]
    again = state.load(state.dump(workflow), spec, subs)
    assert _ready(again) == step["opens"]


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.stem)
def test_a_saved_case_moves_onto_the_diagram_shipped_today(path: Path) -> None:
    saved = json.loads(path.read_text(encoding="utf-8"))
    old, old_subs = _specs(saved["bpmn"], saved["process_id"])
    shipped = (ROOT / "processes" / SHIPPED[saved["process_id"]]).read_text(encoding="utf-8")
    new, new_subs = _specs(shipped, saved["process_id"])
    workflow = state.load(saved["state"], old, old_subs)
    assert surgery.unmatched(workflow, new, new_subs, {}) == []
    ids = {str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    surgery.repoint(workflow, new, new_subs, {})
    moved = state.load(state.dump(workflow), new, new_subs)
    assert {str(t.id) for t in moved.get_tasks(state=TaskState.READY, manual=True)} == ids


def _write(platform: Platform, case_id: int, name: str, next_step: dict[str, Any]) -> None:
    with platform.db.read() as session:
        case = session.get(Case, case_id)
        version = session.get(ProcessVersion, case.process_version_id)
        spec, subs = _specs(version.bpmn_xml, version.process_id)
        workflow = state.load(case.state_json, spec, subs)
        saved = {"process_id": version.process_id, "version": version.version,
                 "spiffworkflow": metadata.version("SpiffWorkflow"),  # what wrote it
                 "bpmn": version.bpmn_xml, "forms": json.loads(version.forms_json), "state": case.state_json,
                 "data": json.loads(case.data_json), "open": _ready(workflow), "next": next_step}
    (SAVED / f"{name}.json").write_text(json.dumps(saved, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@pytest.mark.skipif(os.environ.get("QLVB_SAVE_CASES") != "1", reason="writes the saved cases: QLVB_SAVE_CASES=1")
def test_write_saved_cases(api: Api, platform: Platform) -> None:
    if not platform.db.is_sqlite:
        pytest.skip("written once, from SQLite")
    task = to_head(api)
    with platform.db.read() as session:
        case_id = session.scalars(select(Case.id).order_by(Case.id.desc())).first()
    _write(platform, case_id, "btl_outgoing_head_review",
           {"task": "head_review", "data": {"decision": "return", "note": "Sửa"}, "opens": ["draft"]})
    assert task["task"] == "head_review"

    r = api.post("laichau_clerk", "/api/v1/cases", {"process": "laichau_incoming", "data": INCOMING})
    case = complete(api, "laichau_clerk", only_task(r.get_json()), {"decision": "register"})
    case = complete(api, "laichau_director", only_task(case), DIRECTION)
    attach_pdf(api, "laichau_clerk", case)
    case = complete(api, "laichau_clerk", only_task(case), {"decision": "route"})
    _write(platform, case["id"], "laichau_incoming_per_unit",
           {"task": "unit_assign", "where": {"unit": "QLCN"}, "data": {"assignee": "laichau_spec_qlcn"},
            "opens": ["handle", "unit_assign"]})
