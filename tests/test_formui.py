"""The forms' UI descriptions (forms/*.ui.json, react-jsonschema-form's ``ui:`` shape) and the
server-rendered forms that follow them: field order, widgets, defaults such as today's date,
help texts, a choice's message asking to choose, the act's words on the button."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from markupsafe import escape

from engine.office.workspace import ENTRY_FORM
from tests.conftest import ROOT
from webui.common import labels, pageutil
from webui.forms import fields as formfields
from webui.forms import formui

FORMS = ROOT / "forms"
DESCRIPTIONS = sorted(FORMS.glob("*/*.ui.json"))


@pytest.mark.parametrize("path", DESCRIPTIONS, ids=lambda p: str(p.relative_to(FORMS)))
def test_every_description_fits_its_schema(path: Path) -> None:
    schema_path = path.with_name(path.name.replace(".ui.json", ".schema.json"))
    schema = json.loads(schema_path.read_text(encoding="utf-8")) if schema_path.exists() else ENTRY_FORM
    assert formui.problems(json.loads(path.read_text(encoding="utf-8")), schema) == []


def _form(ref: str, errors: dict[str, str] | None = None, today: date | None = date(2026, 3, 2)) -> formfields.FormView:
    schema = json.loads((FORMS / ref).read_text(encoding="utf-8"))
    return formfields.build(schema, {}, errors or {}, {}, formui.load(FORMS, ref), today)


def test_the_incoming_register_in_the_clerks_order_with_today_as_arrival_date() -> None:
    form = _form("btl_incoming/register.schema.json")
    assert [f.key for f in form.fields] == ["arrival_date", "leader", "lead_unit", "confirm_duplicates", "note"]
    arrival, leader = form.fields[0], form.fields[1]
    assert arrival.value == "2026-03-02" and arrival.hint == "Ngày văn thư nhận văn bản."
    assert leader.widget == "radio" and leader.value == "director"
    entry = formfields.build(ENTRY_FORM, {}, {}, {}, formui.load(FORMS, "common/incoming_entry.schema.json"),
                             date(2026, 3, 2))
    assert [f.key for f in entry.fields][:6] == ["number_symbol", "document_date", "issuer_name", "issuer_organ_id",
                                                 "doc_type", "subject"]
    assert next(f for f in entry.fields if f.key == "arrival_date").value == "2026-03-02"


def test_a_refused_form_keeps_what_was_entered_and_a_choice_asks_to_choose() -> None:
    form = _form("btl_incoming/register.schema.json", {"leader": "Vui lòng nhập Chuyển lãnh đạo cho ý kiến chỉ đạo.",
                                                       "lead_unit": "Vui lòng nhập Đơn vị."})
    fields = {f.key: f for f in form.fields}
    assert fields["leader"].error == "Vui lòng chọn Chuyển lãnh đạo cho ý kiến chỉ đạo."
    assert fields["lead_unit"].error == "Vui lòng nhập Đơn vị."  # typed, not chosen
    assert fields["arrival_date"].value is None and fields["leader"].value is None  # no default over a refusal


def test_a_form_without_decisions_names_its_act() -> None:
    assert _form("btl_outgoing/draft.schema.json").submit_text == "Trình lãnh đạo phòng"
    assert _form("common/direction.schema.json").submit_text == "Chuyển xử lý"
    assert _form("common/review.schema.json").submit_text is None  # its decisions are its buttons


def test_the_direction_is_one_routing_tree_of_units_and_people() -> None:
    directory = {"units": [{"code": "KSDB", "name": "Khoa Kiểm soát dịch bệnh"},
                           {"code": "TCHC", "name": "Phòng TCHC"}],
                 "working_units": [{"code": "KSDB", "name": "Khoa Kiểm soát dịch bệnh"}],
                 "people": [{"username": "btl_head_ksdb", "full_name": "Ngô Quốc Huy", "unit": "KSDB",
                             "position": "head"}]}
    schema = json.loads((FORMS / "common/direction.schema.json").read_text(encoding="utf-8"))
    form = formfields.build(schema, {"main_unit": "KSDB"}, {}, directory,
                            formui.load(FORMS, "common/direction.schema.json"))
    routing = form.fields[0]
    assert routing.widget == "routing" and set(routing.parts) == {
        "main_unit", "co_units", "info_units", "info_people", "main_deadline", "co_deadline", "co_deadlines"}
    assert [f.key for f in form.fields[1:]] == ["note"]  # the deadlines are on the tree's nodes
    assert routing.tree[0]["working"] and not routing.tree[1]["working"]  # TCHC: để biết only
    assert routing.tree[0]["people"] == [{"username": "btl_head_ksdb", "label": "Ngô Quốc Huy (Trưởng đơn vị, KSDB)",
                                          "full_name": "Ngô Quốc Huy", "position": "head", "unit": "KSDB"}]
    assert form.fields[-1].templates  # bút phê templates


SCHEMAS = sorted(FORMS.glob("*/*.schema.json"))
DIRECTORY = {"units": [{"code": "KSDB", "name": "Khoa Kiểm soát dịch bệnh"}, {"code": "TCHC", "name": "Phòng TCHC"}],
             "working_units": [{"code": "KSDB", "name": "Khoa Kiểm soát dịch bệnh"}],
             "people": [{"username": "btl_head_ksdb", "full_name": "Ngô Quốc Huy", "unit": "KSDB", "position": "head"}],
             "address_book": [{"name": "Sở Y tế Hà Nội", "organ_id": "000.00.31.H26", "unit": "", "label": "Sở Y tế"}]}


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(ROOT / "webui" / "templates"), extensions=["jinja2.ext.i18n"],
                      autoescape=True)
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.globals["labels"] = labels
    env.filters["vi"] = pageutil.vietnamese
    return env


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: str(p.relative_to(FORMS)))
def test_every_form_has_a_description_and_renders_as_it_says(path: Path) -> None:
    """Each form of forms/ has its UI description; the form renders (the designer's preview
    template, the task page's field macros) in the description's order, with its help texts,
    placeholders and decisions."""
    ref = str(path.relative_to(FORMS))
    description = formui.load(FORMS, ref)
    assert description, f"{ref} has no {ref.replace('.schema.json', '.ui.json')}"
    schema = json.loads(path.read_text(encoding="utf-8"))
    form = formfields.build(schema, {}, {}, DIRECTORY, description, date(2026, 3, 2))
    html = _environment().get_template("design/form_preview.html").render(form=form)
    shown = [f.key for f in form.fields if f.widget not in ("routing", "rows", "hidden")]
    positions = [html.index(f'data-field="{key}"') for key in shown]
    assert positions == sorted(positions), ref
    expected = [n for n in formui.ordered(list(schema["properties"]), description) if n in shown]
    assert shown == expected, ref
    for name, ui in description.items():
        if name.startswith("ui:") or not isinstance(ui, dict):
            continue
        for key in ("ui:help", "ui:placeholder"):
            if key in ui and name not in {"main_deadline", "co_deadline", "co_deadlines"}:
                assert escape(ui[key]) in html, (ref, name, key)
    for _value, title in form.decisions:
        assert escape(title) in html, ref
