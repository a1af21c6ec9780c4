"""In English (issue 17, "Must show": no Vietnamese outside document data), the pages this work
added or changed: the routing tree of a direction (its people's positions were said in
Vietnamese), the administrators' recipients address book, the Chờ ký list with its batch signing
choices, a unit head's assign form (its people's positions were said in Vietnamese too). The
scan is test_ui_english_pages'."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import complete, only_task, to_director
from tests.test_btl_incoming import _start
from tests.test_ui_english_pages import vietnamese_outside_data


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_routing_address_book_and_batch_signing_in_english(browser: Browser, live_url: str,  # noqa: F811
                                                          platform: Platform, api: Api) -> None:
    case = complete(api, "btl_clerk", only_task(_start(api)), {"decision": "register", "leader": "director"})
    to_director(api)
    directed = complete(api, "btl_clerk", only_task(_start(api)), {"decision": "register", "leader": "director",
                                                                   "confirm_duplicates": True})
    directed = complete(api, "btl_director", only_task(directed), {"main_unit": "KSDB", "main_deadline": "2026-03-06"})
    found = {}
    for user, pages in (("btl_admin", ["/admin/address-book"]),
                        ("btl_director", [f"/tasks/{only_task(case)['id']}", "/documents?list=out_signing"]),
                        ("btl_head_ksdb", [f"/tasks/{only_task(directed)['id']}"])):
        staff = Staff(browser, live_url, user, backend(platform)).login()
        page = staff.page
        page.goto(pages[0])
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        for path in pages:
            page.goto(path)
            if left := vietnamese_outside_data(page):
                found[path] = left
        staff.close()
    assert found == {}, found
