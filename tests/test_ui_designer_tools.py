"""The designer's tools in Chromium (issue 18): Bắc Từ Liêm's designer edits the clerk's lane
through the properties panel and sees who it names, has a condition checked as it is typed
and a problem marked on its flow, changes a timer with the duration picker, sees the
heatmap, dry-runs path 2 of btl_outgoing (deputy in charge, then the Director) with who
receives each step, and deploys through the impact dialog, cancelling once."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import AuditEntry, ProcessDraft, ProcessVersion
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import DRAFT, complete, only_task, start

SELECT = ("(id) => { const m = window.qlvbDesigner.modeler; "
          "m.get('selection').select(m.get('elementRegistry').get(id)); }")
PATH_2 = {"head_review": {"decision": "approve", "route": "deputy_director"}, "deputy_review": {"decision": "approve"},
          "director_sign": {"decision": "sign"}, "clerk_issue": {"decision": "issue"}}


def _select(page: Page, element: str) -> None:
    page.evaluate(SELECT, element)


def _element(page: Page, element: str) -> object:
    return page.locator(f'.djs-element[data-element-id="{element}"]')


def test_designer_edits_lanes_conditions_and_timers_dry_runs_and_deploys_with_its_impact(
    browser: Browser, live_url: str, platform: Platform, api: Api, tmp_path: Path  # noqa: F811
) -> None:
    case = start(api)
    complete(api, "btl_spec_khnv", only_task(case), DRAFT)  # one drafting step for the heatmap
    designer = Staff(browser, live_url, "btl_designer", backend(platform)).login()
    page = designer.page
    page.goto("/design/btl_outgoing/edit")
    expect(page.locator("#designer")).to_have_attribute("data-ready", "1")
    canvas = page.get_by_test_id("modeler").bounding_box()
    assert canvas and canvas["width"] > 850  # the page's width, not half of it

    # The clerk's lane, through the properties panel: a position nobody holds is named as such,
    # the picker's Văn thư shows who that is.
    _select(page, "Lane_clerk")
    panel = page.get_by_test_id("properties-panel")
    expect(panel.locator(".bio-properties-panel")).to_be_visible()
    # The platform's group is one of the panel's own groups (a provider of bpmn-js-properties-panel).
    group = panel.locator('.bio-properties-panel-group[data-group-id="group-qlvb"]')
    expect(group).to_contain_text("Thuộc tính của nền tảng")
    lane = group.locator("#lane-expression")
    expect(lane).to_have_value("clerk")
    preview = page.get_by_test_id("lane-preview")
    expect(preview).to_contain_text("Đỗ Thị Mai")
    lane.fill("deputy_office_chief")
    expect(preview.locator('li[data-agency="btl"]')).to_have_text("btl: không có ai")
    lane.fill("")
    page.select_option("#lane-position", "clerk")
    page.get_by_role("button", name="Thêm vào lane").click()
    expect(lane).to_have_value("clerk")
    expect(preview.locator('li[data-agency="btl"]')).to_have_text("btl: Đỗ Thị Mai (1 người)")
    lane.fill("boss")
    expect(page.get_by_test_id("lane-error")).to_contain_text("không có chức vụ 'boss'")
    lane.fill("clerk | deputy_director")
    expect(preview.locator('li[data-agency="btl"]')).to_contain_text("(3 người)")
    name = "window.qlvbDesigner.modeler.get('elementRegistry').get('Lane_clerk').businessObject.name"
    assert page.evaluate(name) == "clerk | deputy_director"
    designer.shot("designer-tools-01-lane-preview")
    lane.fill("clerk")
    expect(preview.locator('li[data-agency="btl"]')).to_have_text("btl: Đỗ Thị Mai (1 người)")

    # A condition checked as it is typed; Kiểm tra marks its problem on the flow.
    _select(page, "f_clerk_end")
    condition = group.locator("#condition")
    expect(condition).to_have_value('decision == "issue"')
    condition.fill('decision == "issue" and archived')
    expect(page.get_by_test_id("condition-state")).to_contain_text("'archived'")
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_test_id("problems").locator('li[data-element="f_clerk_end"]')).to_contain_text("archived")
    expect(_element(page, "f_clerk_end")).to_have_class(re.compile("has-problem"))
    designer.shot("designer-tools-02-condition-marked")
    condition.fill('decision == "issue"')
    expect(page.get_by_test_id("condition-state")).to_have_text("Điều kiện hợp lệ.")

    # The head's reminder after 3 days instead of 2, with the duration picker.
    _select(page, "head_deadline")
    expect(group.locator("#timer-expression")).to_have_value('"P2D"')
    group.get_by_test_id("timer-days").fill("3")
    expect(group.locator("#timer-expression")).to_have_value('"P3D"')
    expect(group.get_by_test_id("timer-state")).to_have_text("Thời hạn hợp lệ.")

    # A user task's platform properties, in the panel's own entries, written into the XML saved.
    _select(page, "director_sign")
    expect(group.get_by_label("Thao tác của nền tảng (action)")).to_have_value("")
    group.get_by_label("Hạn xử lý (dueIn, ví dụ P1D)").fill("P2X")
    expect(group).to_contain_text("Hạn xử lý phải là khoảng thời gian ISO 8601")
    group.get_by_label("Hạn xử lý (dueIn, ví dụ P1D)").fill("PT8H")
    group.get_by_label("Loại công việc (taskKind)").select_option("comment")
    expect(panel.locator('[data-entry-id="qlvb-taskKind"]')).to_be_visible()
    group.get_by_label("Loại công việc (taskKind)").select_option("")
    designer.shot("designer-tools-02a-task-properties")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("designer-status")).to_contain_text("Đã lưu bản nháp")
    with platform.db.read() as session:
        draft = session.scalars(select(ProcessDraft).where(ProcessDraft.process_id == "btl_outgoing")).one()
        task = re.search(r'<bpmn:userTask id="director_sign".*?</bpmn:userTask>', draft.bpmn_xml, re.S)
        assert task is not None
        assert '<spiffworkflow:property name="dueIn" value="PT8H"' in task.group(0)
        assert '<spiffworkflow:property name="certificateDecisions" value="sign"' in task.group(0)
        assert 'name="taskKind"' not in task.group(0)

    # The head's form, in the visual editor: a label, the choices' titles, the order and a widget;
    # the JSON views follow and the preview shows it.
    _select(page, "head_review")
    route = page.locator('.form-fields tr[data-field="route"]')
    expect(route.get_by_label("Nhãn")).to_have_value("Trình lên")
    route.get_by_label("Nhãn").fill("Trình lên lãnh đạo")
    choices = route.get_by_label("Lựa chọn (giá trị = tên)")
    choices.fill("director = Giám đốc ký ngay\ndeputy_director = Qua Phó Giám đốc")
    route.get_by_label("Lựa chọn (giá trị = tên)").blur()
    expect(page.get_by_test_id("form-preview")).to_contain_text("Trình lên lãnh đạo")
    expect(page.get_by_test_id("form-preview")).to_contain_text("Qua Phó Giám đốc")
    page.locator('.form-fields tr[data-field="note"]').get_by_role("button", name="↑").click()
    expect(page.locator(".form-fields tbody tr").first).to_have_attribute("data-field", "note")
    page.locator('.form-fields tr[data-field="note"]').get_by_label("Cách nhập").select_option("textarea")
    page.get_by_text("Xem JSON (cho người thành thạo)").click()
    expect(page.locator("#form-ui")).to_have_value(re.compile(r'"ui:order": \[\s*"note",\s*"route",\s*"decision"'))
    expect(page.locator("#form-ui")).to_have_value(re.compile(r'"ui:widget": "textarea"'))
    expect(page.locator("#form-json")).to_have_value(re.compile("Qua Phó Giám đốc"))
    designer.shot("designer-tools-02b-form-editor")

    # The heatmap: the one drafting step done so far.
    page.get_by_role("button", name="Bản đồ nhiệt").click()
    expect(page.locator('.heat-badge[data-element="draft"]')).to_contain_text("1 hồ sơ")

    # Dry run of path 2, started by the KHNV specialist: nothing is stored.
    page.fill("#run-initiator", "btl_spec_khnv")
    page.fill("#run-data", '{"subject": "Kế hoạch tiêm chủng", "doc_type": "KH"}')
    answers = page.get_by_test_id("run-answers")
    for task, fields in PATH_2.items():
        for field, value in fields.items():
            answers.locator(f'tr[data-task="{task}"] select[data-field="{field}"]').select_option(value)
    page.get_by_role("button", name="Chạy thử").click()
    steps = page.get_by_test_id("run-steps")
    expect(page.get_by_test_id("run-state")).to_have_text("Chạy thử kết thúc ở sự kiện kết thúc; không có gì được lưu.")
    expect(steps.locator("li")).to_have_count(5)
    expect(steps.locator('li[data-element="head_review"]')).to_contain_text("btl_head_khnv")
    expect(steps.locator('li[data-element="deputy_review"]')).to_contain_text("btl_deputy2")
    expect(steps.locator('li[data-element="director_sign"]')).to_contain_text("btl_director")
    expect(steps.locator('li[data-element="clerk_issue"]')).to_contain_text("issue_outgoing")
    expect(_element(page, "f_head_deputy")).to_have_class(re.compile("run-path"))
    expect(_element(page, "f_head_director")).not_to_have_class(re.compile("run-path"))
    designer.shot("designer-tools-03-dry-run")

    # Every path from the same start: the head's and the deputy's answers left open are each tried.
    for task in ("head_review", "deputy_review"):
        for choice in answers.locator(f'tr[data-task="{task}"] select').all():
            choice.select_option("")
    page.get_by_role("button", name="Chạy mọi nhánh").click()
    paths = page.get_by_test_id("run-paths")
    expect(page.get_by_test_id("run-state")).to_contain_text("nhánh; chọn một nhánh")
    expect(paths.locator('li[data-finished="true"]')).to_have_count(3)
    via_deputy = paths.locator('li[data-finished="true"]').filter(has_text="Phó Giám đốc").first
    via_deputy.get_by_role("button").click()
    expect(steps.locator('li[data-element="deputy_review"]')).to_contain_text("btl_deputy2")
    expect(_element(page, "f_head_deputy")).to_have_class(re.compile("run-path"))
    designer.shot("designer-tools-03b-every-path")

    # Exported as a .bpmn file with every edit; the file, renamed outside, imported back.
    with page.expect_download() as download:
        page.get_by_role("button", name="Xuất tệp .bpmn").click()
    assert download.value.suggested_filename == "btl_outgoing.bpmn"
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert '"P3D"' in exported and 'name="clerk"' in exported
    renamed = tmp_path / "btl_outgoing.bpmn"
    renamed.write_text(exported.replace("Soạn thảo, trình văn bản", "Soạn thảo (từ tệp)"), encoding="utf-8")
    page.get_by_test_id("import-file").set_input_files(str(renamed))
    expect(page.get_by_test_id("designer-status")).to_contain_text("Đã nhập tệp btl_outgoing.bpmn")
    expect(_element(page, "draft")).to_contain_text("Soạn thảo (từ tệp)")

    # Deploy: the impact first; cancelled once, then confirmed.
    page.get_by_role("button", name="Triển khai").click()
    dialog = page.get_by_test_id("impact-dialog")
    changes = dialog.get_by_test_id("impact-changes")
    expect(changes.locator('tr[data-element="head_deadline"]')).to_contain_text("Thay đổi")
    expect(changes.locator('tr[data-element="draft"]')).to_contain_text("Đổi tên")
    expect(dialog.get_by_test_id("impact-running")).to_contain_text("1 hồ sơ đang chạy")
    expect(dialog.get_by_test_id("impact-running")).to_contain_text("v1: 1")
    designer.shot("designer-tools-04-impact")
    dialog.get_by_role("button", name="Hủy").click()
    expect(dialog).to_be_hidden()
    with platform.db.read() as session:
        assert session.scalar(select(ProcessVersion.version).order_by(ProcessVersion.version.desc())
                              .where(ProcessVersion.process_id == "btl_outgoing").limit(1)) == 1
    page.get_by_role("button", name="Triển khai").click()
    dialog.get_by_role("button", name="Xác nhận triển khai").click()
    expect(page.locator(".flash")).to_have_text("Đã triển khai phiên bản 2.")
    with platform.db.read() as session:
        deployed = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action == "process_deployed")))
        assert deployed == ["process_deployed"]
        v2 = session.scalars(select(ProcessVersion).where(ProcessVersion.version == 2)).one()
        assert '"P3D"' in v2.bpmn_xml
        route = json.loads(v2.forms_json)["btl_outgoing/head_review.schema.json"]["properties"]["route"]
        assert route["title"] == "Trình lên lãnh đạo"
        assert route["x-enumTitles"] == {"director": "Giám đốc ký ngay", "deputy_director": "Qua Phó Giám đốc"}
    designer.close()
