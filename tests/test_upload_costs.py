"""What an upload no longer repeats or holds (issue 19, CPU per step), on SQLite and PostgreSQL:

- no program is started per upload: the file is checked, its pages counted and a main file's text
  read in one child forked by the process's PDF helper (engine/documents/pdf_reader.py), started
  once and restarted when it has died. Before, every upload started ``prlimit qpdf`` and a main
  file ``prlimit pdftotext`` too (~15 ms of CPU loading and linking them);
- that child is held to the budget the programs had (memory, CPU), and none of it runs while a
  write transaction is open; the file with its text is recorded in one write transaction:
  searchable as soon as it is stored;
- the page count is qpdf's, as a fresh count of the stored file gives it;
- a refusal that says nothing about the file (another agency's person, a secret document)
  stores nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.core.errors import InvalidData
from engine.core.platform import Platform
from engine.documents import pdf_check, pdf_helper, pdf_pages, pdf_reader
from engine.documents.storage import FileStore
from engine.fulltext.model import DocumentText
from engine.models import Document, Secrecy
from tests.conftest import Api
from tests.drafts import open_draft
from tests.flows import start
from tests.pdfs import minimal_pdf
from tests.test_checks_outside_writes import Writes
from tests.test_request_costs import _incoming, statements

DRAFTER = "btl_spec_khnv"


class Children:
    """Every program the platform starts (``subprocess.Popen``, which ``run`` uses too), and every
    file read by the PDF helper, with whether a write transaction of the platform was open."""

    def __init__(self, writes: Writes, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[str] = []
        self.read: list[tuple[bool, bool]] = []  # (the qpdf job asked, a write open)
        popen, read = subprocess.Popen.__init__, pdf_reader.read

        def started(process: Any, command: Any, *args: Any, **kwargs: Any) -> None:
            self.started.append(next(Path(p).name for p in command[1:] if not p.startswith("-")))
            popen(process, command, *args, **kwargs)

        def reading(path: Path, qpdf: Any, *args: Any, **kwargs: Any) -> Any:
            self.read.append((qpdf is not None, writes.depth() > 0))
            return read(path, qpdf, *args, **kwargs)

        monkeypatch.setattr(subprocess.Popen, "__init__", started)
        monkeypatch.setattr(pdf_reader, "read", reading)


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


def test_a_main_file_costs_one_child_of_the_helper_outside_any_write(
        api: Api, platform: Platform, watched: tuple[Writes, Children], monkeypatch: pytest.MonkeyPatch) -> None:
    _, children = watched
    doc_id = start(api)["document"]["id"]
    writes = _writes_counted(platform, monkeypatch)
    children.started.clear()
    assert api.upload(DRAFTER, doc_id, open_draft()).status_code == 201
    assert children.read == [(True, False)]  # checked, counted and its text read by one child
    assert children.started in ([], ["pdf_helper.py"])  # the helper, if this process had none yet
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


def test_uploads_start_no_program(api: Api, platform: Platform, watched: tuple[Writes, Children]) -> None:
    """Five uploads, main files and appendices, start no program: the helper runs them all."""
    _, children = watched
    first = start(api)["document"]["id"]
    assert api.upload(DRAFTER, first, open_draft()).status_code == 201
    children.started.clear()
    children.read.clear()
    for n in range(5):
        doc_id = start(api)["document"]["id"]
        assert api.upload(DRAFTER, doc_id, open_draft()).status_code == 201
        assert api.upload(DRAFTER, doc_id, minimal_pdf(f"Phu luc {n}"), "phu-luc.pdf", "appendix").status_code == 201
    assert children.started == []
    assert children.read == [(True, False)] * 10


def test_a_helper_that_died_is_started_again(api: Api, platform: Platform) -> None:
    doc_id = start(api)["document"]["id"]
    assert api.upload(DRAFTER, doc_id, minimal_pdf("Mot")).status_code == 201
    pid = pdf_reader.helper_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    assert api.upload(DRAFTER, doc_id, minimal_pdf("Hai"), "hai.pdf", "appendix").status_code == 201
    assert pdf_reader.helper_pid() not in (None, pid)


def _children_of(pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
            for c in (task / "children").read_text().split()]


def _limits(pid: int) -> dict[str, list[str]]:
    return {line[:26].strip(): line[26:].split() for line in Path(f"/proc/{pid}/limits").read_text().splitlines()}


def test_the_child_is_held_to_the_budget_and_its_failure_refuses_the_file(tmp_path: Path) -> None:
    """While a child reads (here a pipe that has not been written yet), its limits are those
    ``prlimit`` gave qpdf: 5 s of CPU for the check (10 more for the text), 256 MiB of address
    space beyond the helper's own; what it could not read is refused as broken."""
    fifo = tmp_path / "slow.pdf"
    os.mkfifo(fifo)
    answers: list[Any] = []
    reading = threading.Thread(target=lambda: answers.append(pdf_reader.read(fifo, pdf_check.QPDF_JSON)))
    reading.start()
    deadline = time.monotonic() + 60
    while not (pid := pdf_reader.helper_pid()) or not _children_of(pid):
        assert time.monotonic() < deadline, "the helper forked no child"
        time.sleep(0.05)
    child = _children_of(pid)[0]
    while (limits := _limits(child))["Max cpu time"][0] == "unlimited":  # the child sets them first thing
        assert time.monotonic() < deadline, "the child set no limit"
        time.sleep(0.05)
    assert limits["Max cpu time"][:2] == [str(pdf_helper.CHECK_SECONDS), str(pdf_helper.CHECK_SECONDS
                                                                              + pdf_helper.TEXT_SECONDS)]
    helper_size = int(Path(f"/proc/{pid}/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    assert int(limits["Max address space"][0]) <= helper_size + pdf_helper.MEMORY_BYTES
    with suppress(BrokenPipeError), open(fifo, "wb") as pipe:  # qpdf may give up on a pipe before it is written
        pipe.write(b"%PDF-1.4 not a PDF after all")
    reading.join(60)
    assert answers[0].job is not None and answers[0].job.exit not in (0, 3)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not a PDF after all")
    with pytest.raises(InvalidData, match="tệp hỏng hoặc quá phức tạp"):
        pdf_check.check_file(broken)


def test_an_upload_checks_its_token_once(api: Api, platform: Platform) -> None:
    """Once, with who may attach, before the file is read; its writes (the file's, and a received
    document's signature check's) read the person by id. Before: three token lookups for a
    draft's file (may attach, the write, whether to check) and five for a received document's."""
    drafted = start(api)["document"]["id"]
    received = _incoming(api, 7)["document"]["id"]
    for user, doc_id in ((DRAFTER, drafted), ("btl_clerk", received)):
        api.token(user)
        with statements(platform) as ran:
            assert api.upload(user, doc_id, open_draft()).status_code == 201
        assert len([s for s in ran if "api_tokens" in s.lower()]) == 1, (user, ran)
    with platform.db.read() as session:
        doc = session.get(Document, received)
        assert doc is not None and doc.verified_sha256 is not None  # its signatures were checked


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
    assert children.started == [] and children.read == []
    assert sorted(p.name for p in files.rglob("*") if p.is_file()) == before
