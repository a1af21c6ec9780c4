"""The auditor in real Chromium: btl_auditor finds a finished Bắc Từ Liêm case, opens its
audit and steps through its history on the diagram (bpmn-js), the diagram's marked
elements and the highlighted row following each step; then takes the audit dossier."""

from __future__ import annotations

from playwright.sync_api import Browser, Locator, Page, expect

from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import DRAFT, issue_via_deputy


def _marked(page: Page, mark: str) -> set[str]:
    ids: list[str] = page.eval_on_selector_all(f"#diagram .djs-element.{mark}",
                                               "els => els.map(e => e.dataset.elementId)")
    return set(ids)


def _current_row(page: Page) -> Locator:
    return page.locator("tr.current")


def test_auditor_steps_through_a_finished_case_on_the_diagram(browser: Browser, live_url: str,  # noqa: F811
                                                              platform: Platform, api: Api) -> None:
    case = issue_via_deputy(api)
    auditor = Staff(browser, live_url, "btl_auditor", backend(platform)).login()
    page = auditor.page

    page.get_by_role("link", name="Kiểm tra hồ sơ").click()
    page.fill("#title", DRAFT["subject"][:20])
    page.select_option("#status", "completed")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator("tr[data-case]")).to_have_count(1)
    auditor.shot("30-audit-search")
    page.locator(f'tr[data-case="{case["id"]}"]').get_by_role("link").click()
    expect(page.get_by_test_id("audit-title")).to_have_text(DRAFT["subject"])
    expect(page.get_by_test_id("chain-status")).to_contain_text("Nguyên vẹn")
    expect(page.get_by_test_id("replay")).to_contain_text("Khớp")
    expect(page.get_by_test_id("signatures")).to_contain_text("hợp lệ")
    diagram = page.get_by_test_id("diagram")
    expect(diagram).to_have_attribute("data-ready", "1")
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays

    rows = page.locator("tr[data-step]")
    last = rows.count() - 1
    # The finished case: the path to its end, nothing open, the last row highlighted.
    expect(diagram).to_have_attribute("data-step", str(last))
    expect(_current_row(page)).to_have_attribute("data-step", str(last))
    finished = _marked(page, "qlvb-done")
    assert {"start", "draft", "deputy_review", "clerk_issue", "end_issued", "f_clerk_end"} <= finished
    assert "director_sign" not in finished
    assert _marked(page, "qlvb-open") == set()
    auditor.shot("31-audit-case-finished")

    # Back to the first event: only the start is passed, the draft is open.
    for index in range(last - 1, -1, -1):
        page.get_by_role("button", name="‹ Trước").click()
        expect(diagram).to_have_attribute("data-step", str(index))
    expect(_current_row(page)).to_have_attribute("data-action", "case_started")
    assert _marked(page, "qlvb-done") == {"start", "f_start_draft"}
    assert _marked(page, "qlvb-open") == {"draft"}
    expect(page.get_by_role("button", name="‹ Trước")).to_be_disabled()
    auditor.shot("32-audit-case-first-event")

    # Forward one event at a time: the marks grow, the open task moves along the path.
    seen_open = []
    previous = _marked(page, "qlvb-done")
    for index in range(1, last + 1):
        page.get_by_role("button", name="Sau ›").click()
        expect(_current_row(page)).to_have_attribute("data-step", str(index))
        done = _marked(page, "qlvb-done")
        assert previous <= done
        previous = done
        seen_open.append(_marked(page, "qlvb-open"))
        if seen_open[-1] == {"deputy_review"}:
            auditor.shot("33-audit-case-at-deputy")
    assert {"head_review"} in seen_open and {"deputy_review"} in seen_open and {"clerk_issue"} in seen_open
    assert seen_open[-1] == set()

    # A row of the log jumps to its event.
    page.locator('tr[data-action="file_attached"] [data-step-go]').click()
    expect(_current_row(page)).to_have_attribute("data-action", "file_attached")
    assert _marked(page, "qlvb-open") == {"draft"}

    # The heatmap: each task this one case passed, once.
    page.get_by_role("button", name="Bản đồ nhiệt").click()
    expect(page.locator('.heat-badge[data-element="deputy_review"]')).to_contain_text("1 hồ sơ · trung vị")
    expect(page.locator('.heat-badge[data-element="director_sign"]')).to_have_count(0)
    auditor.shot("34-audit-heatmap")

    # The dossier: a ZIP, and its export written to the case's log.
    with page.expect_download() as download:
        page.get_by_role("button", name="Xuất hồ sơ kiểm tra (ZIP)").click()
    assert download.value.suggested_filename == f"ho-so-kiem-tra-{case['id']}.zip"
    page.reload()
    expect(page.locator('tr[data-action="dossier_exported"]')).to_contain_text("Giang Thị Thảo")
    auditor.close()
