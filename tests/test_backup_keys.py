"""A backup holds the keys (issue 11, item 3): restored into an empty installation, the PKI
folder and the secret key come back, and a leader signs and the clerk issues there with
signatures pyHanko and pdfsig accept; a partial or altered archive, or a wrong passphrase, is
refused with a clear message before anything is written."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from sqlalchemy import inspect

from engine.core import backup
from engine.core.clock import FakeClock
from engine.core.config import Settings
from engine.core.errors import InvalidData
from engine.core.platform import Platform
from engine.core.secret_key import secret_key
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests.conftest import Api
from tests.flows import attach_pdf, complete, only_task, start, to_director
from tests.test_backup import PASSPHRASE
from webui import create_app


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _empty_installation(url: str, tmp_path: Path, clock: FakeClock) -> Platform:
    return Platform.from_settings(Settings(database_url=url, data_dir=tmp_path / "restored"), FakeClock(clock.now()))


def test_a_restored_installation_signs_and_issues(
    platform: Platform, empty_database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    key = secret_key(platform.settings.data_dir, {})
    archive = backup.create(platform, tmp_path / "backups", clock.now(), PASSPHRASE)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        sealed = tar.extractfile("secrets.enc").read()  # type: ignore[union-attr]
    assert {"manifest.json", "manifest.mac", "database", "secrets.enc"} <= set(names)
    assert not any(n.endswith(".p12") or "secret_key" in n for n in names)  # the keys travel encrypted only
    assert b"BEGIN CERTIFICATE" not in sealed and key.encode() not in sealed

    restored = _empty_installation(empty_database_url, tmp_path, clock)
    assert restored.settings.pki_dir != platform.settings.pki_dir
    backup.restore(restored, archive, PASSPHRASE)
    assert _tree(restored.settings.pki_dir) == _tree(platform.settings.pki_dir)
    app = create_app(restored)
    assert app.secret_key == key  # the pages' sessions survive the move

    api = Api(app.test_client())
    case = to_director(api)
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    case = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    assert (case["status"], case["document"]["status"], case["document"]["signature_status"]) == (
        "completed", "issued", "valid")
    main = next(f for f in case["document"]["files"] if f["role"] == "main")
    pdf = bytes(api.get("btl_clerk", f"/api/v1/documents/{case['document']['id']}/files/{main['id']}").data)
    roots = [x509.load_pem_x509_certificate((restored.settings.pki_dir / "root.pem").read_bytes())]
    assert [(r.field, r.valid, r.trusted, r.intact) for r in verify_pdf(pdf, roots)] == [
        ("LanhDao", True, True, True), ("CoQuan", True, True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)] * 2
    restored.db.dispose()


Members = dict[str, bytes]


def _repack(archive: Path, target: Path, change: Callable[[Members], None]) -> Path:
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    change(members)
    with tarfile.open(target, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return target


def _first_file(members: Members) -> str:
    return next(n for n in members if n.startswith("files/"))


def _flip(content: bytes) -> bytes:
    return content[:-1] + bytes([content[-1] ^ 1])


def _manifest_with_new_hashes(members: Members) -> None:
    """An attacker's edit: a changed database, the manifest's hash updated to match it."""
    members["database"] = _flip(members["database"])
    manifest = json.loads(members["manifest.json"])
    manifest["database_sha256"] = hashlib.sha256(members["database"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()


def _old_format(members: Members) -> None:
    manifest = json.loads(members["manifest.json"])
    manifest["format"] = 1
    members["manifest.json"] = json.dumps(manifest).encode()


BROKEN: dict[str, tuple[Callable[[Members], None], str]] = {
    "file missing": (lambda m: m.pop(_first_file(m)), "thiếu files/"),
    "database missing": (lambda m: m.pop("database"), "thiếu database"),
    "keys missing": (lambda m: m.pop("secrets.enc"), "thiếu secrets.enc"),
    "manifest missing": (lambda m: m.pop("manifest.json"), "thiếu hoặc hỏng manifest"),
    "file changed": (lambda m: m.update({_first_file(m): _flip(m[_first_file(m)])}), "không khớp hash"),
    "database changed": (lambda m: m.update(database=_flip(m["database"])), "cơ sở dữ liệu không khớp"),
    "keys changed": (lambda m: m.update({"secrets.enc": _flip(m["secrets.enc"])}), "phần khóa mã hóa không khớp"),
    "manifest rewritten": (_manifest_with_new_hashes, "đã bị sửa đổi"),
    "a member added": (lambda m: m.update({"files/00/extra": b"x"}), "không thuộc manifest"),
    "an old archive": (_old_format, "định dạng cũ"),
}


def test_restore_refuses_a_partial_or_altered_archive(
    api: Api, platform: Platform, empty_database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    attach_pdf(api, "btl_spec_khnv", start(api))  # a stored file in the archive
    archive = backup.create(platform, tmp_path / "backups", clock.now(), PASSPHRASE)
    restored = _empty_installation(empty_database_url, tmp_path, clock)

    def refused(path: Path, passphrase: str = PASSPHRASE) -> str:
        with pytest.raises(InvalidData) as caught:
            backup.restore(restored, path, passphrase)
        # Nothing was written: the installation is as empty as before.
        assert inspect(restored.db.engine).get_table_names() == []
        assert not any(restored.settings.files_dir.rglob("*")) and not restored.settings.pki_dir.exists()
        return caught.value.message

    assert "Sai cụm mật khẩu" in refused(archive, "một cụm mật khẩu khác")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "không đầy đủ" in refused(truncated)
    for name, (change, message) in BROKEN.items():
        assert message in refused(_repack(archive, tmp_path / f"{name}.tar.gz", change)), name
    backup.restore(restored, archive, PASSPHRASE)  # the intact archive still restores
    restored.db.dispose()
