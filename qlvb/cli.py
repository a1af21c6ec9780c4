"""``qlvb``: set up, serve and operate the platform from a terminal."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from engine import (
    audit,
    backup,
    definitions,
    demo,
    message_routes,
    notifications,
    pdf_pages,
    queries,
    replay,
    schema,
    sealed,
    signatures,
    stranded,
    timers,
)
from engine.config import Settings
from engine.definitions import DefinitionRejected
from engine.errors import DomainError
from engine.models import Case
from engine.platform import Platform
from engine.remote_signing import flow as remote_flow
from engine.storage import FileStore


def _platform() -> Platform:
    return Platform.from_settings(Settings.from_env())


@click.group()
def main() -> None:
    """Hệ thống quản lý văn bản và điều hành (QLVB)."""


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema."""
    platform = _platform()
    schema.upgrade(platform.db)
    click.echo(f"Cơ sở dữ liệu đã sẵn sàng: {platform.db.engine.url.render_as_string(hide_password=True)}")
    _repair(platform)


def _repair(platform: Platform) -> list[stranded.StrandedCase]:
    """The upgrade step of issue 11: resume the cases stranded by the old engine."""
    resumed, left = stranded.repair(platform.db, platform.clock.now())
    for case_id in resumed:
        click.echo(f"Hồ sơ {case_id}: đã tiếp tục xử lý.")
    for case in left:
        click.echo(f"CẢNH BÁO {case}", err=True)
    return left


def _check_at_start(platform: Platform) -> None:
    """The stranded cases, logged; a database not migrated yet is said so, and does not stop
    the start (it did not before this check)."""
    try:
        with platform.db.read() as session:
            found = stranded.report(session)
    except SQLAlchemyError as err:
        click.echo(f"CẢNH BÁO: không kiểm tra được hồ sơ bị kẹt ({type(err).__name__}); đã chạy 'qlvb init-db'?",
                   err=True)
        return
    if found:
        click.echo(f"CẢNH BÁO: {len(found)} hồ sơ bị kẹt; xem 'qlvb cases check', sửa bằng 'qlvb cases repair'.",
                   err=True)


def _process_files(paths: tuple[Path, ...], settings: Settings) -> list[Path]:
    if paths:
        return list(paths)
    return sorted(settings.processes_dir.glob("*/*.bpmn"))


def _deploy(platform: Platform, files: list[Path], once: bool = False) -> bool:
    checked = definitions.check_files(files, platform.settings.forms_dir, platform.settings.max_bpmn_bytes)
    bad = [d for d in checked if d.problems]
    for d in bad:
        for problem in d.problems:
            click.echo(f"{d.path}: {problem}", err=True)
    if bad:
        click.echo("Không triển khai gì vì có lỗi.", err=True)
        return False
    with platform.db.write() as session:
        routes = [(d, p) for d in checked for p in message_routes.problems(session, d)]
        for d, problem in routes:
            click.echo(f"{d.path}: {problem}", err=True)
        if routes:
            click.echo("Không triển khai gì vì có lỗi.", err=True)
            return False
        for d in checked:
            for version, created in definitions.deploy(session, d, platform.clock.now(), None, once):
                state = "phiên bản mới" if created else "không đổi"
                click.echo(f"{version.process_id} v{version.version} ({state})")
    return True


