"""Gói nộp lưu: a closed record's hand-over package, E-ARK CSIP in shape (TT 05/2025/TT-BNV
Appendix I; Decree 113/2025 Art. 13–23, as docs/archives.md cites):

    {OBJID}/METS.xml
    {OBJID}/metadata/descriptive/ead.xml       EAD 2002
    {OBJID}/metadata/preservation/premis.xml   PREMIS 3
    {OBJID}/representations/rep1/data/…        the stored files, byte for byte (signed originals unchanged)
    {OBJID}/representations/rep2/data/…        PDF/A-2b copies of the PDFs that could be converted

Made from a snapshot (engine/archives/contents.py) outside any transaction: each stored file is
re-hashed as it is copied (a file whose digest changed in storage is refused), the three XML files
are validated against their XSDs and every checksum the METS declares is checked against the
staged files before the zip (ZIP64) is written. Any fault raises and leaves nothing behind: the
work folder is the caller's temporary directory."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from lxml import etree
from sqlalchemy.orm import Session

from engine.archives import ead, mets, premis, schema
from engine.archives.contents import PackageFile, Snapshot
from engine.audit import chain as audit
from engine.core.errors import InvalidData, Text
from engine.documents.storage import FileStore

CONVERT_SECONDS = 300
MEMORY_BYTES = 2 * 1024 * 1024 * 1024
_PDF_PRONOM = {"1.3": "fmt/17", "1.4": "fmt/18", "1.5": "fmt/19", "1.6": "fmt/20", "1.7": "fmt/276", "2.0": "fmt/1129"}
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Package:
    path: Path  # the zip, in the caller's work folder
    filename: str
    sha256: str
    size: int
    files: int  # the documents' files in it, both representations
    not_converted: int  # PDFs left without a PDF/A copy (damaged, or over the budget)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pdf_version(path: Path) -> str | None:
    with path.open("rb") as f:
        head = f.read(16)
    return head[5:8].decode("ascii", "replace") if head.startswith(b"%PDF-") else None


def _to_pdfa(source: Path, target: Path) -> str | None:
    """``source`` as PDF/A-2b in ``target`` (no OCR: the text layer is the file's own); None when
    done, else why not (the original alone then goes in the package)."""
    command = ["prlimit", f"--as={MEMORY_BYTES}", "ocrmypdf", "--skip-text", "--tesseract-timeout", "0",
               "--output-type", "pdfa-2", "--jobs", "1", "--optimize", "0", "-q", str(source), str(target)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=CONVERT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        target.unlink(missing_ok=True)
        return "quá thời gian chuyển đổi"
    if done.returncode != 0 or not target.is_file():
        target.unlink(missing_ok=True)
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return tail[0][:300]
    return None


def _stage_originals(store: FileStore, snap: Snapshot, root: Path) -> list[PackageFile]:
    placed = []
    for item in snap.items:
        for k, stored in enumerate(item.files, start=1):
            suffix = PurePosixPath(stored.filename).suffix.lower()[:10]
            href = f"representations/rep1/data/{item.ordinal:03d}-{stored.role}-{k}{suffix}"
            source, target = store.path(stored.sha256), root / href
            if not source.is_file():
                raise InvalidData(Text("Tệp %(name)s của văn bản %(n)s không còn trong kho: không lập được gói.",
                                       name=stored.filename, n=item.number_symbol or item.ordinal))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            if _digest(target) != stored.sha256:
                raise InvalidData(Text("Tệp %(name)s của văn bản %(n)s đã bị thay đổi trong kho (mã băm không khớp).",
                                       name=stored.filename, n=item.number_symbol or item.ordinal))
            version = _pdf_version(target) if stored.content_type == "application/pdf" else None
            placed.append(PackageFile(href, stored.sha256, stored.size, stored.content_type, item.ordinal,
                                      stored.filename, "rep1", "Portable Document Format" if version else
                                      stored.content_type, version, _PDF_PRONOM.get(version or "")))
    return placed


def _stage_pdfa(originals: list[PackageFile], root: Path) -> tuple[list[PackageFile], dict[str, str]]:
    copies, failed = [], {}
    for original in (f for f in originals if f.format_version is not None):
        href = original.href.replace("representations/rep1/", "representations/rep2/", 1)
        target = root / href
        target.parent.mkdir(parents=True, exist_ok=True)
        why = _to_pdfa(root / original.href, target)
        if why is not None:
            failed[original.href] = why
            continue
        copies.append(PackageFile(href, _digest(target), target.stat().st_size, "application/pdf", original.ordinal,
                                  original.original_name, "rep2", "PDF/A-2b", "2b", "fmt/477", original.href))
    return copies, failed


def _write_metadata(root: Path, href: str, kind: str, content: bytes) -> mets.MetadataFile:
    faults = schema.errors(kind, content)
    if faults:
        raise InvalidData(Text("Gói nộp lưu không hợp lệ theo lược đồ %(kind)s: %(fault)s", kind=kind.upper(),
                               fault=faults[0]))
    path = root / href
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return mets.MetadataFile(href, hashlib.sha256(content).hexdigest(), len(content))


def verify(root: Path, mets_xml: bytes) -> int:
    """Every file the METS lists (files and metadata references) is there with its declared
    SHA-256 and size; returns how many were checked."""
    ns = {"m": mets.NS, "x": mets.XLINK}
    tree = etree.fromstring(mets_xml, etree.XMLParser(resolve_entities=False, no_network=True))
    checked = 0
    for node in tree.xpath("//m:file | //m:mdRef", namespaces=ns):
        href = node.get(f"{{{mets.XLINK}}}href") or node.find("m:FLocat", ns).get(f"{{{mets.XLINK}}}href")
        path = root / href
        if not path.is_file() or _digest(path) != node.get("CHECKSUM") or str(path.stat().st_size) != node.get("SIZE"):
            raise InvalidData(Text("Mã băm của %(href)s không khớp với METS.", href=href))
        checked += 1
    return checked


def build(store: FileStore, snap: Snapshot, work: Path) -> Package:
    """The package of ``snap`` as a zip in ``work`` (a temporary folder the caller removes)."""
    root = work / "stage" / snap.code
    originals = _stage_originals(store, snap, root)
    copies, failed = _stage_pdfa(originals, root)
    files = originals + copies
    ead_file = _write_metadata(root, "metadata/descriptive/ead.xml", "ead", ead.build(snap, files))
    premis_file = _write_metadata(root, "metadata/preservation/premis.xml", "premis",
                                  premis.build(snap, files, failed))
    mets_xml = mets.build(snap, files, ead_file, premis_file)
    _write_metadata(root, "METS.xml", "mets", mets_xml)
    verify(root, mets_xml)
    target = work / f"{snap.code}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        archive.write(root / "METS.xml", f"{snap.code}/METS.xml")
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "METS.xml"):
            archive.write(path, f"{snap.code}/{path.relative_to(root).as_posix()}")
    return Package(target, f"goi-nop-luu-{snap.code}.zip", _digest(target), target.stat().st_size, len(files),
                   len(failed))


def audit_made(session: Session, user_id: int, snap: Snapshot, package: Package, now: datetime) -> None:
    """One audit entry per package offered for download, naming its digest."""
    audit.append(session, at=now, action="archive_package_made", actor_id=user_id,
                 payload={"record": snap.record_id, "code": snap.code, "sha256": package.sha256, "size": package.size,
                          "files": package.files, "not_converted": package.not_converted})
