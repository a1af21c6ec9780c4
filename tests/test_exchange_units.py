"""The small rules of liên thông between installations: the HMAC of the HTTP transport, the
back-off, the milestone property and its check at deploy, the directory's validation and
rights, and the folder transport end to end (through an adapter that moves the files)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import demo
from engine.core.config import EXCHANGE_KEY_CREDENTIAL, Settings
from engine.core.platform import Platform
from engine.models import Agency, OutboxItem, Partner, StatusEntry
from engine.workflow import bpmn_check
from exchange import codec, milestones, outbox, worker
from exchange import hooks as exchange_hooks
from exchange.transport import auth
from tests.conftest import Api
from tests.exchange_support import BTL, TO_VANNINH, VANNINH, agency_certificate, issue_to, partner, password_file


def test_the_hmac_vouches_for_the_body_the_parties_and_the_time() -> None:
    secret, body = b"khoa-chung", b"<edXML/>"
    headers = auth.sign(secret, BTL, VANNINH, 1_000_000, body)
    assert auth.verify(secret, headers, body, 1_000_100) is None
    assert auth.verify(secret, headers, body + b" ", 1_000_100) == "mã xác thực (HMAC) không đúng"
    assert auth.verify(b"khoa-khac", headers, body, 1_000_100) == "mã xác thực (HMAC) không đúng"
    assert auth.verify(secret, {**headers, auth.TO: "000.99.03.H55"}, body, 1_000_100) is not None
    assert auth.verify(secret, headers, body, 1_000_000 + auth.SKEW_SECONDS + 1) is not None


def test_back_off_doubles_up_to_an_hour() -> None:
    assert [outbox.delay(n, 5).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert outbox.delay(30, 5) == timedelta(hours=1)


def test_the_milestone_property_and_its_check_at_deploy(tmp_path: Path) -> None:
    assert milestones.parse("open:05, complete[issue]:06") == [("open", None, "05"), ("complete", "issue", "06")]
    for bad in ("open:03", "done:04", "open[issue]:05", "complete:6"):
        with pytest.raises(ValueError):
            milestones.parse(bad)
    exchange_hooks.install()  # as every process does when it starts (tests/test_exchange_hooks.py)
    root = Path(__file__).resolve().parent.parent
    text = (root / "processes/van_ninh/vn_five_step.bpmn").read_text(encoding="utf-8")
    bad_file = tmp_path / "vn_five_step.bpmn"
    bad_file.write_text(text.replace('value="complete:04"', 'value="complete:02"'), encoding="utf-8")
    checked = bpmn_check.check_files([bad_file], root / "forms", 2 << 20)
    assert [(p.element, "edxmlStatus" in p.message) for p in checked[0].problems] == [("leader_assign", True)]


def test_the_directory_is_validated_and_kept_by_administrators(api: Api) -> None:
    good = partner("000.00.00.G22", "Văn phòng Chính phủ", "https://vpcp.example/api/v1/exchange/edxml", "")
    headers = {"Authorization": f"Bearer {api.token('btl_admin')}"}
    for change, field in (({"organ_id": "G22"}, "organ_id"), ({"endpoint": "ftp://x"}, "endpoint"),
                          ({"credentials_ref": ""}, "credentials_ref"), ({"certificate_pem": "không phải PEM"},
                                                                         "certificate_pem")):
        r = api.client.put("/api/v1/exchange/partners/btl", json={**good, **change}, headers=headers)
        assert r.status_code == 422 and field in r.get_json()["fields"], (change, r.get_json())
    assert api.client.put("/api/v1/exchange/partners/btl", json=good, headers=headers).status_code == 200
    assert [p["organ_id"] for p in api.get("btl_admin", "/api/v1/exchange/partners/btl").get_json()["items"]] == [
        "000.00.00.G22"]
    assert api.get("btl_clerk", "/api/v1/exchange/partners/btl").status_code == 403
    assert api.get("qn_admin", "/api/v1/exchange/partners/btl").status_code == 404


@pytest.fixture
def folders(platform: Platform, tmp_path: Path) -> tuple[Platform, Path, Path]:
    """Bắc Từ Liêm and Vạn Ninh each reach the other through a provincial platform's folders."""
    pki = platform.settings.pki_dir
    btl_folder, vn_folder = tmp_path / "truc-btl", tmp_path / "truc-vanninh"
    with platform.db.write() as session:
        ids = dict(session.execute(select(Agency.code, Agency.id)).all())
        for agency, organ, name, folder, code in (("btl", VANNINH, "UBND huyện Vạn Ninh", btl_folder, "vanninh"),
                                                  ("vanninh", BTL, "TTYT Bắc Từ Liêm", vn_folder, "btl")):
            session.add(Partner(agency_id=ids[agency], organ_id=organ, name=name, transport="folder",
                                endpoint=str(folder), certificate_pem=agency_certificate(pki, code), credentials_ref="",
                                active=True, updated_at=platform.clock.now()))
    platform.settings = replace(platform.settings, exchange_key_password_file=password_file(tmp_path))
    return platform, btl_folder, vn_folder


