"""The hash-chained audit log: `qlvb audit verify` catches an altered, a deleted and a
reordered entry; `qlvb audit replay` catches a case changed outside the engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import delete, select, update

from engine.audit import chain as audit
from engine.core.platform import Platform
from engine.models import AuditEntry, AuditHead, Case
from qlvb.cli import main
from tests.conftest import Api
from tests.flows import DRAFT, complete, only_task, start


def _cli(platform: Platform, *args: str) -> Result:
    env = {"QLVB_DATABASE_URL": platform.settings.database_url, "QLVB_DATA_DIR": str(platform.settings.data_dir)}
    return CliRunner().invoke(main, list(args), env=env)


def _some_history(api: Api) -> int:
    case = start(api)
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "return", "note": "Sửa"})
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    return int(case["id"])


def test_verify_passes_on_an_untouched_chain(api: Api, platform: Platform) -> None:
    _some_history(api)
    result = _cli(platform, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "toàn vẹn" in result.output


@pytest.mark.parametrize("tamper", ["altered", "deleted", "reordered", "truncated"])
def test_verify_catches_tampering(bare_api: Api, platform: Platform, tamper: str) -> None:
    _some_history(bare_api)
    with platform.db.write() as s:
        seqs = list(s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))
        middle = seqs[len(seqs) // 2]
        if tamper == "altered":
            s.execute(update(AuditEntry).where(AuditEntry.seq == middle)
                      .values(payload='{"task":"head_review","data":{"decision":"approve"}}'))
        elif tamper == "deleted":
            s.execute(delete(AuditEntry).where(AuditEntry.seq == middle))
        elif tamper == "truncated":
            s.execute(delete(AuditEntry).where(AuditEntry.seq == seqs[-1]))
        else:  # swap two neighbours' positions in the chain
            s.execute(update(AuditEntry).where(AuditEntry.seq == middle).values(seq=-1))
            s.execute(update(AuditEntry).where(AuditEntry.seq == middle + 1).values(seq=middle))
            s.execute(update(AuditEntry).where(AuditEntry.seq == -1).values(seq=middle + 1))
    result = _cli(platform, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert "LỖI" in result.output


def test_verify_reports_times_that_run_backwards(bare_api: Api, platform: Platform) -> None:
    """A forger who back-dates an entry and redoes every hash after it keeps the chain
    linked; the times, which only grow as entries are appended, give it away."""
    _some_history(bare_api)
    with platform.db.write() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        middle = entries[len(entries) // 2]
        middle.at = entries[0].at - timedelta(days=3)
        prev = middle.prev_hash
        for e in entries[len(entries) // 2:]:
            e.prev_hash = prev
            e.hash = prev = audit.entry_hash(e.seq, e.at, e.actor_id, e.on_behalf_of_id, e.action, e.case_id,
                                             e.task_id, e.payload, e.prev_hash)
        head = s.get(AuditHead, 1)
        assert head is not None
        head.hash = prev
        expected = (f"LỖI #{middle.seq}: thời điểm {middle.at.isoformat()} sớm hơn mục liền trước "
                    f"({entries[len(entries) // 2 - 1].at.isoformat()}): thời gian chạy ngược")
    result = _cli(platform, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert [line for line in result.output.splitlines() if line.startswith("LỖI")] == [expected], result.output


def test_replay_matches_then_catches_a_case_moved_outside_the_engine(bare_api: Api, platform: Platform) -> None:
    case_id = _some_history(bare_api)
    result = _cli(platform, "audit", "replay", str(case_id))
    assert result.exit_code == 0, result.output
    assert "khớp" in result.output
    with platform.db.write() as s:
        s.execute(update(Case).where(Case.id == case_id).values(data_json='{"title": "đã sửa ngoài hệ thống"}'))
    result = _cli(platform, "audit", "replay", "--all")
    assert result.exit_code == 1
    assert "KHÔNG KHỚP" in result.output
