"""The operators' pages in real Chromium (issue 18 items 6 and 7): the Lai Châu case jammed by
a head-less unit — an older diagram deployed in the test sends the units' tasks to the head of
the Văn phòng, which has none (tests/incident_support.py) — is found on the incident desk with
its error in Vietnamese and repaired by retrying the step with a person chosen, and goes on;
50 running Bắc Từ Liêm cases move from version 1 to a version 2 whose head's review was
renamed (mapped on the page), and one is reverted. Every case replays afterwards (the ``api`` fixture)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import Case, HumanTask, ProcessVersion
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import assignees, complete, to_head
from tests.incident_support import OPERATOR, jammed_cases, name_operator, unit_of
from tests.test_migration import deploy_v2


def test_the_desk_repairs_the_lai_chau_case_jammed_by_a_headless_unit(browser: Browser, live_url: str,  # noqa: F811
                                                                      platform: Platform, api: Api) -> None:
    [(case, _refused)] = jammed_cases(api, platform)
    name_operator(platform)
    operator = Staff(browser, live_url, OPERATOR, backend(platform)).login()
    page = operator.page
    page.get_by_role("link", name="Sự cố").click()
    row = page.locator(f'tr[data-case="{case["id"]}"]')
    expect(row).to_contain_text("Không xác định được người xử lý bước")
    expect(row).to_contain_text("QLCN")
    operator.shot("60-incident-desk")
    row.get_by_role("link").click()
    expect(page.get_by_test_id("incident-message")).to_contain_text("chưa có ai giữ vai trò này")
    expect(page.get_by_test_id("incident-message")).to_contain_text("head(initiator)")
    expect(page.locator("main")).to_contain_text("laichau_incoming v2")  # the older diagram, deployed last

    retry = page.get_by_test_id("retry-form")
    # Retried with nobody chosen while QLCN still has no head: refused again, on the page.
    retry.locator("input[name=reason]").fill("Thử lại")
    retry.get_by_role("button", name="Chạy lại").click()
    expect(page.get_by_test_id("refused")).to_contain_text("chưa có ai giữ vai trò này")
    expect(page.get_by_test_id("incident-message")).to_be_visible()
    retry = page.get_by_test_id("retry-form")
    retry.locator("select").select_option(label="Lò Văn Tuấn (laichau_deputy)")
    retry.locator("input[name=reason]").fill("Văn phòng Sở không có trưởng phòng, giao Phó Giám đốc phụ trách")
    operator.shot("61-incident-retry")
    retry.get_by_role("button", name="Chạy lại").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã xử lý sự cố")
    expect(page.get_by_test_id("no-incidents")).to_be_visible()
    page.get_by_role("link", name="Đã xử lý").click()
    expect(page.locator(f'tr[data-case="{case["id"]}"]')).to_contain_text("chạy lại bước")
    operator.close()

    # The case goes on: the deputy director in charge of both units has their tasks, and assigns
    # QLCN's to a specialist there.
    state = api.get("laichau_clerk", f"/api/v1/cases/{case['id']}").get_json()
    assert sorted((t["task"], tuple(assignees(t))) for t in state["open_tasks"]) == [
        ("unit_assign", ("laichau_deputy",)), ("unit_assign", ("laichau_deputy",))]
    qlcn = next(t for t in state["open_tasks"] if unit_of(platform, t["id"]) == "QLCN")
    state = complete(api, "laichau_deputy", qlcn, {"assignee": "laichau_spec_qlcn", "note": "Đồng chí Yến xử lý"})
    assert sorted((t["task"], tuple(assignees(t))) for t in state["open_tasks"]) == [
        ("handle", ("laichau_spec_qlcn",)), ("unit_assign", ("laichau_deputy",))]


def test_fifty_cases_move_to_version_two_and_one_goes_back(browser: Browser, live_url: str,  # noqa: F811
                                                           platform: Platform, api: Api, tmp_path: Path) -> None:
    tasks = [to_head(api) for _ in range(50)]
    deploy_v2(platform, tmp_path)
    admin = Staff(browser, live_url, "btl_admin", backend(platform)).login()
    page = admin.page
    page.get_by_role("link", name="Sự cố").click()
    page.get_by_role("link", name="Chuyển phiên bản quy trình").click()
    page.fill("#process", "btl_outgoing")
    page.get_by_role("button", name="Xem các phiên bản").click()
    expect(page.locator("#from")).to_contain_text("50 hồ sơ đang xử lý")
    page.select_option("#from", "1")
    page.select_option("#to", "2")
    page.get_by_role("button", name="Chạy thử").click()
    expect(page.get_by_test_id("plan-summary")).to_have_text("0 / 50 hồ sơ chuyển được.")
    expect(page.locator('tr[data-movable="0"]').first).to_contain_text(
        "bước 'head_review' không có trong phiên bản 2 và chưa được ánh xạ")
    page.select_option("#map-head_review", "head_check")
    page.get_by_role("button", name="Chạy thử").click()
    expect(page.get_by_test_id("plan-summary")).to_have_text("50 / 50 hồ sơ chuyển được.")
    admin.shot("62-migration-dry-run")
    page.get_by_role("button", name="Chuyển các hồ sơ đã chọn sang v2").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã chuyển 50 hồ sơ sang phiên bản 2")
    expect(page.locator("tr[data-migrated]")).to_have_count(50)
    with platform.db.read() as session:
        first = session.get(HumanTask, tasks[0]["id"]).case_id
    page.locator(f'tr[data-migrated="{first}"]').get_by_role("button", name="Hoàn tác").click()
    expect(page.locator(".flash.success")).to_contain_text(f"Đã đưa hồ sơ {first} về phiên bản trước")
    expect(page.locator("tr[data-migrated]")).to_have_count(49)
    admin.shot("63-migration-reverted")
    admin.close()

    with platform.db.read() as session:
        versions = dict(session.execute(select(ProcessVersion.id, ProcessVersion.version)
                                        .where(ProcessVersion.process_id == "btl_outgoing")).all())
        on = {session.get(HumanTask, t["id"]).case_id: versions[session.get(Case, session.get(
            HumanTask, t["id"]).case_id).process_version_id] for t in tasks}
        assert sorted(on.values()) == [1] + [2] * 49 and on[first] == 1
        names = {session.get(HumanTask, t["id"]).spec_name for t in tasks[1:]}
        assert names == {"head_check"}
