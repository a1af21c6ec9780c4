"""Conditions, scripts and timers type-checked against the task forms' fields (issue 18 item 1):
each field's type comes from the JSON Schema of the forms producing it, and what can never work
is refused on its element, in Vietnamese (English on the designer's page): a number compared
with a string field, a boolean with a string, an enum with a value it does not hold, arithmetic
on a string, a timer that gives no ISO duration or date. Every seed diagram passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from lxml import etree

from engine.core.platform import Platform
from engine.workflow import bpmn_check, field_types
from engine.workflow.field_types import kinds
from qlvb.cli import main
from tests.conftest import ROOT
from tests.test_designer import _client

BTL = (ROOT / "processes" / "bac_tu_liem" / "btl_outgoing.bpmn").read_text(encoding="utf-8")
START = "btl_outgoing/start.schema.json"
LIMIT = 2 * 1024 * 1024
HEAD_TO_DIRECTOR = '<bpmn:conditionExpression>decision == "approve" and route == "director"</bpmn:conditionExpression>'
TIMER = '<bpmn:timeDuration>"P2D"</bpmn:timeDuration>'
# Fields a designer added to the start form: a sum typed as text, a flag, a count, a date.
ADDED = {"amount": {"type": "string", "title": "Số tiền"}, "urgent": {"type": "boolean", "title": "Gấp"},
         "pages": {"type": "integer", "title": "Số trang"}, "reply_by": {"type": "string", "format": "date"}}


def _forms() -> dict[str, Any]:
    start = json.loads((ROOT / "forms" / START).read_text(encoding="utf-8"))
    start["properties"] = {**start["properties"], **ADDED}
    return {START: start}


def _problems(xml: str) -> list[str]:
    checked = bpmn_check.check(xml.encode("utf-8"), "btl_outgoing.bpmn", ROOT / "forms", LIMIT, forms=_forms())
    return [str(p) for p in checked.problems]


def _form_of(node: etree._Element) -> str:
    return "".join(node.xpath("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
                              "[@name='formJsonSchemaFilename']/@value", namespaces=bpmn_check.NS))


def _condition(expression: str) -> list[str]:
    """The head's "Trình Giám đốc" flow with ``and <expression>`` added to its condition."""
    condition = HEAD_TO_DIRECTOR.replace("</bpmn:", f" and {escape(expression)}</bpmn:")
    broken = BTL.replace(HEAD_TO_DIRECTOR, condition)
    assert broken != BTL
    return _problems(broken)


@pytest.mark.parametrize("path", sorted((ROOT / "processes").rglob("*.bpmn")), ids=lambda p: p.stem)
def test_every_seed_diagram_passes(path: Path) -> None:
    checked = bpmn_check.check_files([path], ROOT / "forms", LIMIT)
    assert [str(p) for p in checked[0].problems] == []


def test_the_fields_are_typed_from_the_forms_that_produce_them() -> None:
    checked = bpmn_check.check(BTL.encode("utf-8"), "btl_outgoing.bpmn", ROOT / "forms", LIMIT, forms=_forms())
    root = etree.fromstring(checked.content)
    found = field_types.field_types(root, lambda node: checked.forms.get(_form_of(node)), {})
    assert found["decision"] == kinds.FieldType(frozenset({kinds.TEXT}),
                                                frozenset({"approve", "issue", "return", "sign"}))
    assert found["route"] is not None and found["route"].values == {"director", "deputy_director"}
    assert found["urgent"] == kinds.plain(kinds.BOOLEAN) and found["pages"] == kinds.plain(kinds.NUMBER)
    assert found["reply_by"] == kinds.plain(kinds.DATE) and found["amount"] == kinds.plain(kinds.TEXT)
    assert found["head_overdue"] == kinds.plain(kinds.BOOLEAN)  # the overdue timer's script sets it


def test_a_number_compared_with_a_string_field_is_refused() -> None:
    assert _condition("amount > 5") == [
        "f_head_director: không so sánh lớn nhỏ được 'amount' (kiểu chuỗi) với '5' (kiểu số)"]
    assert _condition("pages > 5") == []  # an integer field
    assert _condition("reply_by > '2026-03-01'") == []  # dates are compared as their strings


def test_a_boolean_field_compared_with_a_string_is_refused() -> None:
    assert _condition('urgent == "yes"') == [
        "f_head_director: 'urgent' (kiểu đúng/sai) được so sánh với ''yes'' (kiểu chuỗi): hai kiểu này không bao "
        "giờ bằng nhau"]
    assert _condition("urgent == True") == [] and _condition("not urgent") == []


def test_an_enum_compared_with_a_value_it_does_not_hold_is_refused() -> None:
    assert _condition('urgency == "khẩn"') == [
        "f_head_director: điều kiện so sánh 'urgency' với 'khẩn' nhưng không biểu mẫu nào có lựa chọn này "
        "(hoa_toc, khan, thuong, thuong_khan)"]
    assert _condition('route in ("director", "chairman")') == [
        "f_head_director: điều kiện so sánh 'route' với 'chairman' nhưng không biểu mẫu nào có lựa chọn này "
        "(deputy_director, director)"]
    assert _condition('urgency in ("khan", "hoa_toc")') == []