@main.command("seed-demo")
def seed_demo() -> None:
    """Load the demo agencies and staff, deploy the processes in processes/ that never were
    (a designer's later version stays the current one), and make the demo PKI (keys of the demo
    leaders and agencies under a TEST root) when there is none."""
    platform = _platform()
    with platform.db.write() as session:
        created = demo.seed(session, platform.clock.now())
    click.echo("Đã tạo dữ liệu mẫu." if created else "Dữ liệu mẫu đã có sẵn.")
    if not _deploy(platform, _process_files((), platform.settings), once=True):
        sys.exit(1)
    if not (platform.settings.pki_dir / "root.pem").exists():
        _demo_pki(platform.settings.pki_dir, demo.DEMO_PASSWORD)
    keys = signatures.Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots))
    with platform.db.write() as session:
        count = demo.register_certificates(session, keys, platform.clock.now())
    click.echo(f"Đã đăng ký {count} chứng thư số của lãnh đạo mẫu.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the web UI and the API with a production WSGI server (waitress)."""
    from waitress import serve as waitress_serve

    from webui import create_app
    from webui.limits import largest_body

    platform = _platform()
    _check_at_start(platform)
    click.echo(f"Đang phục vụ tại http://{host}:{port}/")
    # waitress buffers a whole body (up to 1 GiB by default) before the application sees it.
    waitress_serve(create_app(platform), host=host, port=port, threads=threads, ident="qlvb",
                   max_request_body_size=largest_body(platform.settings))


def _passphrase(path: Path | None) -> str:
    try:
        return sealed.read_passphrase(path)
    except DomainError as err:
        raise click.ClickException(err.message) from None


_PASSPHRASE_FILE = click.option(
    "--passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
    help="The backup passphrase (first line; at least 12 characters). Default: QLVB_BACKUP_PASSPHRASE_FILE.")


@main.command()
@click.option("--interval", default=5.0, show_default=True, help="Seconds between sweeps.")
@click.option("--once", is_flag=True, help="One sweep, then exit (1 if a job of it failed).")
@click.option("--no-backup", is_flag=True, help="Do not make the daily backup.")
def worker(interval: float, once: bool, no_backup: bool) -> None:
    """Fire due timers; announce deadlines; send e-mail notifications (QLVB_SMTP_HOST); ask the
    remote signing services about the signatures waiting for approval on a phone;
    make the daily backup (QLVB_BACKUP_AT, keeping QLVB_BACKUP_KEEP, encrypted with the
    passphrase in QLVB_BACKUP_PASSPHRASE_FILE). Any number of workers may run at once."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    platform = _platform()
    settings = platform.settings
    passphrase = None if no_backup else _passphrase(settings.backup_passphrase_file)
    _check_at_start(platform)
    mailer = notifications.SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.smtp_user,
                                      settings.smtp_password, settings.smtp_starttls) if settings.smtp_host else None

    def deadlines() -> None:
        with platform.db.write() as session:
            notifications.sweep_deadlines(session, platform.clock.now())

    def emails() -> None:
        if mailer is not None:
            with platform.db.write() as session:
                notifications.send_emails(session, mailer, platform.clock.now())

    def daily_backup() -> None:
        if passphrase is not None and (path := backup.daily(platform, passphrase)) is not None:
            click.echo(f"Đã sao lưu: {path}")

    remote = remote_flow.Remote(platform.db, FileStore(settings.files_dir),
                                signatures.Keys(settings.pki_dir, tuple(settings.trust_roots)))

    def remote_signatures() -> None:
        remote_flow.sweep(remote, platform.clock.now())

    if not timers.run_worker(platform.db, platform.clock.now, interval, once,
                             (deadlines, emails, remote_signatures, daily_backup)):
        sys.exit(1)


@main.command("backup")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Default: QLVB_DATA_DIR/backups")
@_PASSPHRASE_FILE
def backup_command(directory: Path | None, passphrase_file: Path | None) -> None:
    """Write one consistent archive of the database, the stored files, and, encrypted with the
    passphrase, the PKI folder (QLVB_PKI_DIR) and the secret key."""
    platform = _platform()
    passphrase = _passphrase(passphrase_file or platform.settings.backup_passphrase_file)
    path = backup.create(platform, directory or platform.settings.backup_dir, platform.clock.now(), passphrase)
    click.echo(f"Đã sao lưu: {path}")


@main.command("count-pages")
def count_pages() -> None:
    """Count the pages of stored files that have no count yet (stored before migration 0018)."""
    platform = _platform()
    counted, unknown = pdf_pages.fill_unknown(platform.db, FileStore(platform.settings.files_dir))
    click.echo(f"Đã đếm số trang của {counted} tệp; {unknown} tệp không đọc được (số trang không xác định).")


@main.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_PASSPHRASE_FILE
def restore_command(archive: Path, passphrase_file: Path | None) -> None:
    """Restore an archive into an empty installation (database, files, PKI folder, secret key),
    after checking every member against the manifest the passphrase authenticates."""
    platform = _platform()
    try:
        passphrase = sealed.read_passphrase(passphrase_file or platform.settings.backup_passphrase_file)
        report = backup.restore(platform, archive, passphrase)
    except DomainError as err:
        click.echo(err.message, err=True)
        sys.exit(1)
    click.echo(f"Đã khôi phục cơ sở dữ liệu ({report.database}), {report.files} tệp, thư mục khóa và khóa bí mật.")


@main.group()
def process() -> None:
    """Validate, deploy and list process definitions."""


@process.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def process_validate(files: tuple[Path, ...]) -> None:
    """Check BPMN files; print each problem with its element id; exit 1 on any problem."""
    settings = Settings.from_env()
    failed = False
    for d in definitions.check_files(files, settings.forms_dir, settings.max_bpmn_bytes):
        if d.problems:
            failed = True
            for problem in d.problems:
                click.echo(f"{d.path}: {problem}")
        else:
            click.echo(f"{d.path}: hợp lệ ({', '.join(p.id for p in d.processes)})")
    sys.exit(1 if failed else 0)


@process.command("deploy")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def process_deploy(files: tuple[Path, ...]) -> None:
    """Deploy BPMN files (default: every file under processes/) as new versions if changed."""
    platform = _platform()
    try:
        ok = _deploy(platform, _process_files(files, platform.settings))
    except DefinitionRejected as err:
        click.echo(str(err), err=True)
        ok = False
    sys.exit(0 if ok else 1)


@process.command("list")
def process_list() -> None:
    """The deployed processes and their newest versions."""
    platform = _platform()
    with platform.db.read() as session:
        for p in queries.processes(session):
            click.echo(f"{p['id']}\tv{p['version']}\t{p['agency'] or '-'}\t{p['name']}")


@main.group("audit")
def audit_group() -> None:
    """Verify the audit chain and replay cases."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check every entry of the hash chain; exit 1 if any was altered, deleted or reordered,
    or if its times run backwards by more than a request can last (audit.REQUEST_SKEW)."""
    platform = _platform()
    with platform.db.read() as session:
        count, findings = audit.verify(session)
    for finding in findings:
        click.echo(f"LỖI {finding}")
    click.echo(f"Đã kiểm tra {count} mục nhật ký: " + ("toàn vẹn." if not findings else f"{len(findings)} lỗi."))
    sys.exit(1 if findings else 0)


@audit_group.command("replay")
@click.argument("case_ids", nargs=-1, type=int)
@click.option("--all", "replay_all", is_flag=True, help="Replay every case.")
def audit_replay(case_ids: tuple[int, ...], replay_all: bool) -> None:
    """Re-execute cases from their logs and compare with the stored state."""
    platform = _platform()
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


@main.group()
def cases() -> None:
    """Cases that nothing can move any more."""


@cases.command("check")
def cases_check() -> None:
    """List the running cases with no open task, no pending timer and no awaited message;
    exit 1 if there is any."""
    platform = _platform()
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
    sys.exit(1 if _repair(_platform()) else 0)


@main.group()
def users() -> None:
    """People and accounts."""


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def users_list(fmt: str) -> None:
    """Every user with agency, unit and positions."""
    platform = _platform()
    with platform.db.read() as session:
        rows = queries.users(session)
    if fmt == "json":
        keys = ("username", "full_name", "agency", "unit", "positions")
        click.echo(json.dumps([{k: r[k] for k in keys} for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        positions = ",".join(r["positions"])
        click.echo(f"{r['username']:<20} {r['full_name']:<25} {r['agency']:<8} {r['unit']:<8} {positions}")


@main.group()
def pki() -> None:
    """A demo PKI for tests and demonstrations (never for real signatures)."""


@pki.command("init")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Default: QLVB_DATA_DIR/pki.")
@click.option("--password", default=demo.DEMO_PASSWORD, show_default=True, help="Password of every PKCS#12 file.")
@click.option("--person", "people", multiple=True, help="Full name of a person (repeatable). Default: demo holders.")
@click.option("--agency", "agencies", multiple=True, help="Name of an agency (repeatable). Default: demo agencies.")
def pki_init(directory: Path | None, password: str, people: tuple[str, ...], agencies: tuple[str, ...]) -> None:
    """Create a TEST root and intermediate, a PKCS#12 file and a signature image per person, and a
    PKCS#12 file and a seal image per agency."""
    from signing import pki as demo_pki

    target = directory or Settings.from_env().pki_dir
    if people or agencies:
        holders = [demo_pki.Holder(demo_pki.slug(n), n) for n in people]
        bodies = [demo_pki.Holder(demo_pki.slug(n), n, n) for n in agencies]
        made = demo_pki.init_demo_pki(target, holders, bodies, password)
        click.echo(f"Đã tạo {len(made.people)} chứng thư cá nhân và {len(made.agencies)} chứng thư cơ quan trong "
                   f"{target}")
        click.echo(f"Chứng thư gốc THỬ NGHIỆM (không dùng thật): {made.root_certificate}")
    else:
        _demo_pki(target, password)


def _demo_pki(target: Path, password: str) -> None:
    """The demo holders (the demo leaders who hold a certificate) and every demo agency."""
    from signing import pki as demo_pki

    holders = [demo_pki.Holder(username, name, a.name) for a in demo.AGENCIES
               for username, name, _, _, has_certificate in a.staff if has_certificate]
    bodies = [demo_pki.Holder(a.code, a.name, a.name) for a in demo.AGENCIES]
    made = demo_pki.init_demo_pki(target, holders, bodies, password)
    click.echo(f"Đã tạo {len(made.people)} chứng thư cá nhân và {len(made.agencies)} chứng thư cơ quan trong {target}")
    click.echo(f"Chứng thư gốc THỬ NGHIỆM (không dùng thật): {made.root_certificate}")


@main.command("sign-agent")
@click.option("--token", "token_label", required=True, help="Label of the token (PKCS#11).")
@click.option("--key", "key_label", required=True, help="Label of the signing key and its certificate on the token.")
@click.option("--origin", required=True, help="The platform's address, e.g. https://qlvb.example.gov.vn")
@click.option("--module", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The token's PKCS#11 module. Default: SoftHSM2.")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True, help="Only 127.0.0.1 is accepted.")
def sign_agent(token_label: str, key_label: str, origin: str, module: Path | None, port: int, host: str) -> None:
    """Run the local signing agent next to your token; it asks for the PIN at each request."""
    from signing.agent import AgentServer, SigningAgent, TokenConfig
    from signing.errors import SigningError
    from signing.keys import SOFTHSM_MODULE
    from signing.split import SigningRequest

    def ask_pin(request: SigningRequest) -> str | None:
        click.echo(agent.prompt(request))
        pin = click.prompt("Nhập mã PIN (để trống để hủy)", hide_input=True, default="", show_default=False)
        return pin or None

    agent = SigningAgent(TokenConfig(module or SOFTHSM_MODULE, token_label, key_label), ask_pin)
    try:
        server = AgentServer(agent, origin, port, host)
    except (SigningError, OSError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"Tác nhân ký đang chờ tại http://127.0.0.1:{server.port}/ cho {origin}")
    try:
        server.serve_forever()
    finally:
        server.server_close()
