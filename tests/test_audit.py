"""The hash-chained audit log, one chain per agency (issue 19 item 3): `qlvb audit verify`
catches an altered, a deleted, a reordered entry and a chain cut short of its signed
checkpoint; two agencies append without waiting on each other; a database of the single
chain migrates and still verifies; `qlvb audit replay` catches a case changed outside the engine."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner, Result
from sqlalchemy import delete, func, select, text, update

from engine.audit import anchors, checkpoints, verification
from engine.audit import chain as audit
from engine.core import schema
from engine.core.db import Database
from engine.core.platform import Platform
from engine.models import INSTALLATION, Agency, AuditCheckpoint, AuditEntry, AuditHead, Case
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


def _agency(platform: Platform, code: str) -> int:
    with platform.db.read() as s:
        return s.scalars(select(Agency.id).where(Agency.code == code)).one()


def _errors(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("LỖI")]


def test_verify_passes_on_untouched_chains(api: Api, platform: Platform) -> None:
    case_id = _some_history(api)
    with platform.db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None
        chains = {e.chain for e in audit.case_entries(s, case_id)}
    assert chains == {case.agency_id}, "a case's entries are all in its agency's chain"
    result = _cli(platform, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "toàn vẹn" in result.output


@pytest.mark.parametrize("tamper", ["altered", "deleted", "reordered", "truncated"])
def test_verify_catches_tampering_in_an_agency_chain(bare_api: Api, platform: Platform, tamper: str) -> None:
    _some_history(bare_api)
    btl = _agency(platform, "btl")
    of_btl = AuditEntry.chain == btl
    with platform.db.write() as s:
        seqs = list(s.scalars(select(AuditEntry.seq).where(of_btl).order_by(AuditEntry.seq)))
        middle = seqs[len(seqs) // 2]
        if tamper == "altered":
            s.execute(update(AuditEntry).where(of_btl, AuditEntry.seq == middle)
                      .values(payload='{"task":"head_review","data":{"decision":"approve"}}'))
        elif tamper == "deleted":
            s.execute(delete(AuditEntry).where(of_btl, AuditEntry.seq == middle))
        elif tamper == "truncated":
            s.execute(delete(AuditEntry).where(of_btl, AuditEntry.seq == seqs[-1]))
        else:  # swap two neighbours' positions in the chain
            s.execute(update(AuditEntry).where(of_btl, AuditEntry.seq == middle).values(seq=-1))
            s.execute(update(AuditEntry).where(of_btl, AuditEntry.seq == middle + 1).values(seq=middle))
            s.execute(update(AuditEntry).where(of_btl, AuditEntry.seq == -1).values(seq=middle + 1))
    result = _cli(platform, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert _errors(result) and all(f"[chuỗi cơ quan {btl}]" in line for line in _errors(result)), result.output


def _cut(platform: Platform, chain: int, keep: int) -> None:
    """Delete the chain's entries after ``keep`` and set its head back to match: the old
    single chain's head check no longer sees anything."""
    with platform.db.write() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq > keep))
        last = s.scalars(select(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq == keep)).one()
        s.execute(update(AuditHead).where(AuditHead.chain == chain).values(seq=keep, hash=last.hash))


def test_a_chain_cut_short_of_its_signed_checkpoint_is_caught(bare_api: Api, platform: Platform) -> None:
    _some_history(bare_api)
    btl = _agency(platform, "btl")
    with platform.db.read() as s:
        head = s.get(AuditHead, btl)
        assert head is not None and head.seq > 3
        end = head.seq
    taken = _cli(platform, "audit", "checkpoint")
    assert taken.exit_code == 0, taken.output
    assert f"chuỗi cơ quan {btl}\t#{end}\t" in taken.output
    _some_history(bare_api)  # goes on after the checkpoint: cutting only what follows it is not caught
    _cut(platform, btl, end)
    assert _cli(platform, "audit", "verify").exit_code == 0

    _cut(platform, btl, end - 2)  # now the checkpoint's own entry is gone
    result = _cli(platform, "audit", "verify")
    assert result.exit_code == 1, result.output
    [error] = _errors(result)
    assert error.startswith(f"LỖI [chuỗi cơ quan {btl}] #{end}: mốc kiểm tra lúc ")
    assert error.endswith(f"ghi cuối chuỗi là mục {end} nhưng chuỗi chỉ còn đến mục {end - 2} (bị cắt đuôi)")

    # A checkpoint made up for the shortened chain does not carry the installation key's MAC.
    with platform.db.write() as s:
        s.execute(delete(AuditCheckpoint).where(AuditCheckpoint.chain == btl))
        forger = checkpoints.Key(b"not the installation's key")
        checkpoints.take(s, forger, platform.clock.now(), every=timedelta(0))
    result = _cli(platform, "audit", "verify")
    assert result.exit_code == 1
    assert any("không có chữ ký hợp lệ" in line for line in _errors(result)), result.output


