"""Placing the number and date boxes in real Chromium: the drafter clicks two corners of one
box and drags the other on the picture of page 1 of a draft that prints no "Số:" line; the boxes are drawn over
the page and saved in PDF points, and the leader can then sign."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from engine.models import Document
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.drafts import CORPUS, make
from tests.flows import DRAFT, complete, only_task, start

PAGE_HEIGHT = 842  # the picture of an A4 page 1, one pixel per point


def test_the_drafter_clicks_the_boxes_on_page_one(browser: Browser, live_url: str, platform: Platform,  # noqa: F811
                                                 api: Api) -> None:
    case = start(api)
    doc_id = case["document"]["id"]
    thong_bao = make(next(d for d in CORPUS if d.number_line is None))
    assert api.upload("btl_spec_khnv", doc_id, thong_bao).status_code == 201
    spec = Staff(browser, live_url, "btl_spec_khnv", backend(platform)).login()
    page = spec.page
    page.goto(f"/documents/{doc_id}")
    page.get_by_test_id("place-number").click()
    picture = page.get_by_test_id("page-one")
    expect(picture).to_be_visible()
    natural = picture.evaluate("img => img.decode().then(() => img.naturalWidth)")  # once it has loaded
    shown = picture.bounding_box()
    assert shown is not None and natural == 596
    scale = shown["width"] / natural

    def click(x: float, y: float) -> None:  # PDF points, origin bottom left
        picture.click(position={"x": x * scale, "y": (PAGE_HEIGHT - y) * scale})

    click(60, 755)  # the number's box: two corners clicked
    click(250, 735)
    page.get_by_label("Khung địa danh, ngày tháng").check()
    corner = (shown["x"] + 560 * scale, shown["y"] + (PAGE_HEIGHT - 735) * scale)  # the date's: dragged
    page.mouse.move(*corner)
    page.mouse.down()
    page.mouse.move(shown["x"] + 320 * scale, shown["y"] + (PAGE_HEIGHT - 755) * scale, steps=5)
    page.mouse.up()
    expect(page.locator("[data-box=number]")).to_be_visible()
    expect(page.locator("[data-box=date]")).to_be_visible()
    spec.shot("placement-boxes")
    page.get_by_role("button", name="Lưu vị trí").click()
    expect(page.locator(".flash")).to_contain_text("Đã lưu vị trí số và ngày")
    spec.close()

    with platform.db.read() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.placement_json is not None
        stored: dict[str, Any] = json.loads(doc.placement_json)
    for got, want in zip(stored["number"] + stored["date"], [60, 735, 250, 755, 320, 735, 560, 755], strict=True):
        assert abs(got - want) <= 1.5 / scale, stored

    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    assert case["document"]["signatures"][0]["field"] == "LanhDao"
