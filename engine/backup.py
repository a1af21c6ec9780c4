"""Backup and restore: one consistent, timestamped archive of the database and the stored
files, with a manifest of hashes (Quảng Ngãi regulation, Art. 4: the administrator backs
the data up every day).

The database is copied first, at one point in time (SQLite's online backup API; pg_dump
on PostgreSQL, which reads one snapshot); the files follow. A file is written before the
transaction that refers to it commits, so every file the copied database names is on
disk by then; files added later are harmless extras.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from .clock import VIETNAM
from .errors import Conflict, InvalidData
from .platform import Platform

PREFIX = "qlvb-backup-"
_STAMP = "%Y%m%dT%H%M%SZ"


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise RuntimeError(f"{name} is not installed (Debian package postgresql-client)")
    return found


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _dump_database(platform: Platform, target: Path) -> str:
    url = platform.settings.database_url
    if platform.db.is_sqlite:
        source = sqlite3.connect(make_url(url).database or "")
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
        return "sqlite"
    subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target),
                    _libpq_url(url)], check=True, capture_output=True, timeout=3600)
    return "postgresql"


def create(platform: Platform, directory: Path, now: datetime) -> Path:
    """Write ``qlvb-backup-<UTC time>.tar.gz`` into ``directory``; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{now.strftime(_STAMP)}"
    with tempfile.TemporaryDirectory(dir=directory) as work:
        db_file = Path(work) / "database"
        kind = _dump_database(platform, db_file)
        files_dir = platform.settings.files_dir
        files = {p.name: p for p in sorted(files_dir.glob("??/*")) if p.is_file() and not p.name.startswith(".")}
        broken = [sha for sha, path in files.items() if _sha256(path) != sha]
        if broken:
            raise Conflict(f"Tệp lưu trữ bị hỏng (hash không khớp): {', '.join(broken[:5])}")
        manifest = {
            "format": 1, "created_at": now.isoformat(), "database": kind, "database_sha256": _sha256(db_file),
            "files": {sha: path.stat().st_size for sha, path in files.items()},
        }
        partial = directory / f".{name}.partial"
        with tarfile.open(partial, "w:gz") as archive:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
            archive.add(db_file, arcname="database")
            for sha, path in files.items():
                archive.add(path, arcname=f"files/{sha[:2]}/{sha}")
        final = directory / f"{name}.tar.gz"
        os.replace(partial, final)  # a crash leaves no half archive under the real name
    return final


@dataclass(frozen=True)
class RestoreReport:
    database: str
    files: int


def _ensure_empty(platform: Platform) -> None:
    if inspect(platform.db.engine).get_table_names():
        raise Conflict("Cơ sở dữ liệu đích đã có dữ liệu; chỉ khôi phục vào bản cài đặt trống.")
    files_dir = platform.settings.files_dir
    if files_dir.exists() and any(files_dir.glob("??/*")):
        raise Conflict("Thư mục tệp đích đã có tệp; chỉ khôi phục vào bản cài đặt trống.")


def restore(platform: Platform, archive_path: Path) -> RestoreReport:
    """Restore an archive into an empty installation, checking every hash on the way."""
    _ensure_empty(platform)
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(work, filter="data")
        root = Path(work)
        manifest = json.loads((root / "manifest.json").read_text())
        db_file = root / "database"
        if _sha256(db_file) != manifest["database_sha256"]:
            raise InvalidData("Bản sao lưu bị hỏng: cơ sở dữ liệu không khớp manifest.")
        kind = "sqlite" if platform.db.is_sqlite else "postgresql"
        if manifest["database"] != kind:
            raise InvalidData(f"Bản sao lưu là của {manifest['database']}, bản cài đặt đích dùng {kind}.")
        for sha in manifest["files"]:
            if _sha256(root / "files" / sha[:2] / sha) != sha:
                raise InvalidData(f"Bản sao lưu bị hỏng: tệp {sha} không khớp hash.")
        platform.db.dispose()
        if kind == "sqlite":
            target_db = make_url(platform.settings.database_url).database or ""
            for leftover in (f"{target_db}-wal", f"{target_db}-shm"):
                if os.path.exists(leftover):
                    os.unlink(leftover)
            shutil.copyfile(db_file, target_db)
        else:
            subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                            "--dbname", _libpq_url(platform.settings.database_url), str(db_file)],
                           check=True, capture_output=True, timeout=3600)
        for sha in manifest["files"]:
            target = platform.settings.files_dir / sha[:2] / sha
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / "files" / sha[:2] / sha, target)
    return RestoreReport(kind, len(manifest["files"]))


def prune(directory: Path, keep: int) -> list[Path]:
    """Keep the newest ``keep`` archives; returns those removed."""
    archives = sorted(directory.glob(f"{PREFIX}*.tar.gz"))
    removed = archives[:-keep] if keep > 0 else archives
    for path in removed:
        path.unlink()
    return removed


def due(directory: Path, at: str, now: datetime) -> bool:
    """Whether today's backup (at HH:MM, Vietnam time) is due and not yet made."""
    local = now.astimezone(VIETNAM)
    hour, minute = (int(x) for x in at.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return False
    for path in directory.glob(f"{PREFIX}*.tar.gz"):
        made = datetime.strptime(path.name[len(PREFIX):-len(".tar.gz")], _STAMP).replace(tzinfo=UTC)
        if made.astimezone(VIETNAM).date() == local.date():
            return False
    return True
