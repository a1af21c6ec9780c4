"""Benchmark: OCR intake of scanned paper documents (issue 20).

Not a test: it prints two figures for the README ("Scans of paper documents"). Run with
``.venv/bin/python bench/ocr.py [--pages 3] [--rounds 2]``.

*Pages per minute on one core*: the tests' scanned công văn (tests/scans.py: 200 dpi, noise,
image-only PDF), ``--pages`` pages, made a two-layer PDF/A by engine.scans.ocr exactly as the
worker runs it (OCRmyPDF ``--jobs 1``, Tesseract limited to one thread); the CPU of OCRmyPDF and
its children (Tesseract, Ghostscript) is measured, so the figure is per core whatever the load;
wall time is shown beside it. *Upload to pre-filled form*: a 2-page scan posted to
``POST /api/v1/scans`` on a fresh SQLite installation, the worker's job run, and the fields read
(``GET /api/v1/scans/<id>``): wall time from the upload's first byte to the fields.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import demo  # noqa: E402
from engine.core import schema  # noqa: E402
from engine.core.clock import SystemClock  # noqa: E402
from engine.core.config import Settings  # noqa: E402
from engine.core.platform import Platform  # noqa: E402
from engine.documents.storage import FileStore  # noqa: E402
from engine.scans import ocr, queue  # noqa: E402
from tests import scans  # noqa: E402
from webui import create_app  # noqa: E402


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def pages_per_minute(pages: int, folder: Path) -> tuple[float, float]:
    source, target = folder / "scan.pdf", folder / "ocr.pdf"
    source.write_bytes(scans.scanned_pdf(pages=pages))
    cpu, wall = children_cpu(), time.perf_counter()
    ocr.recognise(source, target, pages, lambda _done: None)
    cpu, wall = children_cpu() - cpu, time.perf_counter() - wall
    return 60 * pages / cpu, 60 * pages / wall


def upload_to_fields(folder: Path) -> float:
    settings = Settings(database_url=f"sqlite:///{folder / 'bench.sqlite3'}", data_dir=folder / "data",
                        pki_path=folder / "pki")
    platform = Platform.from_settings(settings, SystemClock())
    schema.upgrade(platform.db)
    with platform.db.write() as session:
        demo.seed(session, platform.clock.now())
    client = create_app(platform).test_client()
    token = client.post("/api/v1/auth/token", json={"username": "btl_clerk", "password": demo.DEMO_PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    content = scans.scanned_pdf(pages=2)
    start = time.perf_counter()
    sent = client.post("/api/v1/scans", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), "ban-quet.pdf")})
    assert sent.status_code == 202, sent.get_json()
    queue.run_next(platform.db, FileStore(settings.files_dir), platform.clock.now())
    state = client.get(f"/api/v1/scans/{sent.get_json()['id']}", headers=headers).get_json()
    elapsed = time.perf_counter() - start
    assert state["status"] == "done" and state["fields"]["number_symbol"] == scans.NUMBER, state
    platform.db.dispose()
    return elapsed


def main() -> None:
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--pages", type=int, default=3)
    arguments.add_argument("--rounds", type=int, default=2)
    options = arguments.parse_args()
    print(f"load average before: {load()}")
    with tempfile.TemporaryDirectory(prefix="qlvb-bench-ocr-") as name:
        for round_number in range(1, options.rounds + 1):
            per_core, by_wall = pages_per_minute(options.pages, Path(name))
            print(f"round {round_number}: {per_core:6.1f} pages/min per core (CPU), {by_wall:6.1f} pages/min by wall "
                  f"clock ({options.pages} pages), load {load()}", flush=True)
        for round_number in range(1, options.rounds + 1):
            folder = Path(name, f"install-{round_number}")
            folder.mkdir()
            print(f"round {round_number}: upload to pre-filled form, 2-page scan: {upload_to_fields(folder):6.1f} s, "
                  f"load {load()}", flush=True)


if __name__ == "__main__":
    main()
