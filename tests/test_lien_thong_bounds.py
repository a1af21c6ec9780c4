"""Liên thông bound to agencies: a btl diagram cannot answer a Vạn Ninh case (by its id or
by a guessed or stolen reply token) nor start a case inside vanninh_tckh; a designer cannot
deploy a diagram that throws to agencies without an exchange agreement; agreements are set
by the administrators of both agencies; every delivery is audited on both sides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select, update

from engine.core.platform import Platform
from engine.models import Agency, AuditEntry, Case, ExchangeAgreement, ProcessVersion
from engine.workflow import bpmn_check, definitions
from qlvb.cli import main
from tests.conftest import ROOT, Api
from tests.flows import complete
from tests.test_designer import BPMN, _client, _work
from tests.test_route_matrix import _login
from tests.test_van_ninh import PROVINCE_DOC, _expect, _start
from webui import create_app

THROWER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_forged" targetNamespace="http://qlvb.example/bpmn">
  <bpmn:message id="msg" name="MESSAGE"/>
  <bpmn:process id="PROCESS" name="Thông điệp giả mạo" isExecutable="true">
    <bpmn:extensionElements>
      <spiffworkflow:properties>
        <spiffworkflow:property name="agency" value="btl"/>
      </spiffworkflow:properties>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateThrowEvent id="forge">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition id="forge_def" messageRef="msg">
        <bpmn:extensionElements>
          <spiffworkflow:messagePayload>PAYLOAD</spiffworkflow:messagePayload>
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="forge"/>
    <bpmn:sequenceFlow id="f2" sourceRef="forge" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _thrower(process: str, message: str, payload: str) -> str:
    return THROWER.replace("PROCESS", process).replace("MESSAGE", message).replace("PAYLOAD", payload)


def _env(platform: Platform) -> dict[str, str]:
    return {"QLVB_DATABASE_URL": platform.settings.database_url, "QLVB_DATA_DIR": str(platform.settings.data_dir)}


def _deploy_anyway(platform: Platform, tmp_path: Path, process: str, message: str, payload: str) -> None:
    """As if deployed before the check existed: the router must refuse on its own."""
    path = tmp_path / f"{process}.bpmn"
    path.write_text(_thrower(process, message, payload), encoding="utf-8")
    checked = bpmn_check.check_files([path], ROOT / "forms", platform.settings.max_bpmn_bytes)
    assert not checked[0].problems, checked[0].problems
    with platform.db.write() as session:
        definitions.deploy(session, checked[0], platform.clock.now(), None)


def _waiting_district(api: Api) -> dict[str, Any]:
    """Vạn Ninh's district case after step 3: waiting for the agency's Tờ trình."""
    district = _start(api, "vn_clerk", "vn_lienthong", PROVINCE_DOC)
    district = complete(api, "vn_clerk", _expect(district, "register", "vn_clerk"), {"decision": "register"})
    district = complete(api, "vn_office_chief", _expect(district, "office_review", "vn_office_chief"),
                        {"decision": "approve"})
    district = complete(api, "vn_chairman", _expect(district, "chair_assign", "vn_chairman"),
                        {"target_agency": "vanninh_tckh", "note": "Phòng TCKH tham mưu"})
    assert district["open_tasks"] == []
    return district


def _entries(platform: Platform, action: str) -> list[tuple[int | None, dict[str, Any]]]:
    with platform.db.read() as session:
        return [(e.case_id, json.loads(e.payload)) for e in
                session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def _case_state(platform: Platform, case_id: int) -> tuple[str, int | None, Any]:
    with platform.db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.state_json, case.document_id, case.status


def _cases_of(platform: Platform, agency: str) -> int:
    with platform.db.read() as session:
        return session.scalar(select(func.count()).select_from(Case).join(Agency, Agency.id == Case.agency_id)
                              .where(Agency.code == agency)) or 0


def test_a_designer_cannot_deploy_a_diagram_throwing_to_an_agency_without_agreement(
    platform: Platform, tmp_path: Path
) -> None:
    path = tmp_path / "forged.bpmn"
    path.write_text(_thrower("btl_forged", "vn_to_trinh", '{"reply_token": "x"}'), encoding="utf-8")
    result = CliRunner().invoke(main, ["process", "deploy", str(path)], env=_env(platform))
    assert result.exit_code == 1, result.output
    assert "forge: thông điệp 'vn_to_trinh' chỉ đến cơ quan vanninh" in result.output
    starter = tmp_path / "starter.bpmn"
    starter.write_text(_thrower("btl_starter", "vn_giao_tham_muu", '{"agency": "vanninh_tckh"}'), encoding="utf-8")
    result = CliRunner().invoke(main, ["process", "deploy", str(starter)], env=_env(platform))
    assert result.exit_code == 1 and "forge: thông điệp 'vn_giao_tham_muu'" in result.output, result.output
    # The shipped Vạn Ninh diagrams deploy: their two agencies have the demo's agreement.
    diagrams = map(str, (ROOT / "processes" / "van_ninh").glob("*.bpmn"))  # beside them: their catalogues
    result = CliRunner().invoke(main, ["process", "deploy", *diagrams], env=_env(platform))
    assert result.exit_code == 0, result.output


def test_a_forged_reply_to_a_van_ninh_case_is_refused_audited_and_changes_nothing(
    api: Api, platform: Platform, tmp_path: Path
) -> None:
    district = _waiting_district(api)
    before = _case_state(platform, district["id"])
    # The real token, issued to vanninh_tckh with the request, is in its case's start entry.
    real_token = next(p["payload"]["reply_token"] for _, p in _entries(platform, "case_started")
                      if p.get("message") == "vn_giao_tham_muu")
    attempts = {"btl_by_id": f'{{"reply_to_case": {district["id"]}}}',
                "btl_by_guess": '{"reply_token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}',
                "btl_by_stolen": json.dumps({"reply_token": real_token})}
    for process, payload in attempts.items():
        _deploy_anyway(platform, tmp_path, process, "vn_to_trinh", payload)
        r = api.post("btl_spec_khnv", "/api/v1/cases", {"process": process, "data": {}})
        assert r.status_code == 422, (process, r.get_json())
        assert "vn_to_trinh" in r.get_json()["error"]
        assert _case_state(platform, district["id"]) == before, process
    refused = _entries(platform, "message_refused")
    assert [p["process"] for _, p in refused] == list(attempts)
    assert all(p["sender_agency"] == "btl" and p["message"] == "vn_to_trinh" for _, p in refused)
    assert refused[0][0] == district["id"]  # the forged reply named it: on record on the Vạn Ninh side
    assert _cases_of(platform, "btl") == 0  # the senders' cases were rolled back with their messages
    assert api.get("vn_clerk", f"/api/v1/cases/{district['id']}").get_json()["open_tasks"] == []


def test_a_btl_diagram_cannot_start_a_case_inside_vanninh_tckh(api: Api, platform: Platform, tmp_path: Path) -> None:
    _deploy_anyway(platform, tmp_path, "btl_starter", "vn_giao_tham_muu", '{"agency": "vanninh_tckh"}')
    r = api.post("btl_spec_khnv", "/api/v1/cases", {"process": "btl_starter", "data": {}})
    assert r.status_code == 422, r.get_json()
    assert _cases_of(platform, "vanninh_tckh") == 0
    (case_id, payload), = _entries(platform, "message_refused")
    assert (case_id, payload["target_agency"], payload["sender_agency"]) == (None, "vanninh_tckh", "btl")


def test_deliveries_are_audited_on_both_sides_and_need_the_agreement(api: Api, platform: Platform) -> None:
    district = _waiting_district(api)
    (sender_case, sent), = _entries(platform, "message_sent")
    assert (sender_case, sent["message"], sent["to_agency"]) == (district["id"], "vn_giao_tham_muu", "vanninh_tckh")
    (receiver_case, started), = [(c, p) for c, p in _entries(platform, "case_started") if p.get("message")]
    assert receiver_case == sent["to_case"]
    assert (started["payload"]["sender_case"], started["payload"]["sender_agency"]) == (district["id"], "vanninh")
    # Without the agreement, the same step is refused.
    with platform.db.write() as session:
        session.execute(update(ExchangeAgreement).values(partner_approved_at=None))
    another = {**PROVINCE_DOC, "number_symbol": "89/UBND-KT", "subject": "Về việc lập kế hoạch vốn năm 2027"}
    again = _start(api, "vn_clerk", "vn_lienthong", another)
    again = complete(api, "vn_clerk", _expect(again, "register", "vn_clerk"), {"decision": "register"})
    again = complete(api, "vn_office_chief", _expect(again, "office_review", "vn_office_chief"),
                     {"decision": "approve"})
    task = _expect(again, "chair_assign", "vn_chairman")
    r = api.complete("vn_chairman", task["id"], {"target_agency": "vanninh_tckh"})
    assert r.status_code == 422 and "thỏa thuận liên thông" in r.get_json()["error"], r.get_json()
    assert _expect(api.get("vn_chairman", f"/api/v1/cases/{again['id']}").get_json(), "chair_assign", "vn_chairman")


def test_an_agreement_holds_once_both_administrators_approve(api: Api) -> None:
    def status(user: str, agency: str, partner: str) -> dict[str, Any]:
        r = api.get(user, "/api/v1/exchange-agreements")
        assert r.status_code == 200, r.get_json()
        found: dict[str, Any] = next(a for a in r.get_json()["items"]
                                     if (a["agency"], a["partner"]) == (agency, partner))
        return found

    assert status("btl_admin", "btl", "quangngai")["active"] is False
    r = api.client.put("/api/v1/exchange-agreements/btl/quangngai",
                       headers={"Authorization": f"Bearer {api.token('btl_admin')}"})
    assert r.status_code == 200 and r.get_json() == {
        "agency": "btl", "partner": "quangngai", "partner_name": r.get_json()["partner_name"],
        "approved_by_us": True, "approved_by_them": False, "active": False}
    assert status("qn_admin", "quangngai", "btl")["approved_by_them"] is True
    r = api.client.put("/api/v1/exchange-agreements/quangngai/btl",
                       headers={"Authorization": f"Bearer {api.token('qn_admin')}"})
    assert r.get_json()["active"] is True
    # Only an agency's own administrator speaks for it.
    r = api.client.put("/api/v1/exchange-agreements/quangngai/laichau",
                       headers={"Authorization": f"Bearer {api.token('btl_admin')}"})
    assert r.status_code == 404
    r = api.client.put("/api/v1/exchange-agreements/btl/quangngai",
                       headers={"Authorization": f"Bearer {api.token('btl_clerk')}"})
    assert r.status_code == 403
    r = api.client.delete("/api/v1/exchange-agreements/btl/quangngai",
                          headers={"Authorization": f"Bearer {api.token('btl_admin')}"})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert status("qn_admin", "quangngai", "btl")["approved_by_them"] is False


def test_the_administrator_page_sets_our_side(api: Api, platform: Platform) -> None:
    client = create_app(platform).test_client()
    csrf = _login(client, "btl_admin")
    page = client.get("/admin/exchange?agency=btl")
    assert page.status_code == 200 and 'data-partner="quangngai"' in page.get_data(as_text=True)
    refused = client.post("/admin/exchange", data={"agency": "btl", "partner": "quangngai", "approve": "1"})
    assert refused.status_code == 400  # no CSRF token
    r = client.post("/admin/exchange", data={"agency": "btl", "partner": "quangngai", "approve": "1",
                                             "csrf_token": csrf})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    item = next(a for a in api.get("btl_admin", "/api/v1/exchange-agreements").get_json()["items"]
                if a["partner"] == "quangngai")
    assert (item["approved_by_us"], item["active"]) == (True, False)
    r = client.post("/admin/exchange", data={"agency": "btl", "partner": "nowhere", "approve": "1",
                                             "csrf_token": csrf})
    assert r.status_code == 422
    clerk = create_app(platform).test_client()
    _login(clerk, "btl_clerk")
    assert clerk.get("/admin/exchange?agency=btl").status_code == 403


def test_the_designer_is_told_on_the_element_and_nothing_is_deployed(platform: Platform) -> None:
    forged = (BPMN.replace('<bpmn:incoming>f_mark_end</bpmn:incoming>',
                           '<bpmn:incoming>f_mark_end</bpmn:incoming>'
                           '<bpmn:messageEventDefinition id="forge_def" messageRef="msg_forge"/>')
              .replace("<bpmn:process ", '<bpmn:message id="msg_forge" name="vn_to_trinh"/>\n  <bpmn:process ', 1))
    client = _client(platform, "btl_designer")
    problems = client.post("/design/btl_outgoing/validate", json=_work(forged)).get_json()["problems"]
    assert [p["element"] for p in problems] == ["end_reminded"] and "vanninh" in problems[0]["message"], problems
    r = client.post("/design/btl_outgoing/deploy", json=_work(forged))
    assert r.status_code == 422, r.get_json()
    with platform.db.read() as session:
        assert session.scalars(select(func.max(ProcessVersion.version))
                               .where(ProcessVersion.process_id == "btl_outgoing")).one() == 1
