"""Full-text search (issue 17 item 6): the text of a document's main PDF is read after its upload
(pdftotext under a budget, outside the upload's transaction), folded like the rest of the index,
and a search finds a phrase that is only in the PDF's body, with the passage around it."""

from __future__ import annotations

from dataclasses import replace as revised

from sqlalchemy import select

from engine.core.platform import Platform
from engine.documents.textfold import words
from engine.fulltext import passage
from engine.fulltext.model import DocumentText
from tests.conftest import Api
from tests.drafts import CORPUS, make, open_draft
from tests.flows import start

BODY_PHRASE = "Luật Khám bệnh, chữa bệnh"  # in tests/drafts.py's body, in no metadata of the case


def _search(api: Api, user: str, q: str) -> list[dict]:
    r = api.get(user, f"/api/v1/search?q={q}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_a_phrase_only_in_the_pdf_body_is_found_with_its_passage(api: Api, platform: Platform) -> None:
    case = start(api)
    doc_id = case["document"]["id"]
    assert not [d for d in _search(api, "btl_spec_khnv", "kham benh chua benh") if d["id"] == doc_id]
    assert api.upload("btl_spec_khnv", doc_id, open_draft()).status_code == 201

    for query in ("kham benh chua benh", "khám bệnh, chữa bệnh", "KHÁM BỆNH chua"):
        found = [d for d in _search(api, "btl_spec_khnv", query) if d["id"] == doc_id]
        assert len(found) == 1, query
    hit = next(d for d in _search(api, "btl_spec_khnv", "kham benh chua benh") if d["id"] == doc_id)
    assert hit["passage"]["match"] == "Khám bệnh, chữa bệnh"
    assert hit["passage"]["before"].endswith("Căn cứ Luật ")
    # found by its metadata alone: no passage to show
    by_subject = next(d for d in _search(api, "btl_spec_khnv", words(case["document"]["subject"])[0])
                      if d["id"] == doc_id)
    assert by_subject["passage"] is None or by_subject["passage"]["match"]

    # someone who may not see the document does not find it by its text either
    assert not [d for d in _search(api, "laichau_clerk", "kham benh chua benh") if d["id"] == doc_id]

    with platform.db.read() as session:
        row = session.scalar(select(DocumentText).where(DocumentText.document_id == doc_id))
        assert row is not None and row.outcome == "ok" and BODY_PHRASE in row.text


def test_a_new_main_file_is_read_again(api: Api, platform: Platform) -> None:
    case = start(api)
    doc_id = case["document"]["id"]
    assert api.upload("btl_spec_khnv", doc_id, open_draft()).status_code == 201
    revision = make(revised(CORPUS[6], title=("BÁO CÁO", "Tổng kết phòng chống sốt xuất huyết lưu hành")))
    assert api.upload("btl_spec_khnv", doc_id, revision).status_code == 201
    assert [d for d in _search(api, "btl_spec_khnv", "sot xuat huyet luu hanh") if d["id"] == doc_id]
    with platform.db.read() as session:
        row = session.get(DocumentText, doc_id)
        assert row is not None and "lưu hành" in row.text


def test_the_passage_points_back_at_the_original_text() -> None:
    text = "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ;\nTheo đề nghị"
    found = passage.find(text, (("30", "2020", "nd", "cp"),), prefix=False)
    assert found is not None and found.match == "30/2020/NĐ-CP"
    assert found.before == "Căn cứ Nghị định số " and found.after.startswith(" ngày 05")
    assert passage.find(text, (("nghi", "dinh"), ("chinh", "ph")), prefix=True) is not None
    assert passage.find(text, (("chinh", "ph"),), prefix=False) is None  # a whole word unless typing it
    assert passage.find("", (("a",),), prefix=True) is None
