"""The direction form in the task page (Quảng Ngãi incoming, Chief of Office): the main
unit, co-ordinating units with their deadline, as the form's selects, checkboxes and
dates, with the server's messages beside the fields; then a comment request (góp ý)
shown in green in the colleague's inbox."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import complete, only_task
from tests.test_quang_ngai import _task, _to_cvp

TITLE = "Chánh Văn phòng phân văn bản"


def test_direction_form_then_a_comment_request_in_green(browser: Browser, live_url: str,  # noqa: F811
                                                         platform: Platform, api: Api) -> None:
    case = _to_cvp(api)
    cvp = Staff(browser, live_url, "qn_cvp", backend(platform)).login()
    page = cvp.page
    page.goto("/inbox")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator(".pdf")).to_have_attribute("data-rendered", "1")  # the clerk's scan

    # The main unit without its deadline: refused beside the field, the choices kept.
    page.locator('input[name="main_unit"][value="NVY"]').check()
    page.get_by_label("Phối hợp: Phòng Kế hoạch – Tài chính").check()
    page.get_by_role("button", name="Chuyển các phòng theo ý kiến chỉ đạo").click()
    expect(page.locator('[data-error-for="main_deadline"]')).to_be_visible()
    expect(page.locator('input[name="main_unit"][value="NVY"]')).to_be_checked()
    expect(page.locator('input[name="co_units"][value="KHTC"]')).to_be_checked()
    cvp.shot("10-direction-needs-deadline")

    page.fill("#node_deadline-NVY", "2026-03-13")
    page.fill("#co_deadline", "2026-03-10")
    page.fill("#note", "Phòng NVY chủ trì, KHTC phối hợp bố trí kinh phí")
    page.get_by_role("button", name="Chuyển các phòng theo ý kiến chỉ đạo").click()
    expect(page.locator(".flash")).to_contain_text("Đã chuyển các phòng theo ý kiến chỉ đạo")
    expect(page.locator(".flash")).to_contain_text("Châu Văn Thịnh (Trưởng đơn vị)")  # who holds it now
    page.goto(f"/cases/{case['id']}")
    tree = page.get_by_test_id("work-tree")
    expect(tree).to_contain_text("Xử lý chính")
    expect(tree).to_contain_text("Phòng Nghiệp vụ Y")
    expect(tree).to_contain_text("Phối hợp")
    cvp.shot("11-work-tree")

    # KHTC finishes its part; in NVY the head hands it to the deputy head, who asks a colleague for comments.
    case = api.get("qn_cvp", f"/api/v1/cases/{case['id']}").get_json()
    case = complete(api, "qn_head_khtc", _task(case, "unit_assign", "qn_head_khtc"), {"decision": "handle"})
    case = complete(api, "qn_head_khtc", _task(case, "handle", "qn_head_khtc"),
                    {"decision": "finish", "note": "Đã nắm, bố trí kinh phí"})
    case = complete(api, "qn_head_nvy", _task(case, "unit_assign", "qn_head_nvy"),
                    {"decision": "assign", "assignee": "qn_deputy_nvy"})
    case = complete(api, "qn_deputy_nvy", _task(case, "handle", "qn_deputy_nvy"),
                    {"decision": "comment", "commenter": "qn_spec2_nvy", "note": "Đề nghị góp ý danh sách huyện"})
    comment = [t for t in case["open_tasks"] if t["kind"] == "comment"]
    assert len(comment) == 1 and only_task({"open_tasks": comment})["assignees"][0]["username"] == "qn_spec2_nvy"

    colleague = Staff(browser, live_url, "qn_spec2_nvy", backend(platform)).login()
    page = colleague.page
    page.goto("/inbox")
    row = page.locator('tr[data-kind="comment"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Góp ý")
    colour = row.locator("td").first.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert colour == "rgb(232, 246, 236)"  # the green of a góp ý
    colleague.shot("12-comment-request-green")
    for person in (cvp, colleague):
        person.close()
