"""Backup and restore: one consistent, timestamped archive of the database, the stored files,
the PKI folder (the keys, signature and seal images the administrators installed) and the
secret key, with a manifest of hashes (Quảng Ngãi regulation, Art. 4: the administrator backs
the data up every day). Without the keys a restored installation could not sign.

The PKI folder and the secret key travel encrypted with the operator's passphrase, and the
manifest is authenticated with it (engine/core/sealed.py): restore refuses an archive that lacks a
member, holds one more, or whose manifest or any member was changed, before it writes anything.

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
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from engine.core import jobs
from engine.core.clock import VIETNAM
from engine.core.errors import Conflict, InvalidData, Text
from engine.core.platform import Platform
from engine.core.sealed import Sealer
from engine.core.secret_key import install as install_secret_key
from engine.core.secret_key import secret_key

PREFIX = "qlvb-backup-"
_STAMP = "%Y%m%dT%H%M%SZ"
FORMAT = 2  # 1: database and files only, before the keys were kept
_MANIFEST, _MAC, _DATABASE, _SECRETS = "manifest.json", "manifest.mac", "database", "secrets.enc"
_PARTIAL = "Bản sao lưu không đầy đủ hoặc đã hỏng, không khôi phục: {}"


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


def _secrets(platform: Platform) -> bytes:
    """A tar of the PKI folder (as ``pki/``) and the secret key in use (as ``secret_key``)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        pki = platform.settings.pki_dir
        if pki.is_dir():
            tar.add(pki, arcname="pki")
        key = secret_key(platform.settings.data_dir, os.environ).encode("ascii")
        info = tarfile.TarInfo("secret_key")
        info.size, info.mode = len(key), 0o600
        tar.addfile(info, io.BytesIO(key))
    return buffer.getvalue()


def create(platform: Platform, directory: Path, now: datetime, passphrase: str) -> Path:
    """Write ``qlvb-backup-<UTC time>.tar.gz`` into ``directory``; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{now.strftime(_STAMP)}"
    sealer = Sealer.new(passphrase)
    with tempfile.TemporaryDirectory(dir=directory) as work:
        db_file, secrets_file = Path(work) / _DATABASE, Path(work) / _SECRETS
        kind = _dump_database(platform, db_file)
        files_dir = platform.settings.files_dir
        files = {p.name: p for p in sorted(files_dir.glob("??/*")) if p.is_file() and not p.name.startswith(".")}
        broken = [sha for sha, path in files.items() if _sha256(path) != sha]
        if broken:
            raise Conflict(Text("Tệp lưu trữ bị hỏng (hash không khớp): %(files)s", files=", ".join(broken[:5])))
        secrets_file.write_bytes(sealer.seal(_secrets(platform)))
        manifest = {
            "format": FORMAT, "created_at": now.isoformat(), "database": kind, "database_sha256": _sha256(db_file),
            "files": {sha: path.stat().st_size for sha, path in files.items()},
            "secrets_sha256": _sha256(secrets_file), "kdf": sealer.header,
        }
        body = json.dumps(manifest, indent=2, sort_keys=True).encode()
        partial = directory / f".{name}.partial"
        with tarfile.open(partial, "w:gz") as archive:
            for member, content in ((_MANIFEST, body), (_MAC, sealer.mac(body).encode())):
                info = tarfile.TarInfo(member)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
            archive.add(db_file, arcname=_DATABASE)
            archive.add(secrets_file, arcname=_SECRETS)
            for sha, path in files.items():
                archive.add(path, arcname=f"files/{sha[:2]}/{sha}")
        final = directory / f"{name}.tar.gz"
        os.replace(partial, final)  # a crash leaves no half archive under the real name
    return final


def daily(platform: Platform, passphrase: str) -> Path | None:
    """The worker's daily backup: made by one worker, once a day, however many run; returns
    the archive if this call made it. The lock is held outside any transaction (a backup
    takes minutes), and today's archive is looked for under it."""
    settings = platform.settings
    with jobs.exclusive(platform.db, "daily-backup") as mine:
        if not mine or not due(settings.backup_dir, settings.backup_at, platform.clock.now()):
            return None
        path = create(platform, settings.backup_dir, platform.clock.now(), passphrase)
        prune(settings.backup_dir, settings.backup_keep)
        return path


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
    pki_dir = platform.settings.pki_dir
    if pki_dir.exists() and any(pki_dir.iterdir()):
        raise Conflict(Text("Thư mục khóa đích (%(path)s) đã có tệp; chỉ khôi phục vào bản cài đặt trống.",
                            path=pki_dir))


