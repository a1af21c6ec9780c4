"""Keys: the demo PKI (never for real signatures) and the local signing agent beside a token."""

from __future__ import annotations

from pathlib import Path

import click

from engine import demo
from engine.core.config import Settings


@click.group()
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
    from signing.keystore import pki as demo_pki

    target = directory or Settings.from_env().pki_dir
    if people or agencies:
        holders = [demo_pki.Holder(demo_pki.slug(n), n) for n in people]
        bodies = [demo_pki.Holder(demo_pki.slug(n), n, n) for n in agencies]
        made = demo_pki.init_demo_pki(target, holders, bodies, password)
        click.echo(f"Đã tạo {len(made.people)} chứng thư cá nhân và {len(made.agencies)} chứng thư cơ quan trong "
                   f"{target}")
        click.echo(f"Chứng thư gốc THỬ NGHIỆM (không dùng thật): {made.root_certificate}")
    else:
        make_demo_pki(target, password)



def make_demo_pki(target: Path, password: str) -> None:
    """The demo holders (the demo leaders who hold a certificate) and every demo agency."""
    from signing.keystore import pki as demo_pki

    holders = [demo_pki.Holder(username, name, a.name) for a in demo.AGENCIES
               for username, name, _, _, has_certificate in a.staff if has_certificate]
    bodies = [demo_pki.Holder(a.code, a.name, a.name) for a in demo.AGENCIES]
    made = demo_pki.init_demo_pki(target, holders, bodies, password)
    click.echo(f"Đã tạo {len(made.people)} chứng thư cá nhân và {len(made.agencies)} chứng thư cơ quan trong {target}")
    click.echo(f"Chứng thư gốc THỬ NGHIỆM (không dùng thật): {made.root_certificate}")



@click.command("sign-agent")
@click.option("--token", "token_label", required=True, help="Label of the token (PKCS#11).")
@click.option("--key", "key_label", required=True, help="Label of the signing key and its certificate on the token.")
@click.option("--origin", required=True, help="The platform's address, e.g. https://qlvb.example.gov.vn")
@click.option("--module", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The token's PKCS#11 module. Default: SoftHSM2.")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True, help="Only 127.0.0.1 is accepted.")
def sign_agent(token_label: str, key_label: str, origin: str, module: Path | None, port: int, host: str) -> None:
    """Run the local signing agent next to your token; it asks for the PIN at each request, in this
    terminal (officials install the agent alone, qlvb-sign-agent, which asks on a local page)."""
    from signing.errors import SigningError
    from signing.keystore.agent import TokenConfig
    from signing.keystore.agent_cli import run
    from signing.keystore.keys import SOFTHSM_MODULE

    try:
        run(TokenConfig(module or SOFTHSM_MODULE, token_label, key_label), origin, port, terminal=True, host=host)
    except (SigningError, OSError) as err:
        raise click.ClickException(str(err)) from err
