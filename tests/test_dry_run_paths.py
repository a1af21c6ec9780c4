"""The dry run's every path (issue 18 item 4): from one start, each answer a task can take that a
condition reads makes its own path, a task never repeats an answer within a path (a return loop
ends), a value the designer fixed narrows its field and several answers given for a task are
each tried; nothing is stored."""

from __future__ import annotations

from typing import Any

from engine.core.platform import Platform
from engine.design import designer
from tests.flows import DRAFT
from tests.test_design_tools import _counts, _designer, _work


def _explore(platform: Platform, answers: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    with platform.db.read() as session:
        before = _counts(session)
        found = designer.dry_run(session, _designer(session), "btl_outgoing", _work(), platform.settings,
                                 "btl_spec_khnv", DRAFT, answers, platform.clock.now(), every=True)
        assert _counts(session) == before
    answer: dict[str, Any] = found.as_json()
    assert answer["truncated"] is False
    paths: list[dict[str, Any]] = answer["paths"]
    return paths


def _route(path: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(s["element"], (s["answer"] or {}).get("decision")) for s in path["steps"][1:]]


def test_every_path_of_btl_outgoing_from_one_start(platform: Platform) -> None:
    paths = _explore(platform, {"draft": [DRAFT]})
    finished = [_route(p) for p in paths if p["finished"]]
    assert finished == [
        [("head_review", "approve"), ("director_sign", "sign"), ("clerk_issue", "issue")],  # path 1
        [("head_review", "approve"), ("deputy_review", "approve"), ("director_sign", "sign"),  # path 2
         ("clerk_issue", "issue")],
        [("head_review", "approve"), ("deputy_review", "sign"), ("clerk_issue", "issue")],  # the deputy signs
    ]
    returned = [p for p in paths if not p["finished"]]
    # Each return (head, deputy, Director, clerk) goes back to the drafter, whose one answer was used.
    assert sorted(_route(p)[-2][0] for p in returned) == [
        "clerk_issue", "clerk_issue", "clerk_issue", "deputy_review", "director_sign", "director_sign",
        "head_review"]
    assert all(p["steps"][-1]["element"] == "draft" and "vòng lặp" in p["stopped"] for p in returned)
    done = [p["path"] for p in paths if p["finished"]]
    assert ["gw_head", "director_sign"] in done[0] and ["gw_head", "deputy_review"] in done[1]


def test_a_fixed_value_narrows_and_several_answers_are_each_tried(platform: Platform) -> None:
    via_deputy = _explore(platform, {"draft": [DRAFT], "head_review": [{"route": "deputy_director"}]})
    heads = {tuple(sorted(p["steps"][1]["answer"].items())) for p in via_deputy}
    assert heads == {(("decision", "approve"), ("route", "deputy_director")),
                     (("decision", "return"), ("route", "deputy_director"))}
    two = [{"decision": "approve", "route": "director"}, {"decision": "approve", "route": "deputy_director"}]
    approved = _explore(platform, {"draft": [DRAFT], "head_review": two, "director_sign": [{"decision": "sign"}],
                                   "deputy_review": [{"decision": "approve"}], "clerk_issue": [{"decision": "issue"}]})
    assert [_route(p) for p in approved] == [
        [("head_review", "approve"), ("director_sign", "sign"), ("clerk_issue", "issue")],
        [("head_review", "approve"), ("deputy_review", "approve"), ("director_sign", "sign"),
         ("clerk_issue", "issue")]]
