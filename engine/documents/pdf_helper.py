"""The program behind engine/documents/pdf_reader.py: one per web process (and worker), started
once and fed uploaded PDFs, each read in a child forked for it and held to a memory, CPU, output
and wall-clock budget. The child runs qpdf's own job (libqpdf's C API, the same library and
arguments as the ``qpdf`` program) and poppler's text (libpoppler-glib, the engine of
``pdftotext``), so that a file costs one fork instead of two programs loaded and linked from
disk (prlimit + qpdf, prlimit + pdftotext: ~15 ms of CPU per upload, issue 19).

Run as ``python -I -S pdf_helper.py FD``: the standard library only, no package of the project.
It talks over the Unix socket FD: each request is one message carrying a fresh socket (SCM_RIGHTS)
and a JSON object (``path``, ``qpdf`` arguments or null, ``pages`` of text wanted, 0 for none);
the child answers on that socket with JSON lines: ``{"exit", "output"}`` for the qpdf job (its
JSON output, only its ``pages`` part parsed here: ``page_count``, and the names asked for found in
it: ``found``), then ``{"text"}``. The program ends when the web process closes FD."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import os
import resource
import select
import signal
import socket
import sys
import time

MEMORY_BYTES = 256 * 1024 * 1024  # beyond what the program itself maps
CHECK_SECONDS = 5  # CPU for the qpdf job; its wall clock twice that
TEXT_SECONDS = 10  # CPU for the text, as pdftotext had
OUTPUT_BYTES = 256 * 1024 * 1024  # of the qpdf job's JSON (a memory file)
TEXT_CHARS = 1_200_000
WALL_SECONDS = 2 * CHECK_SECONDS + TEXT_SECONDS


class Libraries:
    """libqpdf's and poppler's C functions, loaded once by the program (never by the web process
    that imports this module for its budget)."""

    def __init__(self) -> None:
        self.qpdf, self.poppler, self.glib, self.gobject = _libraries()


def _load(name: str, soname: str) -> ctypes.CDLL:
    """Debian 12's library, else the one the system names (another release's soname)."""
    try:
        return ctypes.CDLL(soname)
    except OSError:
        return ctypes.CDLL(ctypes.util.find_library(name) or soname)


def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL, ctypes.CDLL, ctypes.CDLL]:
    qpdf = _load("qpdf", "libqpdf.so.29")
    qpdf.qpdfjob_run_from_argv.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    qpdf.qpdfjob_run_from_argv.restype = ctypes.c_int
    poppler = _load("poppler-glib", "libpoppler-glib.so.8")
    poppler.poppler_document_new_from_file.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p]
    poppler.poppler_document_new_from_file.restype = ctypes.c_void_p
    poppler.poppler_document_get_n_pages.argtypes = [ctypes.c_void_p]
    poppler.poppler_document_get_page.argtypes = [ctypes.c_void_p, ctypes.c_int]
    poppler.poppler_document_get_page.restype = ctypes.c_void_p
    poppler.poppler_page_get_text.argtypes = [ctypes.c_void_p]
    poppler.poppler_page_get_text.restype = ctypes.c_void_p
    glib = _load("glib-2.0", "libglib-2.0.so.0")
    glib.g_free.argtypes = [ctypes.c_void_p]
    gobject = _load("gobject-2.0", "libgobject-2.0.so.0")
    gobject.g_object_unref.argtypes = [ctypes.c_void_p]
    return qpdf, poppler, glib, gobject


def _qpdf(libs: Libraries, arguments: list[str], names: list[str]) -> dict[str, object]:
    """qpdf's job with ``arguments``, its standard output kept in a memory file."""
    out = os.memfd_create("qpdf-json")
    os.dup2(out, 1)
    argv = [b"qpdf", *(a.encode() for a in arguments)]
    code = libs.qpdf.qpdfjob_run_from_argv((ctypes.c_char_p * (len(argv) + 1))(*argv, None))
    size = os.lseek(1, 0, os.SEEK_CUR)
    output = os.pread(out, size, 0) if size else b""
    found = [n for n in names if n.encode() in output]
    pages = None
    at = output.find(b'\n  "pages": ')  # the top level's key, in qpdf's indented JSON
    if at >= 0:
        try:
            listed, _ = json.JSONDecoder().raw_decode(output[at + 12:].decode("utf-8", "replace"))
            pages = len(listed) if isinstance(listed, list) else None
        except ValueError:
            pages = None
    return {"exit": code, "found": found, "page_count": pages}