def test_arithmetic_on_strings_is_refused() -> None:
    assert _condition("amount + 1 > 5") == [
        "f_head_director: không cộng được 'amount' (kiểu chuỗi) với '1' (kiểu số)"]
    assert _condition("subject / 2") == [
        "f_head_director: phép tính '/' trên 'subject' (kiểu chuỗi): chỉ làm được với số"]
    assert _condition("len(subject) - pages > 0") == [] and _condition('subject + "!" != ""') == []
    assert _condition("pages in 5") == [
        "f_head_director: '5' (kiểu số) không phải danh sách hay chuỗi nên không dùng 'in' được"]


def test_a_script_is_checked_on_its_task() -> None:
    broken = BTL.replace("<bpmn:script>head_overdue = True</bpmn:script>",
                         "<bpmn:script>head_overdue = urgency - 1</bpmn:script>")
    assert _problems(broken) == [
        "mark_overdue: phép tính '-' trên 'urgency' (kiểu chuỗi): chỉ làm được với số"]


def test_a_timer_must_give_an_iso_duration_or_date() -> None:
    def timer(expression: str, kind: str = "timeDuration") -> list[str]:
        return _problems(BTL.replace(TIMER, f"<bpmn:{kind}>{expression}</bpmn:{kind}>"))

    assert timer("reply_by") == ["head_deadline: biểu thức hẹn giờ cho ra kiểu ngày (chuỗi năm-tháng-ngày), không "
                                 "phải khoảng thời gian ISO 8601, ví dụ P2D hoặc PT4H"]
    assert timer("pages") == ["head_deadline: biểu thức hẹn giờ cho ra kiểu số, không phải khoảng thời gian ISO 8601, "
                              "ví dụ P2D hoặc PT4H"]
    assert timer('f"P{pages}D"') == []  # a duration built from the count
    assert timer("reply_by", "timeDate") == []
    assert timer("pages", "timeDate") == ["head_deadline: biểu thức hẹn giờ cho ra kiểu số, không phải ngày giờ "
                                          "ISO 8601, ví dụ 2026-03-05T08:00:00+07:00"]
    assert timer('"2026-13-45"', "timeDate") == [
        "head_deadline: thời điểm hẹn giờ '2026-13-45' không hợp lệ (ngày giờ ISO 8601, ví dụ "
        "2026-03-05T08:00:00+07:00)"]
    assert timer('"R3/PT1X"', "timeCycle") == [
        "head_deadline: chu kỳ hẹn giờ 'R3/PT1X' không hợp lệ (chu kỳ lặp ISO 8601, ví dụ R3/PT1H)"]
    assert timer('"R3/PT1H"', "timeCycle") == []


def test_a_script_or_timer_reading_a_field_nothing_produces_is_refused() -> None:
    """(A condition's names are checked on the way to it, by flow_check.)"""
    broken = BTL.replace("<bpmn:script>head_overdue = True</bpmn:script>",
                         "<bpmn:script>head_overdue = overdue_days &gt; 2</bpmn:script>")
    assert _problems(broken) == ["mark_overdue: biểu thức đọc 'overdue_days' nhưng không biểu mẫu, kịch bản hay bước "
                                 "nào của sơ đồ tạo ra trường này"]
    assert _problems(BTL.replace(TIMER, "<bpmn:timeDuration>review_period</bpmn:timeDuration>")) == [
        "head_deadline: biểu thức đọc 'review_period' nhưng không biểu mẫu, kịch bản hay bước nào của sơ đồ tạo ra "
        "trường này"]


def test_qlvb_process_validate_prints_a_type_error_on_its_element(tmp_path: Path) -> None:
    broken = tmp_path / "btl_outgoing.bpmn"
    broken.write_text(BTL.replace(TIMER, "<bpmn:timeDuration>urgency * 2 - 1</bpmn:timeDuration>"), encoding="utf-8")
    result = CliRunner().invoke(main, ["process", "validate", str(broken)],
                                env={"QLVB_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 1
    assert (f"{broken}: head_deadline: phép tính '-' trên 'urgency * 2' (kiểu chuỗi): chỉ làm được với số"
            in result.output)


def test_the_modeler_shows_the_message_on_its_element_in_the_page_language(platform: Platform) -> None:
    client = _client(platform, "btl_designer")
    forms = {**json.loads(client.get("/design/btl_outgoing/work.json").get_data(as_text=True))["forms"], **_forms()}
    broken = BTL.replace(HEAD_TO_DIRECTOR, HEAD_TO_DIRECTOR.replace(
        "</bpmn:conditionExpression>", " and urgent == 1 and amount &gt; 5</bpmn:conditionExpression>"))
    work = {"xml": broken, "forms": forms, "confirm": False}
    said = client.post("/design/btl_outgoing/validate", json=work).get_json()["problems"]
    assert said == [{"element": "f_head_director",
                     "message": "không so sánh lớn nhỏ được 'amount' (kiểu chuỗi) với '5' (kiểu số)"}]
    with client.session_transaction() as session:
        session["lang"] = "en"
    said = client.post("/design/btl_outgoing/validate", json=work).get_json()["problems"]
    assert said == [{"element": "f_head_director",
                     "message": "'amount' (a string) cannot be compared for order with '5' (a number)"}]
