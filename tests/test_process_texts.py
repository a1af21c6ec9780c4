"""The processes' texts in English (issue 17 item 8): every text a diagram or its forms show has a
translation in the process's catalogue, and the pages' data is translated value by value, leaving
what people wrote as it is."""

from __future__ import annotations

import json
from dataclasses import dataclass

from engine.processtexts import catalogue
from tests.conftest import ROOT
from webui.common.process_texts import localized, translate

PROCESSES = ROOT / "processes"


def test_every_text_of_every_process_is_translated() -> None:
    diagrams = sorted(PROCESSES.glob("*/*.bpmn"))
    assert len(diagrams) >= 10
    for bpmn in diagrams:
        path = catalogue.catalogue_path(bpmn, "en")
        assert path.is_file(), f"qlvb process texts: no catalogue for {bpmn.name}"
        translated = json.loads(path.read_text("utf-8"))
        texts = catalogue.process_texts(bpmn, ROOT / "forms")
        assert texts, bpmn
        missing = [t for t in texts if not translated.get(t)]
        assert missing == [], (bpmn.name, missing)
    common = json.loads((PROCESSES / "common.en.json").read_text("utf-8"))
    assert all(common.get(t) for t in catalogue.common_texts())
    assert catalogue.load(PROCESSES, "en")["Giám đốc ký số"] == "Director signs digitally"


@dataclass(frozen=True)
class _Field:
    title: str
    choices: list[tuple[str, str]]


def test_the_pages_data_is_translated_except_what_people_wrote() -> None:
    texts = {"Lãnh đạo phòng duyệt": "Head of department reviews", "Ký số": "Sign digitally", "Kế hoạch": "Plan"}
    page = {"task": {"title": "Lãnh đạo phòng duyệt", "subject": "Kế hoạch", "doc_type_name": "Kế hoạch"},
            "form": _Field("Ký số", [("sign", "Ký số"), ("return", "Trả lại để sửa")]), "me": {"name": "Ký số"}}
    shown = localized(page, PROCESSES, "en")
    assert shown["task"] == {"title": "Head of department reviews", "subject": "Kế hoạch", "doc_type_name": "Plan"}
    assert shown["form"] == _Field("Sign digitally", [("sign", "Sign digitally"), ("return", "Return for revision")])
    assert shown["me"] == {"name": "Ký số"}  # the header: the person's own data
    assert localized(page, PROCESSES, "vi") is page
    assert translate("Lãnh đạo phòng duyệt lại", texts) == "Lãnh đạo phòng duyệt lại"  # whole texts only
