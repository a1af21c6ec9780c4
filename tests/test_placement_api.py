"""Issue 10, items 1 and 5 through the API: the clerk's preview of page 1 with the number and
date the issue will print (no number taken), boxes placed by hand on a draft without a "Số:"
line (and the leader's signature refused until they are), the agency's place name on the date
line, and a prepared field changed in the stored file refused with a Vietnamese reason (422)."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from alembic import command
from PIL import Image, ImageChops
from sqlalchemy import inspect, select

from engine.core import schema
from engine.core.platform import Platform
from engine.models import Agency
from signing.pdf.draft import NO_PLACE
from tests import signing_support as s
from tests.conftest import Api
from tests.drafts import CORPUS, make, open_draft
from tests.flows import DRAFT, complete, only_task, start, to_director

HEADER = (0, 0, 827, 585)  # the upper half of page 1 at 100 dpi


def _doc(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = api.get("btl_clerk", f"/api/v1/documents/{case['document']['id']}").get_json()
    return doc


def _main(api: Api, doc: dict[str, Any]) -> bytes:
    main = next(f for f in doc["files"] if f["role"] == "main")
    return bytes(api.get("btl_clerk", f"/api/v1/documents/{doc['id']}/files/{main['id']}").data)


def _put(api: Api, user: str, document_id: int, body: Any) -> Any:
    return api.client.put(f"/api/v1/documents/{document_id}/placement", json=body,
                          headers={"Authorization": f"Bearer {api.token(user)}"})


def test_the_clerk_previews_the_number_and_date_the_issue_then_prints(api: Api) -> None:
    case = complete(api, "btl_director", only_task(to_director(api)), {"decision": "sign"})
    doc_id = case["document"]["id"]
    assert api.get("btl_spec_khnv", f"/api/v1/documents/{doc_id}/issue-preview.png").status_code == 403
    r = api.get("btl_clerk", f"/api/v1/documents/{doc_id}/issue-preview.png")
    assert r.status_code == 200 and r.mimetype == "image/png"
    preview = Image.open(io.BytesIO(r.data)).convert("RGB")
    assert _doc(api, case)["number"] is None  # a preview takes no number
    again = api.get("btl_clerk", f"/api/v1/documents/{doc_id}/issue-preview.png")
    assert again.data == r.data  # nor does a second one

    issued = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    assert issued["document"]["number"] == 1
    pdf = _main(api, _doc(api, case))
    assert "Bắc Từ Liêm, ngày" in s.pdf_text(pdf)  # the agency's place name
    printed = s.render(pdf, 100)
    assert preview.size == printed.size
    # the header of the issued page is, pixel for pixel, the one the clerk saw
    assert ImageChops.difference(preview.crop(HEADER), printed.crop(HEADER)).getbbox() is None
    unfilled = s.render(open_draft(), 100)
    assert ImageChops.difference(unfilled.crop(HEADER), printed.crop(HEADER)).getbbox() is not None


def test_a_draft_without_placeholders_is_signed_once_its_boxes_are_placed(api: Api) -> None:
    case = start(api)
    doc_id = case["document"]["id"]
    thong_bao = make(next(d for d in CORPUS if d.number_line is None))
    assert api.upload("btl_spec_khnv", doc_id, thong_bao).status_code == 201
    r = api.get("btl_spec_khnv", f"/api/v1/documents/{doc_id}/page-one.png")
    assert r.status_code == 200 and Image.open(io.BytesIO(r.data)).size == (596, 842)  # one pixel per point
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})

    refused = api.complete("btl_director", only_task(case)["id"], {"decision": "sign"})
    assert refused.status_code == 422 and refused.get_json()["error"] == NO_PLACE
    assert _doc(api, case)["signature_status"] == "none"

    for body, field in (({"number": [60, 735, 250], "date": [320, 735, 560, 755]}, "number"),
                        ({"number": [60, 735, 250, 755], "date": [320, 735, 700, 755]}, "date"),
                        ({"number": [60, 735, 80, 740], "date": [320, 735, 560, 755]}, "number"),
                        ({"number": [60, 735, 250, 755], "date": [200, 740, 560, 760]}, "date"),
                        ({"number": ["60", 735, 250, 755], "date": [320, 735, 560, 755]}, "number")):
        r = _put(api, "btl_spec_khnv", doc_id, body)
        assert r.status_code == 422 and field in r.get_json()["fields"], (body, r.get_json())
    boxes = {"number": [60, 735, 250, 755], "date": [320, 735, 560, 755]}
    assert _put(api, "btl_spec_ksdb", doc_id, boxes).status_code == 403  # not hers
    r = _put(api, "btl_spec_khnv", doc_id, boxes)
    assert r.status_code == 200 and r.get_json()["number"] == [60, 735, 250, 755]

    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    assert _put(api, "btl_spec_khnv", doc_id, boxes).status_code == 409  # signed: the boxes are fixed
    case = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    assert case["document"]["signature_status"] == "valid"
    text = s.pdf_text(_main(api, _doc(api, case)))
    assert "Số: 01/KH-TTYT" in text and "Bắc Từ Liêm, ngày" in text


def _tamper_rect_name(pdf: bytes, at: int) -> bytes:
    i = pdf.index(b"/Rect", at)
    return pdf[:i] + b"/Rekt" + pdf[i + 5:]


def _tamper_rect_value(pdf: bytes, at: int) -> bytes:
    i = pdf.index(b"/Rect [ ", at) + 8
    return pdf[:i] + b"x" + pdf[i + 1:]


def _tamper_name(pdf: bytes, at: int) -> bytes:
    i = pdf.rindex(b"/T (", 0, at + 1)
    return pdf[:i] + b"/U" + pdf[i + 2:]


@pytest.mark.parametrize("tamper", [_tamper_rect_name, _tamper_rect_value, _tamper_name],
                         ids=["one byte of /Rect", "/Rect not numbers", "missing /T"])
def test_a_tampered_prepared_field_is_a_422_with_the_reason(api: Api, platform: Platform, tamper: Any) -> None:
    case = complete(api, "btl_director", only_task(to_director(api)), {"decision": "sign"})
    doc = _doc(api, case)
    signed = _main(api, doc)
    main = next(f for f in doc["files"] if f["role"] == "main")
    stored = platform.settings.files_dir / main["sha256"][:2] / main["sha256"]
    changed = tamper(signed, signed.index(b"(SoKyHieu)"))
    assert len(changed) == len(signed) and changed != signed
    stored.write_bytes(changed)
    r = api.complete("btl_clerk", only_task(case)["id"], {"decision": "issue"})
    assert r.status_code == 422, r.get_json()
    message = r.get_json()["error"]
    assert "bị hỏng hoặc đã bị sửa" in message, message
    assert (_doc(api, case)["status"], _doc(api, case)["number"]) == ("draft", None)  # nothing issued
    stored.write_bytes(signed)


def test_the_agency_place_name_is_on_every_demo_agency(platform: Platform) -> None:
    with platform.db.read() as session:
        places = dict(session.execute(select(Agency.code, Agency.place_name)).all())
    assert places["btl"] == "Bắc Từ Liêm" and all(places.values()), places


def test_the_placed_box_is_the_prepared_field(api: Api) -> None:
    """A box stored through the API is the one prepared in the signed file (its /Rect)."""
    case = start(api)
    doc_id = case["document"]["id"]
    assert api.upload("btl_spec_khnv", doc_id, make(CORPUS[5])).status_code == 201
    boxes = {"number": [70, 730, 260, 752], "date": [330, 730, 565, 752]}
    assert _put(api, "btl_spec_khnv", doc_id, boxes).status_code == 200
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    signed = _main(api, _doc(api, case))
    field = signed[signed.index(b"(SoKyHieu)"):]
    rect = field[field.index(b"/Rect [") + 7:field.index(b"]")].split()
    assert [float(v) for v in rect] == boxes["number"]


def test_a_draft_printing_another_symbol_is_refused_before_the_leader_signs(api: Api) -> None:
    case = start(api)  # a Kế hoạch: numbered …/KH-TTYT
    doc_id = case["document"]["id"]
    assert api.upload("btl_spec_khnv", doc_id, make(CORPUS[0])).status_code == 201  # prints "Số: /QĐ-TTYT"
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})
    refused = api.complete("btl_director", only_task(case)["id"], {"decision": "sign"})
    assert refused.status_code == 422
    assert "in ký hiệu /QĐ-TTYT, nhưng văn bản sẽ được cấp ký hiệu /KH-TTYT" in refused.get_json()["error"]
    assert _doc(api, case)["signature_status"] == "none"


def test_migration_0013_goes_down_and_up(platform: Platform) -> None:
    config = schema.alembic_config(platform.db.url)
    with platform.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
        assert "place_name" not in {c["name"] for c in inspect(connection).get_columns("agencies")}
        command.upgrade(config, "head")
        assert "placement_json" in {c["name"] for c in inspect(connection).get_columns("documents")}
    with platform.db.read() as session:
        assert set(session.scalars(select(Agency.place_name))) == {""}  # to be set by each administrator


def test_boxes_placed_on_a_file_do_not_carry_over_to_a_new_one(api: Api) -> None:
    case = start(api)
    doc_id = case["document"]["id"]
    thong_bao = next(d for d in CORPUS if d.number_line is None)
    boxes = {"number": [60, 735, 250, 755], "date": [320, 735, 560, 755]}
    assert _put(api, "btl_spec_khnv", doc_id, boxes).status_code == 422  # no page to place them on yet
    assert api.upload("btl_spec_khnv", doc_id, make(thong_bao)).status_code == 201
    assert _put(api, "btl_spec_khnv", doc_id, boxes).status_code == 200
    revised = make(replace(thong_bao, title=("THÔNG BÁO", "Lịch trực Tết Nguyên đán năm 2027 (sửa lần 2)")))
    assert api.upload("btl_spec_khnv", doc_id, revised).status_code == 201
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})
    refused = api.complete("btl_director", only_task(case)["id"], {"decision": "sign"})
    assert refused.status_code == 422 and refused.get_json()["error"] == NO_PLACE
