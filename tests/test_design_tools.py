"""The designer's tools (issue 18): a dry run of a draft in memory (who receives each step,
which path is taken, nothing stored), the live preview of a lane expression, the impact of a
deployment (what changed, the cases on older versions) and the heatmap of a process."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.core.clock import FakeClock
from engine.core.errors import InvalidData
from engine.core.platform import Platform
from engine.design import designer, heatmap
from engine.models import AuditEntry, Case, HumanTask, User
from tests.conftest import ROOT, Api
from tests.flows import DRAFT, complete, only_task, start

BPMN = (ROOT / "processes" / "bac_tu_liem" / "btl_outgoing.bpmn").read_text(encoding="utf-8")

# Path 2 of btl_outgoing: the head sends the draft to the deputy in charge, who approves it
# for the Director's signature, and the clerk issues it.
PATH_2 = {"draft": [DRAFT], "head_review": [{"decision": "approve", "route": "deputy_director"}],
          "deputy_review": [{"decision": "approve"}], "director_sign": [{"decision": "sign"}],
          "clerk_issue": [{"decision": "issue"}]}


def _forms() -> dict[str, Any]:
    return {f"btl_outgoing/{p.name}": json.loads(p.read_text(encoding="utf-8"))
            for p in (ROOT / "forms" / "btl_outgoing").glob("*.json")}


def _work(xml: str = BPMN) -> designer.Work:
    return designer.Work(xml, _forms())


def _designer(session: Any) -> User:
    return session.scalars(select(User).where(User.username == "btl_designer")).one()


def _counts(session: Any) -> tuple[int, int, int]:
    return (session.scalar(select(func.count()).select_from(Case)) or 0,
            session.scalar(select(func.count()).select_from(HumanTask)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_dry_run_of_path_2_shows_who_receives_each_step_and_stores_nothing(platform: Platform) -> None:
    with platform.db.write() as session:
        before = _counts(session)
        run = designer.dry_run(session, _designer(session), "btl_outgoing", _work(), platform.settings,
                               "btl_spec_khnv", DRAFT, PATH_2, platform.clock.now())
        after = _counts(session)
    assert after == before
    assert run.finished and run.stopped is None
    assert [(s.element, s.people) for s in run.steps] == [
        ("draft", ("btl_spec_khnv",)), ("head_review", ("btl_head_khnv",)), ("deputy_review", ("btl_deputy2",)),
        ("director_sign", ("btl_director",)), ("clerk_issue", ("btl_clerk",))]
    assert run.steps[-1].action == "issue_outgoing"  # named, not run
    assert ["gw_head", "deputy_review"] in run.path and ["gw_clerk", "end_issued"] in run.path
    assert ["gw_head", "director_sign"] not in run.path


def test_a_dry_run_stops_where_no_answer_was_chosen_and_takes_answers_in_visit_order(platform: Platform) -> None:
    answers = {**PATH_2, "draft": [DRAFT, DRAFT],
               "head_review": [{"decision": "return", "note": "Bổ sung"}, {"decision": "approve", "route": "director"}]}
    del answers["director_sign"]
    with platform.db.read() as session:
        run = designer.dry_run(session, _designer(session), "btl_outgoing", _work(), platform.settings,
                               "btl_spec_ksdb", DRAFT, answers, platform.clock.now())
    assert [s.element for s in run.steps] == ["draft", "head_review", "draft", "head_review", "director_sign"]
    assert run.steps[1].people == ("btl_head_ksdb",)  # the head of the initiator's own unit
    assert run.steps[-1].answer is None and not run.finished
    assert "Giám đốc ký số" in (run.stopped or "")


def test_a_dry_run_says_where_a_case_would_stop_when_no_flow_takes_the_answer(platform: Platform) -> None:
    answers = {**PATH_2, "head_review": [{"route": "deputy_director"}]}  # no decision: no flow matches
    with platform.db.read() as session:
        run = designer.dry_run(session, _designer(session), "btl_outgoing", _work(), platform.settings,
                               "btl_spec_khnv", DRAFT, answers, platform.clock.now())
    assert [s.element for s in run.steps] == ["draft", "head_review"] and not run.finished
    assert (run.stopped or "").startswith("Lỗi sau 'Lãnh đạo phòng duyệt'")


def test_a_dry_run_refuses_a_broken_draft_and_an_initiator_from_elsewhere(platform: Platform) -> None:
    from engine.workflow.bpmn_check import DefinitionRejected

    broken = BPMN.replace('decision == "issue"', 'decision = "issue"')
    with platform.db.read() as session:
        with pytest.raises(DefinitionRejected):
            designer.dry_run(session, _designer(session), "btl_outgoing", _work(broken), platform.settings,
                             "btl_spec_khnv", DRAFT, PATH_2, platform.clock.now())
        with pytest.raises(InvalidData):
            designer.dry_run(session, _designer(session), "btl_outgoing", _work(), platform.settings,
                             "qn_director", DRAFT, PATH_2, platform.clock.now())


def test_a_lane_expression_is_previewed_per_agency_or_its_mistake_named(platform: Platform) -> None:
    with platform.db.read() as session:
        user = _designer(session)
        found = designer.lane_preview(session, user, "btl_outgoing", _work(), platform.settings, "director | clerk")
        assert [(p.agency, p.people, p.count) for p in found] == [("btl", ("Trần Minh Quang", "Đỗ Thị Mai"), 2)]
        nobody = designer.lane_preview(session, user, "btl_outgoing", _work(), platform.settings,
                                       "deputy_office_chief")
        assert [p.count for p in nobody] == [0]
        case_bound = designer.lane_preview(session, user, "btl_outgoing", _work(), platform.settings, "initiator")
        assert case_bound[0].depends_on_case
        with pytest.raises(InvalidData, match="không có chức vụ 'boss'"):
            designer.lane_preview(session, user, "btl_outgoing", _work(), platform.settings, "boss(initiator)")


def test_the_impact_lists_the_changes_and_the_cases_running_on_each_version(platform: Platform, api: Api) -> None:
    start(api)
    start(api)
    renamed = BPMN.replace('name="Soạn thảo, trình văn bản"', 'name="Soạn thảo"')
    with platform.db.read() as session:
        found = designer.impact(session, _designer(session), "btl_outgoing", _work(renamed))
        opened = designer.work(session, _designer(session), "btl_outgoing")
        unchanged = designer.Work(opened["xml"], opened["forms"])
        same = designer.impact(session, _designer(session), "btl_outgoing", unchanged)
    assert found["version"] == 1 and not found["unchanged"]
    assert [(e["id"], e["change"]) for e in found["elements"]] == [("draft", "renamed")]
    assert found["running"] == [{"version": 1, "cases": 2}] and found["running_total"] == 2
    assert same["unchanged"] and same["elements"] == []


def test_percentiles_are_nearest_rank() -> None:
    assert heatmap.percentile([], 0.5) == 0.0
    assert heatmap.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0
    assert heatmap.percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert heatmap.percentile([7.0], 0.9) == 7.0


def test_the_heatmap_counts_the_cases_and_the_time_each_task_stayed_open(platform: Platform, api: Api,
                                                                        clock: FakeClock) -> None:
    for hours in (1, 2, 5):
        case = start(api)
        clock.advance(timedelta(hours=hours))
        complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    with platform.db.read() as session:
        heat = {h.element: h for h in heatmap.heatmap(session, "btl_outgoing")}
    assert set(heat) == {"draft"}  # the heads' reviews are still open
    assert (heat["draft"].cases, heat["draft"].median_hours, heat["draft"].p90_hours) == (3, 2.0, 5.0)
