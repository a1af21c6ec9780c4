"""Moving running cases between versions (issue 18 item 7), in the engine: 50 cases waiting at
the head's review move from version 1 to a version 2 where that task was renamed (mapped by
the operator); the dry run says which can move and why the others cannot; one is reverted;
a case that ran a step on version 2 cannot be; every case replays (the ``api`` fixture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.audit import chain as audit
from engine.core.errors import Conflict, Forbidden, InvalidData
from engine.core.platform import Platform
from engine.models import Case, HumanTask, ProcessVersion, Timer, User
from engine.operations import migration
from engine.workflow import bpmn_check, definitions, replay
from tests.conftest import ROOT, Api
from tests.flows import complete, only_task, to_head
from tests.incident_support import name_operator
from tests.test_audit import _cli

RENAMED = {"head_review": "head_check"}


def renamed_outgoing(tmp_path: Path) -> Path:
    """Version 2 of btl_outgoing: the head's review task is now ``head_check``."""
    xml = (ROOT / "processes/bac_tu_liem/btl_outgoing.bpmn").read_text(encoding="utf-8")
    xml = xml.replace('"head_review"', '"head_check"').replace(">head_review<", ">head_check<")
    xml = xml.replace('name="Lãnh đạo phòng duyệt"', 'name="Lãnh đạo phòng kiểm tra"')
    path = tmp_path / "btl_outgoing.bpmn"
    path.write_text(xml, encoding="utf-8")
    return path


def deploy_v2(platform: Platform, tmp_path: Path) -> int:
    checked = bpmn_check.check_files([renamed_outgoing(tmp_path)], ROOT / "forms", 2 * 1024 * 1024)
    assert checked[0].problems == []
    with platform.db.write() as session:
        [(version, created)] = definitions.deploy(session, checked[0], platform.clock.now(), None)
        assert created
        return version.version


def _admin(session: object) -> User:
    return session.scalars(select(User).where(User.username == "btl_admin")).one()  # type: ignore[attr-defined]


def test_fifty_cases_move_to_a_renamed_task_and_one_is_reverted(api: Api, platform: Platform,
                                                                 tmp_path: Path) -> None:
    tasks = [to_head(api) for _ in range(50)]
    with platform.db.read() as session:
        ids = [session.get(HumanTask, t["id"]).case_id for t in tasks]
        timers_before = {t.case_id: t.task_id for t in session.scalars(select(Timer))}
    version = deploy_v2(platform, tmp_path)
    assert version == 2
    name_operator(platform, "btl_admin")

    with platform.db.read() as session:
        admin = _admin(session)
        unmapped = migration.plan(session, admin, "btl_outgoing", 1, 2, {})
        assert [p.case_id for p in unmapped] == ids
        assert not any(p.movable for p in unmapped)
        assert "bước 'head_review' không có trong phiên bản 2 và chưa được ánh xạ" in unmapped[0].reasons
        with pytest.raises(InvalidData):
            migration.plan(session, admin, "btl_outgoing", 1, 2, {"head_review": "nowhere"})
        planned = migration.plan(session, admin, "btl_outgoing", 1, 2, RENAMED)
        assert all(p.movable for p in planned) and len(planned) == 50
        assert planned[0].tasks[0]["from"] == "head_review" and planned[0].tasks[0]["to"] == "head_check"
        clerk = session.scalars(select(User).where(User.username == "btl_clerk")).one()
        with pytest.raises(Forbidden):
            migration.plan(session, clerk, "btl_outgoing", 1, 2, RENAMED)

    with platform.db.read() as session:
        admin_id = _admin(session).id
    moved, refused = migration.migrate_batch(platform.db, admin_id, ids, 2, RENAMED, platform.clock.now())
    assert (len(moved), refused) == (50, {})
    with platform.db.read() as session:
        v2 = session.scalars(select(ProcessVersion.id).where(ProcessVersion.process_id == "btl_outgoing",
                                                             ProcessVersion.version == 2)).one()
        assert {session.get(Case, i).process_version_id for i in ids} == {v2}
        rows = [session.get(HumanTask, t["id"]) for t in tasks]
        assert {(r.spec_name, r.title, r.status.value) for r in rows} == {("head_check", "Lãnh đạo phòng kiểm tra",
                                                                          "open")}
        # The deadline timer on the task is the same one, still pending.
        assert {t.case_id: t.task_id for t in session.scalars(select(Timer))} == timers_before
        entry = audit.case_entries(session, ids[0])[-1]
        assert entry.action == "case_migrated" and json.loads(entry.payload)["mapping"] == RENAMED

    # Revert one, while no step has run on version 2.
    with platform.db.write() as session:
        migration.revert(session, _admin(session), ids[0], platform.clock.now())
    with platform.db.read() as session:
        assert session.get(HumanTask, tasks[0]["id"]).spec_name == "head_review"
        assert session.get(Case, ids[0]).process_version_id != v2
    # A case that ran a step on version 2 stays there.
    case = complete(api, "btl_head_khnv", tasks[1], {"decision": "return", "note": "Sửa lại"})
    assert only_task(case)["task"] == "draft"
    with platform.db.write() as session, pytest.raises(Conflict):
        migration.revert(session, _admin(session), ids[1], platform.clock.now())
    # The reverted case goes on on version 1, a moved one on version 2.
    case = complete(api, "btl_head_khnv", tasks[0], {"decision": "return", "note": "Sửa lại"})
    assert only_task(case)["task"] == "draft"
    with platform.db.read() as session:
        for case_id in ids[:5]:
            report = replay.replay(session, case_id)
            assert report.matches, (case_id, report.differences)
    result = _cli(platform, "audit", "replay", "--all")
    assert result.exit_code == 0, result.output
    assert result.output.count(": 2 bước, khớp") >= 48 and "KHÔNG KHỚP" not in result.output
