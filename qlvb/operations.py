"""Operators' commands: backups and restores, page counts, the audit chain and replays, stranded
cases, the list of users."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy import select

from engine.audit import anchors, checkpoints, verification
from engine.core import backup, sealed
from engine.core.errors import DomainError
from engine.documents import pdf_pages
from engine.documents.storage import FileStore
from engine.fulltext import index as fulltext_index
from engine.models import Case
from engine.office import queries
from engine.operations import stranded
from engine.workflow import replay
from qlvb import context


@click.command("backup")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Default: QLVB_DATA_DIR/backups")
@context.PASSPHRASE_FILE
def backup_command(directory: Path | None, passphrase_file: Path | None) -> None:
    """Write one consistent archive of the database, the stored files, and, encrypted with the
    passphrase, the PKI folder (QLVB_PKI_DIR) and the secret key."""
    platform = context.platform()
    passphrase = context.passphrase(passphrase_file or platform.settings.backup_passphrase_file)
    path = backup.create(platform, directory or platform.settings.backup_dir, platform.clock.now(), passphrase)
    click.echo(f"Đã sao lưu: {path}")



@click.command("count-pages")
def count_pages() -> None:
    """Count the pages of stored files that have no count yet (stored before migration 0018)."""
    platform = context.platform()
    counted, unknown = pdf_pages.fill_unknown(platform.db, FileStore(platform.settings.files_dir))
    click.echo(f"Đã đếm số trang của {counted} tệp; {unknown} tệp không đọc được (số trang không xác định).")



@click.command("index-texts")
def index_texts() -> None:
    """Read the text of every main PDF not read yet, for full-text search (the worker does it a
    few at a time; this, for a database upgraded from before migration 0029, all at once)."""
    platform = context.platform()
    store = FileStore(platform.settings.files_dir)
    total = 0
    while stored := fulltext_index.index(platform.db, store, platform.clock.now(), limit=200):
        total += stored
    click.echo(f"Đã đọc nội dung {total} văn bản.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@context.PASSPHRASE_FILE
def restore_command(archive: Path, passphrase_file: Path | None) -> None:
    """Restore an archive into an empty installation (database, files, PKI folder, secret key),
    after checking every member against the manifest the passphrase authenticates."""
    platform = context.platform()
    try:
        passphrase = sealed.read_passphrase(passphrase_file or platform.settings.backup_passphrase_file)
        report = backup.restore(platform, archive, passphrase)
    except DomainError as err:
        click.echo(err.message, err=True)
        sys.exit(1)
    click.echo(f"Đã khôi phục cơ sở dữ liệu ({report.database}), {report.files} tệp, thư mục khóa và khóa bí mật.")



@click.group("audit")
def audit_group() -> None:
    """Verify the audit chain and replay cases."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check every entry of every chain (the installation's and each agency's); exit 1 if any
    was altered, deleted or reordered, if a chain was cut short of one of its signed
    checkpoints (in the database or in their journal outside it, QLVB_AUDIT_ANCHOR_FILE), or if a
    journalled checkpoint is missing from the database, or if its times run backwards by more than a request can last
    (verification.REQUEST_SKEW)."""
    platform = context.platform()
    with platform.db.read() as session:
        if not platform.db.is_sqlite:  # one snapshot throughout (SQLite's read is one): a chain that
            # grows while it is read must not look like a head past its last entry
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        count, findings = verification.verify(session, checkpoints.key(platform.settings.data_dir, os.environ),
                                              journal=anchors.read(platform.settings.audit_anchors))
    for finding in findings:
        click.echo(f"LỖI {finding}")
    click.echo(f"Đã kiểm tra {count} mục nhật ký: " + ("toàn vẹn." if not findings else f"{len(findings)} lỗi."))
    sys.exit(1 if findings else 0)


@audit_group.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign a checkpoint of each chain's head that moved since its last one (``qlvb worker``
    takes them every few minutes) and journal them outside the database (QLVB_AUDIT_ANCHOR_FILE);
    print each chain's last one, for a copy elsewhere still."""
    platform = context.platform()
    signer = checkpoints.key(platform.settings.data_dir, os.environ)
    now = platform.clock.now()
    with platform.db.write() as session:
        taken = checkpoints.take(session, signer, now, every=timedelta(0))
        anchors.anchor_after_commit(session, taken, platform.settings.audit_anchors)
        latest = [anchors.Anchor.of(cp) for cp in checkpoints.latest(session)]
    for cp in latest:
        click.echo(f"{verification.chain_name(cp.chain)}\t#{cp.seq}\t{cp.hash}\t{cp.at.isoformat()}\t{cp.mac}")
    click.echo(f"Đã ký {len(taken)} mốc kiểm tra mới; tệp mốc: {platform.settings.audit_anchors}")


@audit_group.command("replay")
@click.argument("case_ids", nargs=-1, type=int)
@click.option("--all", "replay_all", is_flag=True, help="Replay every case.")
def audit_replay(case_ids: tuple[int, ...], replay_all: bool) -> None:
    """Re-execute cases from their logs and compare with the stored state."""
    platform = context.platform()
    mismatched = 0
    with platform.db.read() as session:
        ids = list(session.scalars(select(Case.id).order_by(Case.id))) if replay_all else list(case_ids)
        if not ids:
            raise click.UsageError("Cần mã hồ sơ hoặc --all.")
        for case_id in ids:
            report = replay.replay(session, case_id)
            verdict = "khớp" if report.matches else "KHÔNG KHỚP"
            click.echo(f"Hồ sơ {case_id}: {report.steps} bước, {verdict}")
            for diff in report.differences:
                click.echo(f"  - {diff}")
            mismatched += not report.matches
    sys.exit(1 if mismatched else 0)



@click.group()
def cases() -> None:
    """Cases that nothing can move any more."""


@cases.command("check")
def cases_check() -> None:
    """List the running cases with no open task, no pending timer and no awaited message;
    exit 1 if there is any."""
    platform = context.platform()
    with platform.db.read() as session:
        found = stranded.find(session)
    for case in found:
        click.echo(str(case))
    click.echo(f"{len(found)} hồ sơ bị kẹt." if found else "Không có hồ sơ nào bị kẹt.")
    sys.exit(1 if found else 0)


@cases.command("repair")
def cases_repair() -> None:
    """Resume the stranded cases whose finished sub-process instances were never merged
    (issue 11; also run by init-db); exit 1 if any case is still stranded."""
    sys.exit(1 if context.repair_stranded(context.platform()) else 0)



@click.group()
def users() -> None:
    """People and accounts."""


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def users_list(fmt: str) -> None:
    """Every user with agency, unit and positions."""
    platform = context.platform()
    with platform.db.read() as session:
        rows = queries.users(session)
    if fmt == "json":
        keys = ("username", "full_name", "agency", "unit", "positions")
        click.echo(json.dumps([{k: r[k] for k in keys} for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        positions = ",".join(r["positions"])
        click.echo(f"{r['username']:<20} {r['full_name']:<25} {r['agency']:<8} {r['unit']:<8} {positions}")

