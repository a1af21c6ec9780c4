"""``qlvb trust``: the installation's trust store (every agency's), kept by its operator; an
agency's administrators keep their agency's own in the administration pages."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.errors import DomainError
from engine.models import Agency
from engine.signatures import trust_store
from qlvb import context


def _agency_id(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    found = session.scalar(select(Agency.id).where(Agency.code == code))
    if found is None:
        raise click.ClickException(f"Không có cơ quan {code}.")
    return int(found)


@click.group()
def trust() -> None:
    """Trust anchors and intermediate CA certificates (national root, Ban Cơ yếu root, ...)."""


@trust.command("add")
@click.argument("certificate", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--label", default="", help="A name shown to administrators.")
@click.option("--agency", "code", help="Only for this agency (default: every agency).")
def add(certificate: Path, label: str, code: str | None) -> None:
    """Add a CA certificate (PEM or DER); prints its SHA-256 fingerprint."""
    platform = context.platform()
    try:
        with platform.db.write() as session:
            row = trust_store.add(session, _agency_id(session, code), certificate.read_bytes(), label, None,
                                  platform.clock.now())
            click.echo(f"{row.id}\t{row.kind}\t{row.sha256}\t{row.subject}")
    except DomainError as err:
        raise click.ClickException(err.message) from None


@trust.command("remove")
@click.argument("anchor_id", type=int)
@click.option("--agency", "code", help="The agency it was added for (default: every agency's).")
def remove(anchor_id: int, code: str | None) -> None:
    platform = context.platform()
    try:
        with platform.db.write() as session:
            trust_store.remove(session, _agency_id(session, code), anchor_id, None, platform.clock.now())
    except DomainError as err:
        raise click.ClickException(err.message) from None


@trust.command("list")
@click.option("--agency", "code", help="With this agency's own.")
def listed(code: str | None) -> None:
    platform = context.platform()
    with platform.db.read() as session:
        for row in trust_store.listed(session, _agency_id(session, code)):
            scope = "installation" if row.agency_id is None else f"agency {row.agency_id}"
            click.echo(f"{row.id}\t{scope}\t{row.kind}\t{row.sha256}\t{row.not_after.date()}\t{row.label}")