def test_a_chain_cut_short_with_its_checkpoints_deleted_is_caught_by_their_journal(
        bare_api: Api, platform: Platform) -> None:
    """Whoever rewrites the database can cut a chain, set its head back and delete the checkpoints
    that named the lost entries; the journal outside the database still names them."""
    _some_history(bare_api)
    btl = _agency(platform, "btl")
    worker = _cli(platform, "worker", "--once", "--no-backup")  # takes the first checkpoints and journals them
    assert worker.exit_code == 0, worker.output
    with platform.db.read() as s:
        head = s.get(AuditHead, btl)
        assert head is not None
        end = head.seq
    journal = anchors.read(platform.settings.audit_anchors)
    assert (btl, end) in {(a.chain, a.seq) for a in journal.anchors} and journal.unreadable == []
    assert _cli(platform, "audit", "verify").exit_code == 0

    _cut(platform, btl, end - 2)
    with platform.db.write() as s:
        s.execute(delete(AuditCheckpoint).where(AuditCheckpoint.chain == btl))
    result = _cli(platform, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert any(line.startswith(f"LỖI [chuỗi cơ quan {btl}] #{end}: ") and "(bị cắt đuôi)" in line
               for line in _errors(result)), result.output
    assert any("có trong tệp mốc ngoài cơ sở dữ liệu nhưng không còn trong cơ sở dữ liệu" in line
               for line in _errors(result)), result.output

    # A line written by hand for the shortened chain has no valid MAC; a garbled one is reported.
    forged = checkpoints.Key(b"not the installation's key")
    at = platform.clock.now().astimezone(UTC)
    anchors.append(platform.settings.audit_anchors,
                   [anchors.Anchor(btl, end - 2, "0" * 64, at, forged.id, forged.mac(btl, end - 2, "0" * 64, at))])
    with platform.settings.audit_anchors.open("a") as journal_file:
        journal_file.write("cut in the mid\n")
    lines = _errors(_cli(platform, "audit", "verify"))
    assert any("không có chữ ký hợp lệ" in line for line in lines), lines
    assert any(line.startswith("LỖI [tệp mốc ngoài cơ sở dữ liệu] dòng ") for line in lines), lines


def test_the_worker_takes_checkpoints_of_the_chains_that_moved(bare_api: Api, platform: Platform) -> None:
    signer = checkpoints.key(platform.settings.data_dir, {})
    _some_history(bare_api)
    now = platform.clock.now()
    with platform.db.write() as s:
        assert checkpoints.take(s, signer, now)
        assert checkpoints.take(s, signer, now + timedelta(hours=1)) == []  # nothing moved
    _some_history(bare_api)
    with platform.db.write() as s:
        assert checkpoints.take(s, signer, now + timedelta(minutes=1)) == []  # too soon
        [moved] = checkpoints.take(s, signer, now + checkpoints.EVERY)  # only btl's chain moved
        assert moved.chain == _agency(platform, "btl")
        latest = checkpoints.latest(s)
        assert all(signer.vouches_for(cp) for cp in latest)
        count, findings = verification.verify(s, signer)
    assert count > 0 and findings == []


def test_two_agencies_append_without_waiting_on_each_other(platform: Platform) -> None:
    """Agency A's head is locked (a transaction of A's in progress): another of A's waits, as
    every writer of the installation waited on the single head before; B's goes through."""
    if platform.db.is_sqlite:
        pytest.skip("SQLite has one writer at a time whatever the chains: the row locks are PostgreSQL's")
    a, b = _agency(platform, "btl"), _agency(platform, "quangngai")
    now = platform.clock.now()
    with platform.db.write() as s:
        audit.append(s, at=now, action="test_first", payload={}, agency_id=a)
        audit.append(s, at=now, action="test_first", payload={}, agency_id=b)
    holder = platform.db.engine.connect()
    holder.begin()
    holder.execute(text("SELECT seq FROM audit_heads WHERE chain = :a FOR UPDATE"), {"a": a})
    done = threading.Event()

    def append_to_a() -> None:
        with platform.db.write() as s:
            audit.append(s, at=now, action="test_waits", payload={}, agency_id=a)
        done.set()

    waiting = threading.Thread(target=append_to_a)
    waiting.start()
    watcher = platform.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=60)
        while not watcher.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                      "AND datname = current_database()")).scalar():
            assert datetime.now(UTC) < deadline, "A's second writer never queued on A's head"
            assert not done.wait(0.05)
        with platform.db.write() as s:  # B's append: would wait on the lock with a single head
            s.execute(text("SET LOCAL lock_timeout = '30s'"))  # and fail here, rather than hang
            audit.append(s, at=now, action="test_free", payload={}, agency_id=b)
        assert not done.is_set()
    finally:
        watcher.close()
        holder.rollback()
        holder.close()
        waiting.join(60)
    assert done.is_set()
    with platform.db.read() as s:
        assert verification.verify(s)[1] == []


