"""The designer's commands: validate, deploy and list process definitions."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from engine.core.config import Settings
from engine.office import queries
from engine.workflow import bpmn_check
from engine.workflow.bpmn_check import DefinitionRejected
from qlvb import context


@click.group()
def process() -> None:
    """Validate, deploy and list process definitions."""


@process.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def process_validate(files: tuple[Path, ...]) -> None:
    """Check BPMN files; print each problem with its element id; exit 1 on any problem. With an
    initialised database (QLVB_DATABASE_URL), also who each lane names in each agency and where
    the messages may go."""
    settings = Settings.from_env()
    checked = bpmn_check.check_files(files, settings.forms_dir, settings.max_bpmn_bytes)
    platform = context.platform()
    try:
        with platform.db.read() as session:
            for d in checked:
                if not d.problems and d.processes:
                    d.problems.extend(context.organisation_problems(session, d))
    except SQLAlchemyError:
        click.echo("(Chưa có cơ sở dữ liệu: không kiểm tra lane và thông điệp theo tổ chức; chạy 'qlvb init-db'.)")
    for d in checked:
        for problem in d.problems:
            click.echo(f"{d.path}: {problem}")
        if not d.problems:
            click.echo(f"{d.path}: hợp lệ ({', '.join(p.id for p in d.processes)})")
    sys.exit(1 if any(d.problems for d in checked) else 0)


@process.command("deploy")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def process_deploy(files: tuple[Path, ...]) -> None:
    """Deploy BPMN files (default: every file under processes/) as new versions if changed."""
    platform = context.platform()
    try:
        ok = context.deploy(platform, context.process_files(files, platform.settings))
    except DefinitionRejected as err:
        click.echo(str(err), err=True)
        ok = False
    sys.exit(0 if ok else 1)


@process.command("texts")
@click.option("--language", default="en", show_default=True)
def process_texts(language: str) -> None:
    """Write each process's catalogue of texts (processes/<agency>/<id>.<language>.json, and
    processes/common.<language>.json) with what its diagram and forms show, keeping the
    translations already there; lists the texts still to translate."""
    from engine.processtexts import catalogue

    settings = Settings.from_env()
    missing: list[str] = []
    for bpmn in context.process_files((), settings):
        missing += catalogue.update(catalogue.catalogue_path(bpmn, language),
                                    catalogue.process_texts(bpmn, settings.forms_dir))
    missing += catalogue.update(settings.processes_dir / f"common.{language}.json", catalogue.common_texts())
    for text in dict.fromkeys(missing):
        click.echo(f"Chưa dịch: {text}")
    click.echo(f"Còn {len(set(missing))} nội dung chưa dịch.")


@process.command("list")
def process_list() -> None:
    """The deployed processes and their newest versions."""
    platform = context.platform()
    with platform.db.read() as session:
        for p in queries.processes(session):
            click.echo(f"{p['id']}\tv{p['version']}\t{p['agency'] or '-'}\t{p['name']}")