def _unpack(archive_path: Path, root: Path) -> None:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(root, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise InvalidData(_PARTIAL.format(f"không đọc được tệp nén ({err}).")) from None


def _checked(root: Path, passphrase: str) -> tuple[dict[str, Any], bytes]:
    """The authenticated manifest and the decrypted secrets; every member present and matching."""
    try:
        body, tag = (root / _MANIFEST).read_bytes(), (root / _MAC).read_text(encoding="ascii")
        manifest = json.loads(body)
    except (OSError, ValueError):
        raise InvalidData(_PARTIAL.format("thiếu hoặc hỏng manifest.")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidData("Bản sao lưu theo định dạng cũ, không chứa khóa ký và khóa bí mật; "
                          "hãy dùng bản sao lưu tạo bởi phiên bản này.")
    sealer = Sealer.of(passphrase, manifest.get("kdf"))
    sealer.check(body, tag)
    # Authenticated from here on: its hashes vouch for every other member.
    expected = {_MANIFEST, _MAC, _DATABASE, _SECRETS} | {f"files/{sha[:2]}/{sha}" for sha in manifest["files"]}
    present = {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir()}
    if missing := sorted(expected - present):
        raise InvalidData(_PARTIAL.format(f"thiếu {', '.join(missing[:5])}."))
    if extra := sorted(present - expected):
        raise InvalidData(_PARTIAL.format(f"có tệp không thuộc manifest: {', '.join(extra[:5])}."))
    if _sha256(root / _DATABASE) != manifest["database_sha256"]:
        raise InvalidData(_PARTIAL.format("cơ sở dữ liệu không khớp manifest."))
    if _sha256(root / _SECRETS) != manifest["secrets_sha256"]:
        raise InvalidData(_PARTIAL.format("phần khóa mã hóa không khớp manifest."))
    for sha in manifest["files"]:
        if _sha256(root / "files" / sha[:2] / sha) != sha:
            raise InvalidData(_PARTIAL.format(f"tệp {sha} không khớp hash."))
    return manifest, sealer.open((root / _SECRETS).read_bytes())


def restore(platform: Platform, archive_path: Path, passphrase: str) -> RestoreReport:
    """Restore an archive into an empty installation, checking all of it before writing anything."""
    _ensure_empty(platform)
    settings = platform.settings
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "archive"
        _unpack(archive_path, root)
        manifest, secrets = _checked(root, passphrase)
        kind = "sqlite" if platform.db.is_sqlite else "postgresql"
        if manifest["database"] != kind:
            raise InvalidData(Text("Bản sao lưu là của %(source)s, bản cài đặt đích dùng %(target)s.",
                                   source=manifest["database"], target=kind))
        keys = Path(work) / "secrets"
        with tarfile.open(fileobj=io.BytesIO(secrets)) as tar:
            tar.extractall(keys, filter="data")
        platform.db.dispose()
        if kind == "sqlite":
            target_db = make_url(settings.database_url).database or ""
            for leftover in (f"{target_db}-wal", f"{target_db}-shm"):
                if os.path.exists(leftover):
                    os.unlink(leftover)
            shutil.copyfile(root / _DATABASE, target_db)
        else:
            subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                            "--dbname", _libpq_url(settings.database_url), str(root / _DATABASE)],
                           check=True, capture_output=True, timeout=3600)
        for sha in manifest["files"]:
            target = settings.files_dir / sha[:2] / sha
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / "files" / sha[:2] / sha, target)
        if (keys / "pki").is_dir():
            shutil.copytree(keys / "pki", settings.pki_dir, dirs_exist_ok=True)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        install_secret_key(settings.data_dir, (keys / "secret_key").read_text(encoding="ascii"))
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
