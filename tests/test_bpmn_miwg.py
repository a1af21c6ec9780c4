"""The bpmn-miwg reference models (tests/data/bpmn-miwg, CC-BY 3.0) drawn by other tools, through
every path a diagram takes here (issue 18 item 1): the validator (bpmn_check with flow_check
and field_types), SpiffWorkflow's parser, the layout of a diagram without its drawing, and the designer's modeler.
None may crash; what the platform cannot run is listed on its element, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import Browser, expect
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.core.platform import Platform
from engine.design import bpmn_layout
from engine.workflow import bpmn_check, field_types, flow_check
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import ROOT

MODELS = sorted((ROOT / "tests" / "data" / "bpmn-miwg").glob("*.bpmn"))
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
LIMIT = 4 * 1024 * 1024


def test_the_subset_is_there_with_its_licence() -> None:
    assert len(MODELS) == 10
    licence = (ROOT / "tests" / "data" / "bpmn-miwg" / "LICENSE.txt").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 3.0" in licence


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_the_validator_reads_each_model_without_crashing(model: Path) -> None:
    checked = bpmn_check.check(model.read_bytes(), model.name, ROOT / "forms", LIMIT)
    assert checked.problems  # drawn for another engine: none runs here as it is
    assert all(p.message for p in checked.problems)
    # The checks that stop at the first problems in a deployment, run over the whole model anyway.
    root = etree.fromstring(model.read_bytes())
    found = flow_check.problems(root, lambda node: (frozenset(), ()), frozenset())
    found += field_types.problems(root, lambda node: None, {})
    for element, message in found:
        assert message and (element is None or root.xpath("//*[@id=$id]", id=element))


def test_what_the_platform_cannot_run_is_listed_on_each_element() -> None:
    listed: dict[str, set[str]] = {}
    for model in MODELS:
        checked = bpmn_check.check(model.read_bytes(), model.name, ROOT / "forms", LIMIT)
        for problem in checked.problems:
            if "không được hỗ trợ" in problem.message:
                kind = problem.message.split("(")[1].split(")")[0]
                listed.setdefault(kind, set()).add(model.stem)
        root = etree.fromstring(model.read_bytes())
        kinds = {etree.QName(e).localname for e in root.iter() if isinstance(e.tag, str)}
        for kind in bpmn_check.UNSUPPORTED:
            assert (kind in kinds) == (model.stem in listed.get(kind, set())), (model.stem, kind)
    assert {"serviceTask", "businessRuleTask", "dataStoreReference"} <= set(listed)


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_spiffworkflow_parses_or_refuses_each_process(model: Path) -> None:
    """Made executable, each process is parsed or refused with SpiffWorkflow's own validation
    message, which the validator reports (never a TypeError or KeyError from deep inside)."""
    root = etree.fromstring(model.read_bytes())
    for process in root.iter(f"{{{BPMN}}}process"):
        process.set("isExecutable", "true")
    try:
        parser = bpmn_check.parser_for(root, model.name)
        for process_id in parser.get_process_ids():
            try:
                parser.get_spec(process_id)
            except ValidationException as err:
                assert str(err).strip()
    except ValidationException as err:  # the whole file refused (a data store without implementation)
        assert str(err).strip()


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_a_model_without_its_drawing_is_laid_out(model: Path) -> None:
    root = etree.fromstring(model.read_bytes())
    for diagram in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        root.remove(diagram)
    bare = etree.tostring(root, encoding="unicode")
    drawn = etree.fromstring(bpmn_layout.with_diagram(bare).encode())
    shapes = {s.get("bpmnElement") for s in drawn.iter(f"{{{BPMNDI}}}BPMNShape")}
    process = next((p for p in drawn.iterfind(f"{{{BPMN}}}process") if p.get("isExecutable") == "true"),
                   drawn.find(f"{{{BPMN}}}process"))
    assert process is not None
    nodes = [c.get("id") for c in process if isinstance(c.tag, str) and etree.QName(c).localname in (
        "task", "userTask", "startEvent", "endEvent", "exclusiveGateway", "parallelGateway")]
    assert set(nodes) <= shapes


def test_the_modeler_imports_three_models(browser: Browser, live_url: str, platform: Platform) -> None:  # noqa: F811
    designer = Staff(browser, live_url, "btl_designer", backend(platform)).login()
    page = designer.page
    page.goto("/design/btl_outgoing/edit")
    expect(page.locator("#designer")).to_have_attribute("data-ready", "1")
    for stem in ("A.2.0", "A.4.1", "C.1.0"):
        model = ROOT / "tests" / "data" / "bpmn-miwg" / f"{stem}.bpmn"
        page.get_by_test_id("import-file").set_input_files(str(model))
        expect(page.get_by_test_id("designer-status")).to_contain_text(f"Đã nhập tệp {stem}.bpmn")
        # Every task of the model is an element of the modeler (some on a sub-process's own plane).
        tasks = [t.get("id") for t in etree.fromstring(model.read_bytes()).iter(f"{{{BPMN}}}task")]
        assert tasks
        page.wait_for_function("(ids) => ids.every((id) => window.qlvbDesigner.modeler.get('elementRegistry')"
                               ".get(id))", arg=tasks)
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_test_id("problems")).to_contain_text("không được hỗ trợ")
    designer.shot("designer-miwg-c1")
    designer.close()
