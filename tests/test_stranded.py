"""Stranded cases (issue 11): found by ``qlvb cases check`` and at server and worker start-up, moved
on by the upgrade step (``qlvb init-db``, ``qlvb cases repair``), audited, and replayable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.models import AuditEntry
from engine.operations import stranded
from engine.workflow import definitions
from qlvb.cli import main
from tests import test_dong_nai, test_lai_chau
from tests.conftest import Api
from tests.flows import complete, only_task
from tests.server import Server


def _strand_lai_chau(api: Api, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Lai Châu incoming, each unit step taken on a diagram parsed afresh by the engine
    before issue 11 (no merge hook wired): the case ends running with nothing open."""
    case = test_lai_chau._start(api, "laichau_incoming", "laichau_clerk",
                                {**test_lai_chau.INCOMING, "channel": "electronic"})
    case = complete(api, "laichau_director", only_task(case), test_lai_chau.DIRECTION)
    case = complete(api, "laichau_clerk", only_task(case), {"decision": "register"})
    with monkeypatch.context() as old_engine:
        old_engine.setattr(definitions, "wire", lambda specs: None)
        for task, decision in (("unit_assign", {"assignee": "laichau_spec_{}"}), ("handle", {"decision": "finish"})):
            for unit in ("qlcn", "qltm"):
                definitions._versions.clear()
                user = f"laichau_head_{unit}" if task == "unit_assign" else f"laichau_spec_{unit}"
                case = complete(api, user, test_lai_chau._task(case, task, user),
                                {k: v.format(unit) for k, v in decision.items()})
    definitions._versions.clear()
    assert (case["status"], case["open_tasks"]) == ("running", [])
    return case


def _env(platform: Platform) -> dict[str, str]:
    return {"QLVB_DATABASE_URL": platform.settings.database_url, "QLVB_DATA_DIR": str(platform.settings.data_dir)}


def test_a_stranded_case_is_reported_then_resumed_by_the_upgrade_step(
    api: Api, platform: Platform, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    running = test_lai_chau._start(api, "laichau_incoming", "laichau_clerk", test_lai_chau.INCOMING)
    case = _strand_lai_chau(api, monkeypatch)

    with platform.db.read() as s:
        assert [c.case_id for c in stranded.find(s)] == [case["id"]]  # not the case waiting at its first task
    checked = CliRunner().invoke(main, ["cases", "check"], env=_env(platform))
    assert checked.exit_code == 1
    assert f"Hồ sơ {case['id']} (laichau_incoming v1)" in checked.output
    assert "1 hồ sơ bị kẹt" in checked.output
    worker = CliRunner().invoke(main, ["worker", "--once", "--no-backup"], env=_env(platform))
    assert worker.exit_code == 0, worker.output
    assert "CẢNH BÁO: 1 hồ sơ bị kẹt" in worker.output
    server = Server(platform, tmp_path / "serve.log")
    server.start()
    server.stop()
    logged = server.log.read_text()
    assert f"Hồ sơ {case['id']} (laichau_incoming v1)" in logged and "CẢNH BÁO: 1 hồ sơ bị kẹt" in logged

    upgraded = CliRunner().invoke(main, ["init-db"], env=_env(platform))
    assert upgraded.exit_code == 0, upgraded.output
    assert f"Hồ sơ {case['id']}: đã tiếp tục xử lý." in upgraded.output

    after = api.get("laichau_director", f"/api/v1/cases/{case['id']}").get_json()
    assert after["status"] == "completed"
    assert after["document"]["status"] == "finished"
    with platform.db.read() as s:
        assert stranded.find(s) == []
        resumed = s.scalars(select(AuditEntry).where(AuditEntry.action == "case_resumed")).one()
        payload = json.loads(resumed.payload)
        assert (resumed.case_id, payload["merged"], payload["status"]) == (case["id"], 2, "completed")
    assert CliRunner().invoke(main, ["cases", "check"], env=_env(platform)).exit_code == 0
    assert CliRunner().invoke(main, ["cases", "repair"], env=_env(platform)).exit_code == 0
    assert running["status"] == "running"
    # The api fixture then replays every case, the resumed one included, and verifies the audit chain.


def test_a_circulation_stopped_after_its_first_unit_goes_on_through_the_others(
    api: Api, platform: Platform, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Đồng Nai's sequential circulation, stranded after the first unit initialled in a
    process that had not started the circulation: resumed, the next unit's head has it,
    and the first unit's initial is kept."""
    case = test_dong_nai._start(api, "dn_spec_vps", test_dong_nai.START)
    case = test_dong_nai._walk(api, case, [("draft", "dn_spec_vps", test_dong_nai.DRAFT)])
    with monkeypatch.context() as old_engine:
        old_engine.setattr(definitions, "wire", lambda specs: None)
        definitions._versions.clear()
        case = test_dong_nai._walk(api, case, [("presenter_initial", "dn_cvp", test_dong_nai.APPROVE)])
    definitions._versions.clear()
    assert (case["status"], case["open_tasks"]) == ("running", [])

    assert stranded.repair(platform.db, clock.now()) == ([case["id"]], [])
    case = api.get("dn_spec_vps", f"/api/v1/cases/{case['id']}").get_json()
    case = test_dong_nai._walk(api, case, [
        ("head_initial", "dn_head_ttkc", test_dong_nai.APPROVE),
        ("head_initial", "dn_head_khtcth", test_dong_nai.APPROVE),
        ("head_initial", "dn_head_ktqlnl", test_dong_nai.APPROVE),
        ("director_sign", "dn_director", {"decision": "sign"}),
    ])
    assert [i["unit"] for i in case["data"]["initials"]] == ["VPS", "TTKC", "KHTCTH", "KTQLNL"]
    case = test_dong_nai._issue(api, case)
    assert case["status"] == "completed"
