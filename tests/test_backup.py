"""Backup while cases are being completed, restore into an empty installation: the audit
chain verifies, every file hash matches and the restored platform serves the same inbox.
The keys in the archive: tests/test_backup_keys.py."""

from __future__ import annotations

import json
import tarfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from engine.audit import checkpoints, verification
from engine.core import backup
from engine.core.clock import FakeClock
from engine.core.config import Settings
from engine.core.platform import Platform
from engine.models import AuditCheckpoint, Case
from engine.workflow import replay
from qlvb.cli import main
from tests.conftest import Api
from tests.flows import DRAFT, attach_pdf, complete, only_task, start
from webui import create_app

PASSPHRASE = "cụm mật khẩu sao lưu thử nghiệm"


def _env(platform: Platform, tmp_path: Path) -> dict[str, str]:
    """The CLI's environment for ``platform``, with the passphrase in a file of its own."""
    (tmp_path / "passphrase").write_text(PASSPHRASE + "\n", encoding="utf-8")
    return {"QLVB_DATABASE_URL": platform.settings.database_url, "QLVB_DATA_DIR": str(platform.settings.data_dir),
            "QLVB_PKI_DIR": str(platform.settings.pki_dir),
            "QLVB_BACKUP_PASSPHRASE_FILE": str(tmp_path / "passphrase")}


def _busy_history(api: Api) -> None:
    for _ in range(3):
        case = start(api)
        attach_pdf(api, "btl_spec_khnv", case)
        complete(api, "btl_spec_khnv", only_task(case), DRAFT)


def test_backup_during_work_then_restore_into_an_empty_installation(
    api: Api, platform: Platform, empty_database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    _busy_history(api)
    with platform.db.write() as session:  # signed with the key the archive carries
        assert checkpoints.take(session, checkpoints.key(platform.settings.data_dir, {}), clock.now())
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_working() -> None:
        worker_api = Api(create_app(platform).test_client())
        try:
            while not stop.is_set():
                case = start(worker_api)
                complete(worker_api, "btl_spec_khnv", only_task(case), DRAFT)
        except BaseException as err:  # reported below: the backup must not break the work
            errors.append(err)

    thread = threading.Thread(target=keep_working)
    thread.start()
    try:
        archives = [backup.create(platform, tmp_path / "backups", clock.now() + timedelta(seconds=i), PASSPHRASE)
                    for i in range(2)]
    finally:
        stop.set()
        thread.join()
    assert errors == []
    archive = archives[-1]
    assert archive.name == "qlvb-backup-20260302T020001Z.tar.gz"
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["files"], "the PDFs are in the archive"

    restored = Platform.from_settings(Settings(database_url=empty_database_url, data_dir=tmp_path / "restored"),
                                      FakeClock(clock.now()))
    report = backup.restore(restored, archive, PASSPHRASE)
    assert report.files == len(manifest["files"])
    for sha in manifest["files"]:
        assert backup._sha256(restored.settings.files_dir / sha[:2] / sha) == sha
    with restored.db.read() as session:
        count, findings = verification.verify(session, checkpoints.key(restored.settings.data_dir, {}))
        assert count > 0 and findings == []
        assert session.scalar(select(func.count()).select_from(AuditCheckpoint))
        # Taken mid-work, the copy is still one consistent moment: every case replays to it.
        for case_id in session.scalars(select(Case.id)):
            assert replay.replay(session, case_id).matches

    original = api.get("btl_head_khnv", "/api/v1/tasks?per_page=100").get_json()
    copy = Api(create_app(restored).test_client()).get("btl_head_khnv", "/api/v1/tasks?per_page=100").get_json()
    # The backup is a point in time: everything it holds is in the original, which went on.
    assert {t["id"] for t in copy["items"]} <= {t["id"] for t in original["items"]}
    assert copy["total"] >= 3
    restored.db.dispose()


def test_restore_refuses_a_non_empty_installation(platform: Platform, tmp_path: Path, clock: FakeClock) -> None:
    archive = backup.create(platform, tmp_path, clock.now(), PASSPHRASE)
    result = CliRunner().invoke(main, ["restore", str(archive)], env=_env(platform, tmp_path))
    assert result.exit_code == 1
    assert "đã có dữ liệu" in result.output


def test_daily_backup_is_due_once_a_day_and_old_ones_are_pruned(tmp_path: Path) -> None:
    monday_0230 = datetime(2026, 3, 1, 19, 30, tzinfo=UTC)  # 02:30 on 2 March in Hà Nội
    assert not backup.due(tmp_path, "03:00", monday_0230)
    assert backup.due(tmp_path, "02:00", monday_0230)
    for day in range(1, 10):
        (tmp_path / f"qlvb-backup-202603{day:02d}T000000Z.tar.gz").write_bytes(b"x")
    assert not backup.due(tmp_path, "02:00", datetime(2026, 3, 2, 19, 30, tzinfo=UTC))  # made on 3 March already
    removed = backup.prune(tmp_path, 7)
    assert [p.name[12:20] for p in removed] == ["20260301", "20260302"]
    assert len(list(tmp_path.glob("*.tar.gz"))) == 7


def test_backup_and_restore_commands(platform: Platform, tmp_path: Path) -> None:
    env = _env(platform, tmp_path)
    without = CliRunner().invoke(main, ["backup", "--dir", str(tmp_path / "out")],
                                 env={**env, "QLVB_BACKUP_PASSPHRASE_FILE": ""})
    assert without.exit_code == 1 and "Cần cụm mật khẩu sao lưu" in without.output
    (tmp_path / "short").write_text("ngắn quá\n")
    short = CliRunner().invoke(main, ["backup", "--passphrase-file", str(tmp_path / "short")], env=env)
    assert short.exit_code == 1 and "ít nhất 12 ký tự" in short.output
    result = CliRunner().invoke(main, ["backup", "--dir", str(tmp_path / "out")], env=env)
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("qlvb-backup-*.tar.gz"))) == 1
