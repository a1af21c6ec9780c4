"""What an upload no longer repeats or holds (issue 19, CPU per step), on SQLite and PostgreSQL:

- one qpdf child checks the file and counts its pages (a second one counted them), and a main
  file's text is read by one pdftotext child: two children per main file, one per appendix;
- none of them runs while a write transaction is open (qpdf and pdftotext ran inside the upload's,
  SQLite's one write lock held meanwhile), and the file with its text is recorded in one write
  transaction (the text was stored in a second one after it): searchable as soon as it is stored;
- the page count is qpdf's, as a fresh count of the stored file gives it;
- a refusal that says nothing about the file (another agency's person, a secret document)
  stores nothing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.core.platform import Platform
from engine.documents import pdf_pages
from engine.documents.storage import FileStore
from engine.fulltext.model import DocumentText
from engine.models import Document, DocumentFile, Secrecy
from tests.conftest import Api
from tests.drafts import open_draft
from tests.flows import start
from tests.pdfs import minimal_pdf
from tests.test_checks_outside_writes import Writes

DRAFTER = "btl_spec_khnv"


class Children:
    """Every child process the platform starts (``subprocess.run``), with whether a write
    transaction of the platform was open in its thread."""

    def __init__(self, writes: Writes, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[tuple[str, bool]] = []
        original = subprocess.run

        def run(command: Any, *args: Any, **kwargs: Any) -> Any:
            program = next(p for p in command if not p.startswith("-") and Path(p).name != "prlimit")
            self.started.append((Path(program).name, writes.depth() > 0))
            return original(command, *args, **kwargs)

        monkeypatch.setattr(subprocess, "run", run)


@pytest.fixture
def watched(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> tuple[Writes, Children]:
    writes = Writes(platform, monkeypatch)
    return writes, Children(writes, monkeypatch)


def _writes_counted(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    opened: list[int] = []
    original = platform.db.write

    def write() -> Any:
        opened.append(1)
        return original()

    monkeypatch.setattr(platform.db, "write", write)
    return opened


def test_a_main_file_costs_one_qpdf_and_one_pdftotext_outside_any_write(
        api: Api, platform: Platform, watched: tuple[Writes, Children], monkeypatch: pytest.MonkeyPatch) -> None:
    _, children = watched
    doc_id = start(api)["document"]["id"]
    writes = _writes_counted(platform, monkeypatch)
    children.started.clear()
    assert api.upload(DRAFTER, doc_id, open_draft()).status_code == 201
    assert children.started == [("qpdf", False), ("pdftotext", False)]
    assert len(writes) == 1  # the file, its version, its text and the audit entry together
    with platform.db.read() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        main = next(f for f in doc.files if f.role == "main")
        text = session.scalar(select(DocumentText).where(DocumentText.document_id == doc_id))
        assert text is not None and (text.sha256, text.outcome) == (main.sha256, "ok")
        stored = FileStore(platform.settings.files_dir).path(main.sha256)
        assert main.page_count is not None and main.page_count == pdf_pages.count(stored)
    found = api.get(DRAFTER, "/api/v1/search?q=kham benh chua benh").get_json()["items"]
    assert [d["id"] for d in found if d["id"] == doc_id] == [doc_id]  # at once: no pass of the worker needed


def test_an_appendix_costs_one_qpdf(api: Api, platform: Platform, watched: tuple[Writes, Children]) -> None:
    _, children = watched
    doc_id = start(api)["document"]["id"]
    children.started.clear()
    assert api.upload(DRAFTER, doc_id, minimal_pdf("Phu luc"), "phu-luc.pdf", "appendix").status_code == 201
    assert children.started == [("qpdf", False)]
    with platform.db.read() as session:
        appendix = session.scalars(select(DocumentFile).where(DocumentFile.document_id == doc_id,
                                                              DocumentFile.role == "appendix")).one()
        assert appendix.page_count == 1


def test_a_refused_upload_reads_and_stores_nothing(api: Api, platform: Platform,
                                                   watched: tuple[Writes, Children]) -> None:
    _, children = watched
    doc_id = start(api)["document"]["id"]
    files = FileStore(platform.settings.files_dir).root
    before = sorted(p.name for p in files.rglob("*") if p.is_file())
    children.started.clear()
    refused = api.upload("laichau_clerk", doc_id, minimal_pdf("Khong duoc"))  # another agency's clerk
    assert refused.status_code == 403
    with platform.db.write() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.secrecy = Secrecy.SECRET
    secret = api.upload(DRAFTER, doc_id, minimal_pdf("Van ban mat"))
    assert secret.status_code == 422 and "mật" in secret.get_json()["error"]
    assert children.started == []
    assert sorted(p.name for p in files.rglob("*") if p.is_file()) == before