def _text(libs: Libraries, path: str, most: int) -> dict[str, object]:
    document = libs.poppler.poppler_document_new_from_file(("file://" + os.path.abspath(path)).encode(), None, None)
    if not document:
        return {"text": None}
    parts: list[str] = []
    size = 0
    try:
        for number in range(min(libs.poppler.poppler_document_get_n_pages(document), most)):
            page = libs.poppler.poppler_document_get_page(document, number)
            if not page:
                continue
            text = libs.poppler.poppler_page_get_text(page)
            if text:
                parts.append(ctypes.string_at(text).decode("utf-8", "replace"))
                size += len(parts[-1])
                libs.glib.g_free(text)
            libs.gobject.g_object_unref(page)
            if size > TEXT_CHARS:
                break
    finally:
        libs.gobject.g_object_unref(document)
    return {"text": "\n".join(parts)[:TEXT_CHARS]}


def _child(libs: Libraries, answer: socket.socket, request: dict[str, object], base: int) -> None:
    """In the forked child: the budget, then the job and the text, each answered as it ends."""
    resource.setrlimit(resource.RLIMIT_AS, (base + MEMORY_BYTES, base + MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CHECK_SECONDS, CHECK_SECONDS + TEXT_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_BYTES, OUTPUT_BYTES))
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    path = str(request["path"])
    arguments = request.get("qpdf")
    if isinstance(arguments, list):
        names = request.get("names")
        job = _qpdf(libs, [*map(str, arguments), path], list(names) if isinstance(names, list) else [])
        answer.sendall(json.dumps(job).encode() + b"\n")
    pages = request.get("pages")
    if isinstance(pages, int) and pages > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (CHECK_SECONDS + TEXT_SECONDS, CHECK_SECONDS + TEXT_SECONDS))
        answer.sendall(json.dumps(_text(libs, path, pages)).encode() + b"\n")


def _reap(running: dict[int, float]) -> None:
    """Reap the children that ended (their CPU then counts as this program's children's) and
    stop those past the wall clock."""
    for pid, started in list(running.items()):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            del running[pid]
        elif time.monotonic() - started > WALL_SECONDS:
            os.kill(pid, signal.SIGKILL)


def _warm(libs: Libraries) -> None:
    """Read a one-page PDF of our own once, so that the libraries' first-use work (poppler's
    global tables, the symbols bound) is done here and inherited, not repeated in every child."""
    body = b"BT /F1 12 Tf 72 720 Td (warm) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(pdf)
    pdf += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    fd = os.memfd_create("warm.pdf")
    os.write(fd, pdf)
    path = f"/proc/self/fd/{fd}"
    stdout = os.dup(1)
    _qpdf(libs, ["--json=2", "--json-key=pages", path], [])
    os.dup2(stdout, 1)
    _text(libs, path, 1)
    os.close(fd)


def serve(control: socket.socket) -> None:
    libs = Libraries()
    _warm(libs)
    # A child writes to no page of this program's objects for the collector's sake (copy on write).
    gc.disable()
    gc.freeze()
    base = os.sysconf("SC_PAGE_SIZE") * int(open("/proc/self/statm").read().split()[0])
    running: dict[int, float] = {}
    while True:
        ready, _, _ = select.select([control], [], [], 0.05 if running else None)
        _reap(running)
        if not ready:
            continue
        message, fds, _, _ = socket.recv_fds(control, 65536, 1)
        if not message:
            break  # the web process ended
        if not fds:
            continue
        answer = socket.socket(fileno=fds[0])
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                _child(libs, answer, json.loads(message), base)
            finally:
                os._exit(0)
        answer.close()
        running[pid] = time.monotonic()
    for pid in running:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