def test_crossing_appends_to_two_agencies_do_not_deadlock(platform: Platform) -> None:
    """One transaction appends to A's chain then B's while another appends to B's then A's (a
    liên thông message each way): heads are locked at commit in the chains' order, so neither
    holds one while waiting for the other."""
    a, b = _agency(platform, "btl"), _agency(platform, "quangngai")
    # On SQLite the second transaction begins once the first has committed: no one to wait for.
    both_appended_one = threading.Barrier(1 if platform.db.is_sqlite else 2, timeout=60)
    errors: list[BaseException] = []

    def crossing(first: int, second: int) -> None:
        try:
            with platform.db.write() as s:
                audit.append(s, at=platform.clock.now(), action="crossing", payload={"first": first}, agency_id=first)
                both_appended_one.wait()
                audit.append(s, at=platform.clock.now(), action="crossing", payload={"first": first}, agency_id=second)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    if platform.db.is_sqlite:  # one writer at a time: the second would wait for the first's commit
        crossing(a, b)
        crossing(b, a)
    else:
        threads = [threading.Thread(target=crossing, args=pair) for pair in ((a, b), (b, a))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert errors == []
    with platform.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "crossing")) == 4
        assert verification.verify(s)[1] == []


def test_a_savepoint_rolled_back_takes_its_entries_with_it(platform: Platform) -> None:
    now = platform.clock.now()
    with platform.db.write() as s:
        audit.append(s, at=now, action="kept_before", payload={})
        try:
            with s.begin_nested():
                audit.append(s, at=now, action="rolled_back", payload={})
                raise RuntimeError("the step fails")
        except RuntimeError:
            pass
        with s.begin_nested():
            audit.append(s, at=now, action="kept_released", payload={})
    with platform.db.read() as s:
        wanted = AuditEntry.action.in_(["kept_before", "rolled_back", "kept_released"])
        actions = list(s.scalars(select(AuditEntry.action).where(wanted).order_by(AuditEntry.id)))
        assert actions == ["kept_before", "kept_released"]
        assert verification.verify(s)[1] == []


def _old_hash(seq: int, at: datetime, action: str, prev: str) -> str:
    """The single chain's hash before migration 0036 (its fields, without a chain)."""
    return audit.entry_hash(INSTALLATION, seq, at, None, None, action, None, None, "{}", prev)


def test_a_database_of_the_single_chain_migrates_and_verifies(empty_database_url: str, tmp_path: Path) -> None:
    db = Database(empty_database_url)
    config = schema.alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0025")
    at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC).replace(tzinfo=None)
    prev = audit.GENESIS
    with db.engine.begin() as conn:
        for seq in range(1, 6):
            digest = _old_hash(seq, at.replace(tzinfo=UTC), f"old_{seq}", prev)
            conn.execute(text("INSERT INTO audit_entries (seq, at, action, payload, prev_hash, hash) "
                              "VALUES (:seq, :at, :action, '{}', :prev, :hash)"),
                         {"seq": seq, "at": at, "action": f"old_{seq}", "prev": prev, "hash": digest})
            prev = digest
        conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 5, :h)"), {"h": prev})
    schema.upgrade(db)
    with db.write() as s:
        s.add(Agency(code="x", name="Cơ quan X", abbreviation="X", identifier_code="000.00.00.X01"))
        s.flush()
        agency = s.scalars(select(Agency.id)).one()
        audit.append(s, at=datetime(2026, 3, 3, tzinfo=UTC), action="new_installation", payload={})
        audit.append(s, at=datetime(2026, 3, 3, tzinfo=UTC), action="new_agency", payload={}, agency_id=agency)
    with db.read() as s:
        count, findings = verification.verify(s)
        rows = [(e.id, e.chain, e.seq, e.action) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert (count, findings) == (7, [])
    assert rows == [*[(n, INSTALLATION, n, f"old_{n}") for n in range(1, 6)],
                    (6, INSTALLATION, 6, "new_installation"), (7, agency, 1, "new_agency")]
    with db.write() as s:  # and an old entry altered is still caught
        s.execute(update(AuditEntry).where(AuditEntry.id == 3).values(action="changed"))
    with db.read() as s:
        assert [str(f) for f in verification.verify(s)[1]] == ["[chuỗi chung] #3: nội dung đã bị sửa (hash không khớp)"]
    db.dispose()


def test_verify_reports_times_that_run_backwards(bare_api: Api, platform: Platform) -> None:
    """A forger who back-dates an entry and redoes every hash after it keeps the chain
    linked; the times, which only grow as entries are appended, give it away."""
    _some_history(bare_api)
    btl = _agency(platform, "btl")
    with platform.db.write() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.chain == btl).order_by(AuditEntry.seq)))
        middle = entries[len(entries) // 2]
        middle.at = entries[0].at - timedelta(days=3)
        prev = middle.prev_hash
        for e in entries[len(entries) // 2:]:
            e.prev_hash = prev
            e.hash = prev = audit.hash_of(e)
        head = s.get(AuditHead, btl)
        assert head is not None
        head.hash = prev
        expected = (f"LỖI [chuỗi cơ quan {btl}] #{middle.seq}: thời điểm {middle.at.isoformat()} sớm hơn mục liền "
                    f"trước ({entries[len(entries) // 2 - 1].at.isoformat()}): thời gian chạy ngược")
    result = _cli(platform, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert _errors(result) == [expected], result.output


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
