"""The process designer in Chromium: Bắc Từ Liêm's designer renames the drafting task of
btl_outgoing and adds a checking task after it in the real bpmn-js modeler, sees the new
task's missing form marked on it, writes that form with its live preview, saves, validates
and deploys version 2; a new case then runs version 2 with the new name and the new task,
while a case started before stays on version 1."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import DRAFT, complete, only_task, start

PROCESS = "Văn bản đi – Trung tâm Y tế Bắc Từ Liêm"
OLD_NAME = "Soạn thảo, trình văn bản"
NEW_NAME = "Soạn thảo dự thảo và trình lãnh đạo phòng"
CHECK_NAME = "Tự kiểm tra thể thức dự thảo"
CHECK_FORM = "btl_outgoing/self_check.schema.json"
CHECK_SCHEMA = {"title": "Tự kiểm tra thể thức", "type": "object", "required": ["checked"],
                "properties": {"checked": {"type": "boolean", "title": "Đã kiểm tra thể thức theo Nghị định 30"},
                               "check_note": {"type": "string", "title": "Ghi chú kiểm tra", "maxLength": 1000}}}

# Through the page's modeler, as a designer's drag and drop would: rename the drafting task,
# draw a user task in the drafter's lane and put it between drafting and the head's review.
EDIT = """([newName, checkName]) => {
  const modeler = window.qlvbDesigner.modeler;
  const registry = modeler.get("elementRegistry");
  const modeling = modeler.get("modeling");
  modeling.updateLabel(registry.get("draft"), newName);
  const shape = modeler.get("elementFactory").createShape({ type: "bpmn:UserTask" });
  const task = modeling.createShape(shape, { x: 540, y: 160 }, registry.get("Participant_btl"));
  modeling.updateLabel(task, checkName);
  modeling.reconnectEnd(registry.get("f_draft_head"), task, { x: task.x, y: task.y + task.height / 2 });
  modeling.connect(task, registry.get("head_review"));
  return task.id;
}"""


def test_designer_changes_a_process_and_new_cases_run_the_new_version(
    browser: Browser, live_url: str, platform: Platform, api: Api  # noqa: F811
) -> None:
    old_case = start(api)
    assert old_case["version"] == 1

    designer = Staff(browser, live_url, "btl_designer", backend(platform)).login()
    page = designer.page
    page.get_by_role("link", name="Thiết kế quy trình").click()
    page.get_by_role("link", name=PROCESS).click()
    expect(page.locator('tr[data-version="1"] [data-testid="running"]')).to_have_text("1")
    designer.shot("designer-01-versions")

    page.get_by_role("link", name="Mở trình thiết kế").click()
    expect(page.locator("#designer")).to_have_attribute("data-ready", "1")
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays
    task_id = page.evaluate(EDIT, [NEW_NAME, CHECK_NAME])
    expect(page.get_by_test_id("designer-status")).to_have_text("Có thay đổi chưa lưu.")

    # The new task has no form yet: the server says so, and the page marks it on the task.
    page.get_by_role("button", name="Kiểm tra").click()
    problems = page.get_by_test_id("problems")
    expect(problems.locator(f'li[data-element="{task_id}"]')).to_contain_text("thiếu thuộc tính")
    expect(page.locator(f'.djs-element[data-element-id="{task_id}"]')).to_have_class(re.compile("has-problem"))
    expect(page.locator(".problem-badge")).to_have_count(1)
    designer.shot("designer-02-problem-marked")

    # Its form: named, written as JSON with a live preview; a JSON mistake is shown, not applied.
    problems.get_by_role("button", name=task_id).click()
    expect(page.get_by_test_id("element-name")).to_have_text(CHECK_NAME)
    page.fill("#form-ref", CHECK_FORM)
    page.get_by_role("button", name="Gán biểu mẫu").click()
    expect(page.get_by_test_id("form-preview")).to_contain_text("Ghi chú")
    page.get_by_text("Xem JSON (cho người thành thạo)").click()  # the JSON view, for experts
    page.fill("#form-json", '{"type": "object", "properties": {')
    expect(page.get_by_test_id("form-error")).to_contain_text("JSON không hợp lệ")
    expect(page.get_by_test_id("form-state")).to_have_text("Biểu mẫu chưa hợp lệ nên chưa được áp dụng.")
    page.fill("#form-json", json.dumps(CHECK_SCHEMA, ensure_ascii=False, indent=2))
    expect(page.get_by_test_id("form-preview")).to_contain_text("Đã kiểm tra thể thức theo Nghị định 30")
    expect(page.get_by_test_id("form-error")).to_be_hidden()
    designer.shot("designer-03-form-editor")

    # Saved as a draft, nothing deployed yet; the page reopens the draft.
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("designer-status")).to_contain_text("Đã lưu bản nháp")
    assert start(api)["version"] == 1
    page.reload()
    expect(page.locator("#designer")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("designer-status")).to_contain_text("Đang mở bản nháp lưu lúc")
    draft_name = "window.qlvbDesigner.modeler.get('elementRegistry').get('draft').businessObject.name"
    assert page.evaluate(draft_name) == NEW_NAME

    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_test_id("designer-status")).to_have_text("Hợp lệ: có thể triển khai.")
    expect(problems).to_be_hidden()
    designer.shot("designer-04-valid")

    page.get_by_role("button", name="Triển khai").click()
    page.get_by_test_id("impact-dialog").get_by_role("button", name="Xác nhận triển khai").click()
    expect(page.locator(".flash")).to_have_text("Đã triển khai phiên bản 2.")
    expect(page.locator('tr[data-version="2"]')).to_contain_text("Kim Văn Toàn")
    expect(page.locator('tr[data-version="1"] [data-testid="running"]')).to_have_text("2")
    designer.shot("designer-05-deployed")

    page.get_by_role("link", name="So với phiên bản trước").click()
    changes = page.get_by_test_id("element-changes")
    expect(changes.locator('tr[data-element="draft"]')).to_contain_text(NEW_NAME)
    expect(changes.locator('tr[data-element="draft"]')).to_have_attribute("data-change", "renamed")
    expect(changes.locator(f'tr[data-element="{task_id}"]')).to_have_attribute("data-change", "added")
    expect(page.locator(f'tr[data-form="{CHECK_FORM}"]')).to_be_visible()
    expect(page.get_by_test_id("diff-diagram")).to_have_attribute("data-ready", "1")
    expect(page.locator(f'.djs-element[data-element-id="{task_id}"]')).to_have_class(re.compile("diff-added"))
    designer.shot("designer-06-diff")
    designer.close()

    # A new case runs version 2: the renamed task, then the new one with its form, then the head.
    case = start(api)
    assert case["version"] == 2
    assert only_task(case)["title"] == NEW_NAME
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    check = only_task(case)
    assert (check["title"], [a["username"] for a in check["assignees"]]) == (CHECK_NAME, ["btl_spec_khnv"])
    form = api.get("btl_spec_khnv", f"/api/v1/tasks/{check['id']}").get_json()["form"]
    assert form["properties"]["checked"]["title"] == "Đã kiểm tra thể thức theo Nghị định 30"
    case = complete(api, "btl_spec_khnv", check, {"checked": True})
    assert only_task(case)["title"] == "Lãnh đạo phòng duyệt"

    # The case started before keeps version 1: its old name, and the head right after drafting.
    old = api.get("btl_spec_khnv", f"/api/v1/cases/{old_case['id']}").get_json()
    assert old["version"] == 1 and only_task(old)["title"] == OLD_NAME
    old = complete(api, "btl_spec_khnv", only_task(old), DRAFT)
    assert old["version"] == 1 and only_task(old)["title"] == "Lãnh đạo phòng duyệt"
