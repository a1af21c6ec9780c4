"""The process designer's rules: the comparison of two versions, who may see and change a
process (a designer of its agency only), a draft saved without deploying, a deployment
refused with its problems on their elements, and each save and deployment in the audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from engine.design import process_diff
from engine.models import AuditEntry, ProcessVersion
from tests.conftest import ROOT, Api
from webui import create_app

BPMN = (ROOT / "processes" / "bac_tu_liem" / "btl_outgoing.bpmn").read_text(encoding="utf-8")
DRAFT_NAME = 'name="Soạn thảo, trình văn bản"'
FORM = "btl_outgoing/draft.schema.json"


def _forms() -> dict[str, Any]:
    return {f"btl_outgoing/{p.name}": json.loads(p.read_text(encoding="utf-8"))
            for p in (ROOT / "forms" / "btl_outgoing").glob("*.json")}


# --- the comparison ---------------------------------------------------------------------

def test_diff_lists_added_removed_renamed_and_changed_elements_and_forms() -> None:
    new_xml = (BPMN.replace(DRAFT_NAME, 'name="Soạn thảo và trình văn bản"')
               .replace('"P2D"', '"P3D"')
               .replace('<bpmn:endEvent id="end_reminded" name="Đã nhắc hạn">',
                        '<bpmn:endEvent id="end_noted" name="Đã ghi nhận">')
               .replace('targetRef="end_reminded"', 'targetRef="end_noted"')
               .replace(">end_reminded</bpmn:flowNodeRef>", ">end_noted</bpmn:flowNodeRef>"))
    old_forms = _forms()
    new_forms = {**old_forms, "btl_outgoing/extra.schema.json": {"type": "object"}}
    new_forms[FORM] = {**new_forms[FORM], "title": "Soạn thảo (mới)"}
    del new_forms["btl_outgoing/start.schema.json"]

    found = process_diff.diff(BPMN, old_forms, new_xml, new_forms)

    by_id = {c.id: c for c in found.elements}
    assert by_id["end_noted"].change == "added"
    assert by_id["end_reminded"].change == "removed"
    assert (by_id["draft"].change, by_id["draft"].old_name, by_id["draft"].name) == (
        "renamed", "Soạn thảo, trình văn bản", "Soạn thảo và trình văn bản")
    assert by_id["head_deadline"].change == "changed" and by_id["head_deadline"].old_name is None
    assert by_id["f_mark_end"].change == "changed"  # its target changed
    assert by_id["Lane_head"].change == "changed"  # a node of the lane is another one
    # Elements only wired to the changed ones are not reported.
    assert "mark_overdue" not in by_id and "head_review" not in by_id
    assert [(f.name, f.change) for f in found.forms] == [
        (FORM, "changed"), ("btl_outgoing/extra.schema.json", "added"), ("btl_outgoing/start.schema.json", "removed")]


def test_diff_ignores_layout_and_formatting() -> None:
    moved = BPMN.replace('<dc:Bounds x="260" y="100"', '<dc:Bounds x="280" y="110"').replace("\n    ", "\n  ")
    assert process_diff.diff(BPMN, _forms(), moved, _forms()).empty


def test_diff_sees_a_changed_type_and_a_process_property() -> None:
    new_xml = (BPMN.replace('<bpmn:scriptTask id="mark_overdue"', '<bpmn:task id="mark_overdue"')
               .replace("</bpmn:scriptTask>", "</bpmn:task>")
               .replace('<spiffworkflow:property name="agency" value="btl"/>',
                        '<spiffworkflow:property name="agency" value="btl,qn"/>'))
    by_id = {c.id: c for c in process_diff.diff(BPMN, {}, new_xml, {}).elements}
    assert (by_id["mark_overdue"].old_type, by_id["mark_overdue"].type) == ("scriptTask", "task")
    assert by_id["btl_outgoing"].change == "changed"


# --- the pages and their rules --------------------------------------------------------------

def _client(platform: Platform, username: str) -> FlaskClient:
    """A browser-like session: logged in through the login page, its CSRF token at hand."""
    client = create_app(platform).test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    assert r.status_code == 302, r.text
    with client.session_transaction() as session:
        client.environ_base["HTTP_X_CSRF_TOKEN"] = session["csrf_token"]
    client.environ_base["HTTP_ACCEPT"] = "application/json"
    return client


def _work(xml: str = BPMN, forms: dict[str, Any] | None = None, confirm: bool = False) -> dict[str, Any]:
    return {"xml": xml, "forms": _forms() if forms is None else forms, "confirm": confirm}


@pytest.mark.parametrize("username", ["btl_spec_khnv", "btl_director", "btl_auditor", "qn_designer"])
def test_only_a_designer_of_the_agency_may_see_or_change_a_process(platform: Platform, username: str) -> None:
    client = _client(platform, username)
    assert client.get("/design/btl_outgoing", headers={"Accept": "text/html"}).status_code == 403
    assert client.get("/design/btl_outgoing/edit", headers={"Accept": "text/html"}).status_code == 403
    assert client.get("/design/btl_outgoing/work.json").status_code == 403
    assert client.get("/design/btl_outgoing/diff?old=1&new=1").status_code == 403
    for action in ("draft", "validate", "deploy"):
        assert client.post(f"/design/btl_outgoing/{action}", json=_work()).status_code == 403, action
    assert client.post("/design/btl_outgoing/form-preview", json={"name": FORM, "schema": "{}"}).status_code == 403
    listed = client.get("/design", headers={"Accept": "text/html"}).text
    assert "btl_outgoing" not in listed
    with platform.db.read() as session:
        assert session.scalar(select(ProcessVersion.version).where(ProcessVersion.process_id == "btl_outgoing")) == 1


def test_a_designer_lists_only_their_agencys_processes(platform: Platform) -> None:
    page = _client(platform, "btl_designer").get("/design", headers={"Accept": "text/html"}).text
    assert 'data-process="btl_outgoing"' in page
    assert 'data-process="qn_outgoing"' not in page and 'data-process="vn_five_step"' not in page
    page = _client(platform, "qn_designer").get("/design", headers={"Accept": "text/html"}).text
    assert 'data-process="qn_outgoing"' in page and 'data-process="btl_outgoing"' not in page


def test_a_draft_is_kept_without_deploying_and_reopened(platform: Platform) -> None:
    client = _client(platform, "btl_designer")
    renamed = BPMN.replace(DRAFT_NAME, 'name="Soạn thảo"')
    r = client.post("/design/btl_outgoing/draft", json=_work(renamed))
    assert r.status_code == 200 and r.get_json()["problems"] == []
    work = client.get("/design/btl_outgoing/work.json").get_json()
    assert 'name="Soạn thảo"' in work["xml"] and work["draft"]["saved_by"] == "Kim Văn Toàn"
    assert work["version"] == 1
    # A draft with problems is kept too; what is not XML is refused and the draft stays.
    broken = renamed.replace(f'value="{FORM}"', 'value="btl_outgoing/none.schema.json"')
    problems = client.post("/design/btl_outgoing/draft", json=_work(broken)).get_json()["problems"]
    assert [p["element"] for p in problems] == ["draft"]
    r = client.post("/design/btl_outgoing/draft", json=_work("<bpmn:definitions"))
    assert r.status_code == 422 and "XML" in r.get_json()["problems"][0]["message"]
    assert "none.schema.json" in client.get("/design/btl_outgoing/work.json").get_json()["xml"]
    with platform.db.read() as session:
        assert session.scalar(select(ProcessVersion.version).where(ProcessVersion.process_id == "btl_outgoing")) == 1
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("process_%"))))
    assert actions == ["process_draft_saved", "process_draft_saved"]


def test_deploy_is_refused_with_each_problem_on_its_element(platform: Platform) -> None:
    client = _client(platform, "btl_designer")
    forms = _forms()
    forms[FORM] = {"type": "objekt"}
    bad = (BPMN.replace('<spiffworkflow:property name="agency" value="btl"/>',
                        '<spiffworkflow:property name="agency" value="btl,qn"/>')
           .replace('decision == "issue"', 'decision = "issue"'))
    r = client.post("/design/btl_outgoing/deploy", json=_work(bad, forms))
    assert r.status_code == 422
    problems = {p["element"]: p["message"] for p in r.get_json()["problems"]}
    assert "JSON Schema" in problems["draft"]
    assert "qn" in problems["btl_outgoing"]
    assert "f_clerk_end" in problems
    other_id = BPMN.replace('id="btl_outgoing"', 'id="btl_other"').replace('processRef="btl_outgoing"',
                                                                           'processRef="btl_other"')
    problems = client.post("/design/btl_outgoing/validate", json=_work(other_id)).get_json()["problems"]
    assert [p["element"] for p in problems] == [None] and "btl_outgoing" in problems[0]["message"]
    with platform.db.read() as session:
        assert session.scalar(select(ProcessVersion.version).where(ProcessVersion.process_id == "btl_outgoing")) == 1


def test_deploy_makes_a_version_with_the_edited_forms_and_logs_it(platform: Platform, tmp_path: Path) -> None:
    client = _client(platform, "btl_designer")
    forms = _forms()
    forms[FORM] = {**forms[FORM], "title": "Soạn thảo văn bản (mẫu mới)"}
    client.post("/design/btl_outgoing/draft", json=_work(forms=forms))
    # Not before the designer has seen the impact and confirmed it.
    r = client.post("/design/btl_outgoing/deploy", json=_work(forms=forms))
    assert r.status_code == 422 and "xác nhận" in r.get_json()["error"]
    r = client.post("/design/btl_outgoing/deploy", json=_work(forms=forms, confirm=True))
    assert r.status_code == 201 and r.get_json()["version"] == 2
    assert client.get("/design/btl_outgoing/work.json").get_json()["draft"] is None  # deployed, so gone
    again = client.post("/design/btl_outgoing/deploy", json=_work(forms=forms, confirm=True))
    assert again.status_code == 200 and again.get_json() | {"message": ""} == {
        "version": 2, "created": False, "message": "", "url": "/design/btl_outgoing"}
    with platform.db.read() as session:
        v2 = session.scalars(select(ProcessVersion).where(ProcessVersion.version == 2)).one()
        assert json.loads(v2.forms_json)[FORM]["title"] == "Soạn thảo văn bản (mẫu mới)"
        payloads = [(e.action, json.loads(e.payload)) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("process_%")).order_by(AuditEntry.seq))]
    assert [(a, p.get("version")) for a, p in payloads] == [
        ("process_draft_saved", None), ("process_deployed", 2), ("process_deployed", 2)]
    page = client.get("/design/btl_outgoing/diff?old=1&new=2", headers={"Accept": "text/html"}).text
    assert 'data-form="btl_outgoing/draft.schema.json"' in page and "Hai phiên bản giống nhau" not in page


def test_form_preview_renders_the_fields_or_says_what_is_wrong(platform: Platform) -> None:
    client = _client(platform, "btl_designer")
    schema = {"type": "object", "properties": {"note": {"type": "string", "title": "Ý kiến kiểm tra"}}}
    r = client.post("/design/btl_outgoing/form-preview", json={"name": "x", "schema": json.dumps(schema)})
    assert r.status_code == 200 and "Ý kiến kiểm tra" in r.text and 'name="note"' in r.text
    r = client.post("/design/btl_outgoing/form-preview", json={"name": "x", "schema": '{"type": "object",'})
    assert r.status_code == 422 and r.get_json()["error"].startswith("JSON không hợp lệ (dòng 1")
    r = client.post("/design/btl_outgoing/form-preview", json={"name": "x", "schema": '{"type": 5}'})
    assert r.status_code == 422 and "JSON Schema" in r.get_json()["error"]


def test_a_draft_is_discarded_by_its_form_and_posts_need_the_csrf_token(platform: Platform) -> None:
    client = _client(platform, "btl_designer")
    client.post("/design/btl_outgoing/draft", json=_work(BPMN.replace(DRAFT_NAME, 'name="Soạn thảo"')))
    token = client.environ_base.pop("HTTP_X_CSRF_TOKEN")
    assert client.post("/design/btl_outgoing/deploy", json=_work()).status_code == 400
    assert client.post("/design/btl_outgoing/discard").status_code == 400
    assert client.get("/design/btl_outgoing/work.json").get_json()["draft"] is not None

    page = client.post("/design/btl_outgoing/discard", data={"csrf_token": token}, follow_redirects=True,
                       headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Đã bỏ bản nháp." in page.text
    work = client.get("/design/btl_outgoing/work.json").get_json()
    assert work["draft"] is None and DRAFT_NAME in work["xml"]
    with platform.db.read() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("process_%"))
                                       .order_by(AuditEntry.seq)))
    assert actions == ["process_draft_saved", "process_draft_discarded"]


HEAD_FORM = "btl_outgoing/head_review.schema.json"


def test_a_forms_ui_description_is_saved_and_deployed_with_the_version(platform: Platform, api: Api) -> None:
    """The form editor's UI description (order, widgets, help) is kept with the draft, reopened
    with it, refused when it names a field the form lacks, deployed with the version, and shown
    on that version's tasks while the cases of version 1 keep forms/'s."""
    from tests.flows import to_head

    before = to_head(api)  # a head's review on version 1
    client = _client(platform, "btl_designer")
    ui = {"ui:order": ["note", "*"], "note": {"ui:widget": "textarea", "ui:help": "Ghi rõ ý kiến thẩm định"}}
    r = client.post("/design/btl_outgoing/draft", json={**_work(), "ui": {HEAD_FORM: ui}})
    assert r.status_code == 200, r.get_json()
    opened = client.get("/design/btl_outgoing/work.json").get_json()
    assert opened["ui"][HEAD_FORM] == ui
    assert opened["ui"][FORM] == json.loads((ROOT / "forms" / "btl_outgoing" / "draft.ui.json").read_text("utf-8"))
    wrong = {"ui:order": ["nowhere", "*"]}
    r = client.post("/design/btl_outgoing/draft", json={**_work(), "ui": {HEAD_FORM: wrong}})
    assert r.status_code == 422 and "nowhere" in r.get_json()["error"]
    impact = client.post("/design/btl_outgoing/impact", json={**_work(), "ui": {HEAD_FORM: ui}}).get_json()
    assert {"name": "btl_outgoing/head_review.ui.json", "change": "changed"} in impact["forms"]
    r = client.post("/design/btl_outgoing/deploy", json={**_work(confirm=True), "ui": {HEAD_FORM: ui}})
    assert r.status_code == 201 and r.get_json()["version"] == 2
    with platform.db.read() as session:
        v2 = session.scalars(select(ProcessVersion).where(ProcessVersion.version == 2)).one()
        assert json.loads(v2.ui_json) == {HEAD_FORM: ui}  # forms/'s descriptions are not copied
    assert client.get("/design/btl_outgoing/work.json").get_json()["ui"][HEAD_FORM] == ui  # reopened from v2
    after = to_head(api)
    head = _client(platform, "btl_head_khnv")
    new_page = head.get(f"/tasks/{after['id']}", headers={"Accept": "text/html"}).text
    old_page = head.get(f"/tasks/{before['id']}", headers={"Accept": "text/html"}).text
    assert "Ghi rõ ý kiến thẩm định" in new_page and "Ghi rõ ý kiến thẩm định" not in old_page
    assert new_page.index('name="note"') < new_page.index('name="route"')
    assert old_page.index('name="route"') < old_page.index('name="note"')
