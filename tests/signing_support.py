"""Shared material of the signing tests: one demo PKI per test run, the images, a fully signed
document, and readers of PDFs through poppler (pdftotext, pdftoppm) and qpdf."""

from __future__ import annotations

import http.client
import io
import json
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image

from signing.keystore import pki, softhsm
from signing.keystore.agent import AgentServer, SigningAgent, TokenConfig
from signing.keystore.keys import Pkcs12Key
from signing.pades.pdfsign import sign_agency, sign_leader
from signing.pades.split import SigningRequest
from signing.pdf import images
from signing.pdf.draft import fill_number, prepare_draft
from tests.drafts import made

PASSWORD = "Mật khẩu thử 1"
LEADER = "Trần Minh Quang"
POSITION = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
AGENCY = "Trung tâm Y tế quận Bắc Từ Liêm"
NUMBER = "05/QĐ-TTYT"
ISSUED_ON = date(2026, 3, 2)
# Now (certificates are valid from yesterday), at whole seconds as the appearance shows them.
WHEN = datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class DemoPki:
    root: pki.Identity
    ca: pki.Identity
    leader: pki.Identity
    agency: pki.Identity


@cache
def demo_pki() -> DemoPki:
    root = pki.create_root()
    ca = pki.create_intermediate(root)
    return DemoPki(root, ca, pki.issue(ca, LEADER, AGENCY), pki.issue(ca, AGENCY, AGENCY))


@cache
def signature_png() -> bytes:
    return images.signature_image(LEADER)


@cache
def seal_png() -> bytes:
    return images.seal_image(AGENCY)


def p12_key(identity: pki.Identity) -> Pkcs12Key:
    return Pkcs12Key(identity.pkcs12(PASSWORD), PASSWORD)


def draft() -> bytes:
    """A Quyết định of the test corpus, whose "Số: /QĐ-TTYT" line fits :data:`NUMBER`."""
    return made("quyet-dinh")


@cache
def leader_signed() -> bytes:
    return sign_leader(prepare_draft(draft()), p12_key(demo_pki().leader), LEADER, POSITION, AGENCY,
                       signature_png(), WHEN)


@cache
def fully_signed() -> bytes:
    """Leader, then the clerk's number and date, then the agency."""
    numbered = fill_number(leader_signed(), NUMBER, ISSUED_ON, "Hà Nội")
    return sign_agency(numbered, p12_key(demo_pki().agency), AGENCY, seal_png(), WHEN)


def _run_on(pdf: bytes, command: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run ``command`` with the PDF's path in place of ``{}``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "doc.pdf")
        path.write_bytes(pdf)
        return subprocess.run([str(path) if part == "{}" else part for part in command], capture_output=True,
                              check=False)


def pdf_text(pdf: bytes) -> str:
    """The text poppler reads, the signature appearances included."""
    done = _run_on(pdf, ["pdftotext", "-layout", "{}", "-"])
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


def qpdf_check(pdf: bytes) -> subprocess.CompletedProcess[bytes]:
    return _run_on(pdf, ["qpdf", "--check", "{}"])


def render(pdf: bytes, dpi: int = 72) -> Image.Image:
    """Page 1 as an RGB image, one pixel per point at 72 dpi (y grows downwards)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "doc.pdf")
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(path), str(Path(folder, "page"))],
                       check=True, capture_output=True)
        return Image.open(io.BytesIO(Path(folder, "page.png").read_bytes())).convert("RGB")


@contextmanager
def running_agent(token: softhsm.Token, origin: str, clock: Callable[[], datetime],
                  port: int = 0) -> Iterator[tuple[int, list[str]]]:
    """The local sign agent over ``token`` on 127.0.0.1 (a free port unless given), for
    ``origin``; yields the port and the PINs the holder "types" for the next requests, in order
    (none left: cancel). The agent and the platform agree on the time (``clock``)."""
    pins: list[str] = []

    def pin_provider(request: SigningRequest) -> str | None:
        return pins.pop(0) if pins else None

    server = AgentServer(SigningAgent(TokenConfig(token.module, token.label, token.key_label), pin_provider,
                                      clock=clock), origin, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port, pins
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def agent_call(port: int, origin: str, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    """One request to the local sign agent, from the platform's ``origin`` as a browser sends it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Origin": origin, "Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else {}
