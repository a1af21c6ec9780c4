"""A diagram that would break a running case is refused before it is deployed, with the element
that is wrong (issue 18 item 1): the two broken diagrams a designer produced in the modeler (a
task left unconnected; the "Đã phát hành" end event deleted with its flow), a condition that reads
a field nothing produces, a flow out of a gateway without condition, a timer "PT2X", and a lane
that names nobody in the agency the process is deployed for."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from engine.core.platform import Platform
from engine.design import lane_check
from engine.workflow import bpmn_check
from qlvb.cli import main
from tests.conftest import ROOT

BTL = (ROOT / "processes" / "bac_tu_liem" / "btl_outgoing.bpmn").read_text(encoding="utf-8")
LIMIT = 2 * 1024 * 1024


def _problems(xml: str) -> list[str]:
    checked = bpmn_check.check(xml.encode("utf-8"), "btl_outgoing.bpmn", ROOT / "forms", LIMIT)
    return [str(p) for p in checked.problems]


def _without(xml: str, *patterns: str) -> str:
    for pattern in patterns:
        xml, count = re.subn(pattern, "", xml, flags=re.S)
        assert count, pattern
    return xml


def test_the_seed_diagram_passes() -> None:
    assert _problems(BTL) == []


def test_a_task_left_unconnected_is_refused_on_its_element() -> None:
    broken = BTL.replace("</bpmn:laneSet>", "</bpmn:laneSet>\n    <bpmn:task id=\"orphan\" name=\"Việc bỏ quên\"/>")
    assert _problems(broken) == ["orphan: 'Việc bỏ quên' không đi tới được từ sự kiện bắt đầu (không có luồng vào)"]


def test_deleting_the_issued_end_event_leaves_the_clerks_issue_leading_nowhere() -> None:
    # What the modeler leaves when "Đã phát hành" is deleted: the event, its flow and their shapes gone.
    broken = _without(BTL, r"\s*<bpmn:endEvent id=\"end_issued\".*?</bpmn:endEvent>",
                      r"\s*<bpmn:sequenceFlow id=\"f_clerk_end\".*?</bpmn:sequenceFlow>",
                      r"\s*<bpmn:outgoing>f_clerk_end</bpmn:outgoing>",
                      r"\s*<bpmndi:BPMNShape id=\"end_issued_di\".*?</bpmndi:BPMNShape>",
                      r"\s*<bpmndi:BPMNEdge id=\"f_clerk_end_di\".*?</bpmndi:BPMNEdge>")
    assert _problems(broken) == [
        "clerk_issue: lựa chọn 'issue' của 'Văn thư ký số cơ quan, lấy số, phát hành' không dẫn tới đâu: "
        "cổng 'Kiểm tra thể thức' không có luồng cho giá trị này"]


def test_a_condition_reading_a_field_no_form_produces_is_refused() -> None:
    clerk_return = 'sourceRef="gw_clerk" targetRef="draft">\n      <bpmn:conditionExpression>'
    broken = BTL.replace(clerk_return + 'decision == "return"', clerk_return + 'urgent and decision == "return"')
    assert broken != BTL
    assert _problems(broken) == ["f_clerk_return: điều kiện đọc 'urgent' nhưng không biểu mẫu, kịch bản hay bước "
                                 "nào trước nó tạo ra trường này"]


def test_a_field_produced_only_on_another_branch_is_refused_too() -> None:
    # head_overdue is set by the overdue timer's script, on a branch that ends there: the clerk's
    # gateway can never see it, though a form or script of the diagram does produce it.
    broken = BTL.replace('<bpmn:conditionExpression>decision == "issue"</bpmn:conditionExpression>',
                         '<bpmn:conditionExpression>decision == "issue" or head_overdue</bpmn:conditionExpression>')
    assert broken != BTL
    assert _problems(broken) == ["f_clerk_end: điều kiện đọc 'head_overdue' nhưng không biểu mẫu, kịch bản hay bước "
                                 "nào trước nó tạo ra trường này"]


def test_a_condition_comparing_the_decision_with_a_value_no_form_offers_is_refused() -> None:
    broken = BTL.replace('<bpmn:conditionExpression>decision == "issue"</bpmn:conditionExpression>',
                         '<bpmn:conditionExpression>decision in ("issue", "isue")</bpmn:conditionExpression>')
    assert broken != BTL
    [found] = _problems(broken)
    assert found.startswith("f_clerk_end: điều kiện so sánh 'decision' với 'isue' nhưng không biểu mẫu nào có lựa "
                            "chọn này (approve, issue, return, sign")


def test_a_gateway_flow_without_condition_is_refused() -> None:
    condition = '<bpmn:conditionExpression>decision == "return"</bpmn:conditionExpression>'
    after = '\n    <bpmn:sequenceFlow id="f_clerk_end"'
    broken = BTL.replace(f'targetRef="draft">\n      {condition}\n    </bpmn:sequenceFlow>{after}',
                         f'targetRef="draft"/>{after}')
    assert broken != BTL
    assert _problems(broken) == ["f_clerk_return: luồng ra khỏi cổng 'Kiểm tra thể thức' không có điều kiện và "
                                 "không phải luồng mặc định"]


def test_a_timer_of_pt2x_is_refused() -> None:
    assert _problems(BTL.replace('"P2D"', '"PT2X"')) == [
        "head_deadline: thời hạn hẹn giờ 'PT2X' không hợp lệ (khoảng thời gian ISO 8601, ví dụ P2D hoặc PT4H)"]


def test_a_lane_naming_nobody_in_the_agency_is_refused_with_who_each_lane_names(platform: Platform) -> None:
    broken = BTL.replace('<bpmn:lane id="Lane_director" name="director">',
                         '<bpmn:lane id="Lane_director" name="deputy_office_chief">')
    assert broken != BTL
    checked = bpmn_check.check(broken.encode("utf-8"), "btl_outgoing.bpmn", ROOT / "forms", LIMIT)
    assert checked.problems == []  # nothing wrong in the file itself: only this installation's people
    with platform.db.read() as session:
        found = [str(p) for p in lane_check.problems(session, checked)]
        previews = {p.lane_id: p for p in lane_check.previews(session, checked, lane_check.lanes(checked.content))}
    assert found == ["Lane_director: lane 'deputy_office_chief' không có ai ở cơ quan btl: công việc ở lane này sẽ "
                     "không giao được cho ai"]
    assert previews["Lane_clerk"].count >= 1 and previews["Lane_clerk"].people  # the clerks, by name
    assert previews["Lane_drafter"].depends_on_case  # "initiator": known when a case starts


def test_qlvb_process_validate_prints_each_problem_on_its_element(tmp_path: Path) -> None:
    broken = tmp_path / "btl_outgoing.bpmn"
    broken.write_text(BTL.replace('"P2D"', '"PT2X"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["process", "validate", str(broken)],
                                env={"QLVB_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 1
    assert f"{broken}: head_deadline: thời hạn hẹn giờ 'PT2X' không hợp lệ" in result.output


def test_the_names_actions_may_write_are_the_keys_they_return() -> None:
    """``actions.OUTPUTS`` (what a condition may read from an action) is what the actions return."""
    import ast
    import inspect

    from engine.workflow import actions

    tree = ast.parse(inspect.getsource(actions))
    dicts = [d for node in ast.walk(tree) if isinstance(node, ast.Return) and node.value is not None
             for d in ast.walk(node.value) if isinstance(d, ast.Dict)]
    returned = {key.value for d in dicts for key in d.keys if isinstance(key, ast.Constant)}
    returned |= {node.slice.value for node in ast.walk(tree) if isinstance(node, ast.Subscript)
                 and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name) and node.value.id == "entered"
                 and isinstance(node.slice, ast.Constant)}
    assert returned == actions.OUTPUTS


def _long_diagram(steps: int, subprocesses: int) -> bytes:
    """A process of ``steps`` script tasks, each followed by a gateway whose condition reads what
    the task set and what the first one set, then a chain of sub-processes whose conditions read
    their parent's names; the last condition reads a name nothing sets."""
    parts = ['<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="big">',
             '<startEvent id="start"/><sequenceFlow id="f_start" sourceRef="start" targetRef="s0"/>']
    for i in range(steps):
        after = f"s{i + 1}" if i + 1 < steps else "sub0"
        parts.append(f'<scriptTask id="s{i}"><script>v{i} = {i}</script></scriptTask>'
                     f'<sequenceFlow id="f_s{i}" sourceRef="s{i}" targetRef="g{i}"/>'
                     f'<exclusiveGateway id="g{i}" default="f_end{i}"/><endEvent id="end{i}"/>'
                     f'<sequenceFlow id="f_end{i}" sourceRef="g{i}" targetRef="end{i}"/>'
                     f'<sequenceFlow id="f_next{i}" sourceRef="g{i}" targetRef="{after}">'
                     f'<conditionExpression>v{i} == {i} and v0 == 0</conditionExpression></sequenceFlow>')
    for j in range(subprocesses):
        after = f"sub{j + 1}" if j + 1 < subprocesses else "last"
        read = "nowhere" if j + 1 == subprocesses else f"v{j % steps}"
        parts.append(f'<subProcess id="sub{j}"><startEvent id="sub{j}_start"/>'
                     f'<sequenceFlow id="sub{j}_f1" sourceRef="sub{j}_start" targetRef="sub{j}_gw"/>'
                     f'<exclusiveGateway id="sub{j}_gw" default="sub{j}_f3"/><endEvent id="sub{j}_end"/>'
                     f'<sequenceFlow id="sub{j}_f2" sourceRef="sub{j}_gw" targetRef="sub{j}_end">'
                     f'<conditionExpression>{read} == 1</conditionExpression></sequenceFlow>'
                     f'<sequenceFlow id="sub{j}_f3" sourceRef="sub{j}_gw" targetRef="sub{j}_end"/></subProcess>'
                     f'<sequenceFlow id="f_sub{j}" sourceRef="sub{j}" targetRef="{after}"/>')
    parts.append('<endEvent id="last"/></process></definitions>')
    return "".join(parts).encode()


def test_a_large_diagram_is_checked_in_linear_time() -> None:
    """The names known at each condition come from one pass over the diagram: 2,000 gateways and
    1,000 sub-processes take about a second (load 9.5, 2 cores); the walk back from every condition
    and each sub-process recomputing its parent's names took 16 s for a quarter of it and over
    5 minutes for this one."""
    import time

    from lxml import etree

    from engine.workflow import flow_check

    root = etree.fromstring(_long_diagram(2000, 1000))
    started = time.perf_counter()
    found = flow_check.problems(root, lambda node: (frozenset(), ()), frozenset())
    elapsed = time.perf_counter() - started
    assert found == [("sub999_f2", "điều kiện đọc 'nowhere' nhưng không biểu mẫu, kịch bản hay bước nào trước nó "
                                   "tạo ra trường này")]
    assert elapsed < 30, elapsed
