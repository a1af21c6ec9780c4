"""``qlvb``: set up, serve and operate the platform from a terminal."""

from __future__ import annotations

import logging
import os
import sys

import click

from engine import demo
from engine.audit import anchors, checkpoints
from engine.core import backup, jobs, schema
from engine.demodata import seeding as demo_seeding
from engine.documents.storage import FileStore
from engine.fulltext import index as fulltext_index
from engine.office import notifications
from engine.operations import orphans
from engine.remote_signing import flow as remote_flow
from engine.scans import queue as scan_queue
from engine.signatures import archive, signatures
from engine.workflow import timers
from exchange import hooks as exchange_hooks
from exchange import worker as exchange_worker
from qlvb import context, keys, operations, processes, server, trust
from signing.pdf import fonts


@click.group()
def main() -> None:
    """Hệ thống quản lý văn bản và điều hành (QLVB)."""
    exchange_hooks.install()  # every command runs the engine with the exchange: serve, worker, deploy ...


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema."""
    platform = context.platform()
    schema.upgrade(platform.db)
    click.echo(f"Cơ sở dữ liệu đã sẵn sàng: {platform.db.engine.url.render_as_string(hide_password=True)}")
    context.repair_stranded(platform)


@main.command("seed-demo")
def seed_demo() -> None:
    """Load the demo agencies and staff, deploy the processes in processes/ that never were
    (a designer's later version stays the current one), and make the demo PKI (keys of the demo
    leaders and agencies under a TEST root) when there is none."""
    platform = context.platform()
    with platform.db.write() as session:
        created = demo.seed(session, platform.clock.now())
    click.echo("Đã tạo dữ liệu mẫu." if created else "Dữ liệu mẫu đã có sẵn.")
    if not context.deploy(platform, context.process_files((), platform.settings), once=True):
        sys.exit(1)
    if not (platform.settings.pki_dir / "root.pem").exists():
        keys.make_demo_pki(platform.settings.pki_dir, demo.DEMO_PASSWORD)
    held = signatures.Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots))
    with platform.db.write() as session:
        count = demo.register_certificates(session, held, platform.clock.now())
    click.echo(f"Đã đăng ký {count} chứng thư số của lãnh đạo mẫu.")
    made, started = demo_seeding.run(platform)  # the demo documents, for the agencies that have none
    if made:
        click.echo(f"Đã tạo {made} văn bản mẫu và {started} hồ sơ công việc đang xử lý.")



@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=server.default_workers(), show_default="one per core", type=click.IntRange(1, 64),
              help="Worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web UI and the API: gunicorn, a worker process per core by default."""
    from webui import create_app

    platform = context.platform()
    context.check_at_start(platform)
    with platform.db.read() as session:
        accounts = demo.try_accounts(session)
    platform.db.engine.dispose()  # the workers fork from here: no connection may cross
    fonts.warm()  # ... but the signature fonts, cut once here, may
    if accounts:
        click.echo(f"Tài khoản mẫu để thử (mật khẩu của tất cả: {demo.DEMO_PASSWORD}):")
        for role, username, full_name in accounts:
            click.echo(f"  {role:<28} {username:<18} {full_name}")
    click.echo(f"Đang phục vụ tại http://{host}:{port}/ ({workers} tiến trình × {threads} luồng; Ctrl+C để dừng)")
    server.serve(lambda: create_app(context.platform()), host, port, workers, threads)


@main.command()
@click.option("--interval", default=5.0, show_default=True, help="Seconds between sweeps.")
@click.option("--once", is_flag=True, help="One sweep, then exit (1 if a job of it failed).")
@click.option("--no-backup", is_flag=True, help="Do not make the daily backup.")
def worker(interval: float, once: bool, no_backup: bool) -> None:
    """Fire due timers; announce deadlines; send e-mail notifications (QLVB_SMTP_HOST); ask the
    remote signing services about the signatures waiting for approval on a phone; send and
    receive edXML packages (the exchange outbox, retried with back-off, and the drop folders);
    recognise scanned paper documents (OCR); make the daily backup (QLVB_BACKUP_AT, keeping
    QLVB_BACKUP_KEEP, encrypted with the passphrase in QLVB_BACKUP_PASSPHRASE_FILE); time-stamp
    archived documents (B-LTA) and renew their time-stamps before the TSA's certificate expires;
    sign checkpoints of the audit chains' heads (every 10 minutes for a chain that moved). Any
    number of workers may run at once."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    platform = context.platform()
    settings = platform.settings
    passphrase = None if no_backup else context.passphrase(settings.backup_passphrase_file)
    context.check_at_start(platform)
    context.check_exchange_key(settings)
    mailer = notifications.SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.smtp_user,
                                      settings.smtp_password, settings.smtp_starttls) if settings.smtp_host else None

    def deadlines() -> None:
        with platform.db.write() as session:
            notifications.sweep_deadlines(session, platform.clock.now())

    def emails() -> None:
        if mailer is not None:
            with platform.db.write() as session:
                notifications.send_emails(session, mailer, platform.clock.now())

    def document_texts() -> None:
        fulltext_index.index(platform.db, FileStore(settings.files_dir), platform.clock.now())

    def orphaned_tasks() -> None:
        orphans.sweep(platform.db, platform.clock.now())

    def daily_backup() -> None:
        if passphrase is not None and (path := backup.daily(platform, passphrase)) is not None:
            click.echo(f"Đã sao lưu: {path}")

    def exchange_packages() -> None:
        exchange_worker.sweep(platform)

    keys = signatures.Keys(settings.pki_dir, tuple(settings.trust_roots))
    remote = remote_flow.Remote(platform.db, FileStore(settings.files_dir), keys)

    def remote_signatures() -> None:
        remote_flow.sweep(remote, platform.clock.now())

    def archive_timestamps() -> None:
        archive.sweep(platform.db, FileStore(settings.files_dir), keys, platform.clock.now())

    def scans() -> None:  # one scan per pass: the other jobs do not wait on a long OCR
        scan_queue.run_next(platform.db, FileStore(settings.files_dir), platform.clock.now())

    signer = checkpoints.key(settings.data_dir, os.environ)

    def audit_checkpoints() -> None:
        with platform.db.write() as session:
            if jobs.claim(session, "audit_checkpoints"):
                anchors.anchor_after_commit(session, checkpoints.take(session, signer, platform.clock.now()),
                                            settings.audit_anchors)

    sweeps = (deadlines, document_texts, emails, orphaned_tasks, remote_signatures, exchange_packages, daily_backup,
              archive_timestamps, scans, audit_checkpoints)
    if not timers.run_worker(platform.db, platform.clock.now, interval, once, sweeps):
        sys.exit(1)



for command in (operations.backup_command, operations.count_pages, operations.index_texts, operations.restore_command,
                operations.audit_group, operations.cases, operations.users, processes.process, keys.pki,
                keys.sign_agent, trust.trust):
    main.add_command(command)
