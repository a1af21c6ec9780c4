"""What the commands share: the platform from the environment, deployment of process files,
the stranded-case repair and the backup passphrase."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.core import credentials, sealed
from engine.core.config import Settings
from engine.core.errors import DomainError
from engine.core.platform import Platform
from engine.design import lane_check
from engine.interagency import message_routes
from engine.operations import stranded
from engine.workflow import bpmn_check, definitions


def platform() -> Platform:
    return Platform.from_settings(Settings.from_env())



def repair_stranded(platform: Platform) -> list[stranded.StrandedCase]:
    """The upgrade step of issue 11: resume the cases stranded by the old engine."""
    resumed, left = stranded.repair(platform.db, platform.clock.now())
    for case_id in resumed:
        click.echo(f"Hồ sơ {case_id}: đã tiếp tục xử lý.")
    for case in left:
        click.echo(f"CẢNH BÁO {case}", err=True)
    return left



def check_at_start(platform: Platform) -> None:
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



def check_exchange_key(settings: Settings) -> None:
    """Said at the worker's start rather than found in a package's last error: the password of
    the package-signing keys that is given but cannot be used (a file others may read)."""
    if settings.exchange_key_password_file is None:
        return
    try:
        credentials.read_secret(settings.exchange_key_password_file)
    except DomainError as err:
        click.echo(f"CẢNH BÁO: {err.message} Gói tin liên thông chờ đến khi sửa.", err=True)



def process_files(paths: tuple[Path, ...], settings: Settings) -> list[Path]:
    if paths:
        return list(paths)
    return sorted(settings.processes_dir.glob("*/*.bpmn"))



def organisation_problems(session: Session, definition: bpmn_check.Definition) -> list[bpmn_check.Problem]:
    """What the installation's data says of a checked file: where its messages may go, and whether
    each lane names someone in every agency it is deployed for."""
    return message_routes.problems(session, definition) + lane_check.problems(session, definition)


def deploy(platform: Platform, files: list[Path], once: bool = False) -> bool:
    checked = bpmn_check.check_files(files, platform.settings.forms_dir, platform.settings.max_bpmn_bytes)
    bad = [d for d in checked if d.problems]
    for d in bad:
        for problem in d.problems:
            click.echo(f"{d.path}: {problem}", err=True)
    if bad:
        click.echo("Không triển khai gì vì có lỗi.", err=True)
        return False
    with platform.db.write() as session:
        routes = [(d, p) for d in checked for p in organisation_problems(session, d)]
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



def passphrase(path: Path | None) -> str:
    try:
        return sealed.read_passphrase(path)
    except DomainError as err:
        raise click.ClickException(err.message) from None


PASSPHRASE_FILE = click.option(
    "--passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
    help="The backup passphrase (first line; at least 12 characters). Default: QLVB_BACKUP_PASSPHRASE_FILE.")

