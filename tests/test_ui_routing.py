"""Chuyển xử lý in one screen (Bắc Từ Liêm incoming, in Chromium): the Director ticks chủ trì,
phối hợp and để biết on a tree of the agency's units and people, with a hạn xử lý on each chủ trì
and phối hợp node (one before today is refused beside its node, the choices kept) and a bút phê
template; the work tree shows each unit's own deadline and names people by name and
position, never by username; the unit head's assign form offers only the unit's people; axe
finds nothing critical or serious."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.axe import serious
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import complete, only_task
from tests.test_btl_incoming import _start


def test_routing_with_the_tree_then_names_everywhere(browser: Browser, live_url: str,  # noqa: F811
                                                     platform: Platform, api: Api) -> None:
    case = complete(api, "btl_clerk", only_task(_start(api)), {"decision": "register", "leader": "director"})
    director = Staff(browser, live_url, "btl_director", backend(platform)).login()
    page = director.page
    page.goto("/inbox")
    page.get_by_role("link", name="Giám đốc bút phê").click()
    tree = page.get_by_test_id("routing-tree")
    expect(tree).to_contain_text("Khoa Kiểm soát dịch bệnh (KSDB)")
    expect(tree).to_contain_text("Vũ Thu Hà (Chuyên viên, KHNV)")
    expect(tree).not_to_contain_text("btl_")  # people by name and position, never by username
    # Only valid choices: the Board (no head) takes no work, so no chủ trì or phối hợp tick box for it.
    expect(tree.locator('tr[data-unit="BGD"] input[name="main_unit"]')).to_have_count(0)
    expect(tree.locator('tr[data-unit="BGD"] input[name="info_units"]')).to_have_count(1)
    assert serious(page) == []

    tree.get_by_label("Chủ trì: Khoa Kiểm soát dịch bệnh").check()
    tree.get_by_label("Phối hợp: Trạm Y tế").first.check()
    tree.get_by_label("Để biết: Vũ Thu Hà").check()
    tree.get_by_label("Phối hợp: Phòng Kế hoạch – Nghiệp vụ").check()
    tree.get_by_label("Hạn xử lý: Khoa Kiểm soát dịch bệnh").fill("2026-03-06")
    tree.get_by_label("Hạn xử lý: Trạm Y tế").first.fill("2026-03-01")  # before today (2 March): refused
    page.fill("#co_deadline", "2026-03-05")  # KHNV has none of its own: the common one
    page.get_by_role("button", name="Chuyển xử lý").click()
    refused = page.get_by_test_id("routing-tree")
    expect(refused.locator('[data-error-for="co_deadlines.TYT1"]')).to_contain_text("không được trước hôm nay")
    expect(refused.locator('input[name="co_units"][value="KHNV"]')).to_be_checked()
    expect(refused.locator("#node_deadline-KSDB")).to_have_value("2026-03-06")
    assert serious(page) == []
    refused.locator("#node_deadline-TYT1").fill("2026-03-04")
    page.get_by_role("button", name="Giao phòng chủ trì tham mưu, báo cáo kết quả.").click()
    director.shot("60-routing-tree")
    page.get_by_role("button", name="Chuyển xử lý").click()
    expect(page.locator(".flash")).to_contain_text("Đã chuyển xử lý")
    expect(page.locator(".flash")).to_contain_text("Ngô Quốc Huy (Trưởng đơn vị)")

    page.goto(f"/cases/{case['id']}")
    work = page.get_by_test_id("work-tree")
    expect(work).to_contain_text("giao bởi Trần Minh Quang (Giám đốc)")
    expect(work).to_contain_text("Vũ Thu Hà (Chuyên viên)")
    expect(work).to_contain_text("Giao phòng chủ trì tham mưu, báo cáo kết quả.")
    expect(work).not_to_contain_text("btl_")
    for unit, day in (("Khoa Kiểm soát dịch bệnh", "06/03/2026"), ("Trạm Y tế phường số 1", "04/03/2026"),
                      ("Phòng Kế hoạch – Nghiệp vụ", "05/03/2026")):
        expect(work.locator("li", has_text=unit).first).to_contain_text(f"hạn {day}")

    # The head of KSDB hands it on: only KSDB's people are offered.
    head = Staff(browser, live_url, "btl_head_ksdb", backend(platform)).login()
    head.page.goto("/inbox")
    head.page.get_by_role("link", name="Lãnh đạo khoa, phòng, trạm phân công").first.click()
    offered = head.page.locator("#assignee option").all_inner_texts()
    assert offered[1:] and all("KSDB" in o for o in offered[1:]), offered
    assert any("Bùi Thanh Tâm (Chuyên viên, KSDB)" == o for o in offered), offered
    for person in (director, head):
        person.close()