def _carry(source: Path, target: Path) -> int:
    """The adapter: what one side left in its outbox reaches the other's inbox."""
    (target / "inbox").mkdir(parents=True, exist_ok=True)
    moved = 0
    for path in sorted((source / "outbox").glob("*.edxml")):
        shutil.move(path, target / "inbox" / path.name)
        moved += 1
    return moved


def test_the_folder_transport_for_a_provincial_platform(api: Api, folders: tuple[Platform, Path, Path]) -> None:
    platform, btl_folder, vn_folder = folders
    sent = issue_to(api, [TO_VANNINH])["document"]
    worker.sweep(platform)
    assert _carry(btl_folder, vn_folder) == 1
    # A damaged package in the inbox is set aside with its reason, nothing imported.
    (vn_folder / "inbox" / "hong.edxml").write_bytes(b"<edXML><khong-hop-le")
    worker.sweep(platform)
    assert [p.name for p in (vn_folder / "inbox" / "refused").iterdir()] == ["hong.edxml", "hong.edxml.reason.txt"]
    assert "XML" in (vn_folder / "inbox" / "refused" / "hong.edxml.reason.txt").read_text(encoding="utf-8")
    items = api.get("vn_clerk", "/api/v1/exchange/incoming").get_json()["items"]
    assert [i["document"]["number_symbol"] for i in items] == [sent["number_symbol"]]
    worker.sweep(platform)  # Vạn Ninh's 01 into its outbox folder
    assert _carry(vn_folder, btl_folder) == 1
    worker.sweep(platform)
    with platform.db.read() as session:
        assert list(session.scalars(select(StatusEntry.code).where(StatusEntry.document_id == sent["id"]))) == ["01"]
    assert os.listdir(btl_folder / "inbox" / "done")  # the status package, read and set aside


def test_the_key_password_from_a_systemd_credential_never_from_a_file_others_read(demo_pki: Path,
                                                                                   tmp_path: Path) -> None:
    env = {"QLVB_DATABASE_URL": "sqlite://", "QLVB_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(env).exchange_key_password_file is None
    # LoadCredential=qlvb-exchange-key-password:/etc/qlvb/… : systemd's copy, the service's alone.
    credentials_dir = tmp_path / "credentials"
    credentials_dir.mkdir()
    credential = credentials_dir / EXCHANGE_KEY_CREDENTIAL
    credential.write_text(demo.DEMO_PASSWORD + "\n", encoding="utf-8")
    credential.chmod(0o400)
    found = Settings.from_env({**env, "CREDENTIALS_DIRECTORY": str(credentials_dir)}).exchange_key_password_file
    assert found == credential
    assert codec.signer(demo_pki, found, "btl").certificate.subject
    # The operator's file, when named, comes first.
    named = password_file(tmp_path)
    assert Settings.from_env({**env, "CREDENTIALS_DIRECTORY": str(credentials_dir),
                              "QLVB_EXCHANGE_KEY_PASSWORD_FILE": str(named)}).exchange_key_password_file == named
    named.chmod(0o640)  # the service's group may read it
    assert codec.signer(demo_pki, named, "btl").certificate.subject
    for mode in (0o644, 0o602):  # anyone on the machine may read (or write) it: refused, with the way out
        named.chmod(mode)
        with pytest.raises(codec.KeyMissing, match="chmod o-rwx") as caught:
            codec.signer(demo_pki, named, "btl")
        assert oct(mode)[2:] in str(caught.value) and "LoadCredential" in str(caught.value)
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    empty.chmod(0o600)
    with pytest.raises(codec.KeyMissing, match="trống"):
        codec.signer(demo_pki, empty, "btl")


def test_a_refused_password_file_keeps_the_package_waiting_with_the_reason(
        api: Api, folders: tuple[Platform, Path, Path]) -> None:
    platform = folders[0]
    assert platform.settings.exchange_key_password_file is not None
    platform.settings.exchange_key_password_file.chmod(0o644)
    sent = issue_to(api, [TO_VANNINH])["document"]
    worker.sweep(platform)
    with platform.db.read() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.document_id == sent["id"])).one()
        assert (item.state, item.attempts, item.package_sha256) == ("pending", 1, None)
        assert "chmod o-rwx" in (item.last_error or "")


def test_the_worker_says_at_its_start_that_the_password_file_is_refused(platform: Platform, tmp_path: Path) -> None:
    named = password_file(tmp_path)
    named.chmod(0o644)
    env = {**os.environ, "QLVB_DATABASE_URL": platform.settings.database_url,
           "QLVB_DATA_DIR": str(platform.settings.data_dir), "QLVB_EXCHANGE_KEY_PASSWORD_FILE": str(named)}
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-m", "qlvb", "worker", "--once", "--no-backup"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "CẢNH BÁO" in result.stderr and "chmod o-rwx" in result.stderr and str(named) in result.stderr
