"""The trust store and the signing settings (issue 16 item 5): an agency's administrator adds a
CA certificate (PEM or DER, fingerprint shown) and removes it; a signature under a root added
this way verifies, and no longer once it is removed; the national and the Ban Cơ yếu roots sit
side by side; the demo keeps its marked test root; non-administrators cannot touch it; the
worker time-stamps archived documents (B-LTA)."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import Agency, Document, FileVersion, TrustAnchor
from engine.signatures import archive, signing_settings, trust_store
from engine.signatures.keys import Keys
from qlvb.cli import main
from signing.keystore import pki
from signing.keystore.testca import LocalCaServer
from signing.pades import verify
from tests.conftest import START, Api
from tests.flows import complete, only_task, to_director
from tests.test_admin import Admin


def _btl(platform: Platform) -> int:
    with platform.db.read() as session:
        return int(session.scalars(select(Agency.id).where(Agency.code == "btl")).one())


def test_an_administrator_adds_and_removes_roots_side_by_side_with_fingerprints(platform: Platform) -> None:
    admin = Admin(platform, "btl_admin")
    national = pki.create_root("Root CA quốc gia (THỬ NGHIỆM)").certificate
    cipher = pki.create_root("Root CA chuyên dùng Chính phủ (THỬ NGHIỆM)").certificate
    intermediate = pki.create_intermediate(pki.create_root()).certificate
    admin.post("/admin/signing/anchors", {"agency": "btl", "label": "NEAC", "certificate":
                                          (io.BytesIO(national.public_bytes(Encoding.PEM)), "neac.pem")})
    admin.post("/admin/signing/anchors", {"agency": "btl", "label": "Ban Cơ yếu", "certificate":
                                          (io.BytesIO(cipher.public_bytes(Encoding.DER)), "bcy.cer")})
    admin.post("/admin/signing/anchors", {"agency": "btl", "label": "CA trung gian", "certificate":
                                          (io.BytesIO(intermediate.public_bytes(Encoding.DER)), "ca.cer")})
    page = admin.get("/admin/signing?agency=btl")
    for cert in (national, cipher, intermediate):
        assert hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest() in page
    with platform.db.read() as session:
        rows = trust_store.listed(session, _btl(platform))
        assert [(r.label, r.kind) for r in rows] == [("NEAC", "root"), ("Ban Cơ yếu", "root"),
                                                     ("CA trung gian", "intermediate")]
        keys = trust_store.keys_for(session, Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots)),
                                    _btl(platform))
        assert len(keys.trust_roots()) == 3  # the demo's marked test root stays, beside the two
        assert keys.intermediates()[-1] == intermediate
    again = admin.post("/admin/signing/anchors", {"agency": "btl", "certificate": (
        io.BytesIO(national.public_bytes(Encoding.DER)), "neac.cer")}, status=409)
    assert "đã có trong kho tin cậy" in again
    leaf = pki.issue(pki.create_intermediate(pki.create_root()), "Nguyễn Văn A").certificate
    refused = admin.post("/admin/signing/anchors", {"agency": "btl", "certificate": (
        io.BytesIO(leaf.public_bytes(Encoding.PEM)), "leaf.pem")}, status=422)
    assert "không phải của tổ chức chứng thực" in refused
    admin.post(f"/admin/signing/anchors/{rows[0].id}/remove", {"agency": "btl"})
    with platform.db.read() as session:
        assert [r.label for r in trust_store.listed(session, _btl(platform))] == ["Ban Cơ yếu", "CA trung gian"]


def test_a_root_in_the_trust_store_makes_its_signatures_valid_until_removed(platform: Platform) -> None:
    from tests import signing_support
    from tests.signing_support import fully_signed  # signed under a root the platform does not know
    root = signing_support.demo_pki().root.certificate
    keys = Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots))
    with platform.db.write() as session:
        assert not any(r.valid for r in verify.verify_pdf(fully_signed(), trust_store.keys_for(
            session, keys, _btl(platform)).trust_roots()))
        row = trust_store.add(session, _btl(platform), root.public_bytes(Encoding.DER), "", None, START)
        assert all(r.valid for r in verify.verify_pdf(fully_signed(), trust_store.keys_for(
            session, keys, _btl(platform)).trust_roots()))
        trust_store.remove(session, _btl(platform), row.id, None, START)
        assert session.scalar(select(TrustAnchor)) is None


def test_only_administrators_keep_the_trust_store_and_settings(platform: Platform) -> None:
    clerk = Admin(platform, "btl_clerk")
    clerk.get("/admin/signing?agency=btl", status=403)
    clerk.post("/admin/signing/settings", {"agency": "btl", "tsa_url": "http://127.0.0.1:1/tsa",
                                           "unreachable_policy": "warn"}, status=403)
    admin = Admin(platform, "btl_admin")
    bad = admin.post("/admin/signing/settings", {"agency": "btl", "tsa_url": "ftp://x", "unreachable_policy": "warn"},
                     status=422)
    assert "Địa chỉ máy chủ cấp dấu thời gian không hợp lệ" in bad
    admin.post("/admin/signing/settings", {"agency": "btl", "tsa_url": "http://127.0.0.1:8501/tsa",
                                           "unreachable_policy": "refuse"})
    with platform.db.read() as session:
        assert signing_settings.describe(session, _btl(platform)) == {
            "tsa_url": "http://127.0.0.1:8501/tsa", "unreachable_policy": "refuse"}


def test_the_worker_time_stamps_an_archived_document_and_renews_it_before_the_tsa_expires(
        api: Api, platform: Platform) -> None:
    case = to_director(api)
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    case = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    document_id = case["document"]["id"]
    store = FileStore(platform.settings.files_dir)
    keys = Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots))
    with LocalCaServer(now=START - timedelta(days=60)) as ca:
        with platform.db.write() as session:
            signing_settings.update(session, _btl(platform), ca.tsa_url, "warn", None, START)
            trust_store.add(session, _btl(platform), ca.root.certificate.public_bytes(Encoding.DER), "TSA", None,
                            START)
            keys = trust_store.keys_for(session, keys, _btl(platform))
        made = api.post("btl_clerk", "/api/v1/records", {"notation": "01.VP", "title": "Hồ sơ lưu trữ",
                                                          "retention": "Vĩnh viễn", "access": "Hạn chế"})
        assert made.status_code == 201, made.get_json()
        record = made.get_json()["id"]
        assert api.post("btl_clerk", f"/api/v1/records/{record}/documents",
                        {"document_id": document_id}).status_code == 201
        assert archive.sweep(platform.db, store, keys, platform.clock.now()) == 0  # not handed over yet
        handed = api.client.patch(f"/api/v1/records/{record}", json={"archived": True},
                                  headers={"Authorization": f"Bearer {api.token('btl_clerk')}"})
        assert handed.status_code == 200, handed.get_json()
        assert archive.sweep(platform.db, store, keys, platform.clock.now()) == 1
        assert archive.sweep(platform.db, store, keys, platform.clock.now()) == 0  # far from the TSA's expiry
        later = ca.tsa.certificate.not_valid_after_utc - timedelta(days=30)
        assert archive.sweep(platform.db, store, keys, later) == 1
    with platform.db.read() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        main = next(f for f in doc.files if f.role == "main")
        reasons = list(session.scalars(select(FileVersion.reason).where(FileVersion.document_id == document_id)
                                       .order_by(FileVersion.seq)))
    assert reasons[-2:] == ["archive_timestamp", "archive_timestamp"]
    pdf = store.path(main.sha256).read_bytes()
    assert len(PdfFileReader(io.BytesIO(pdf)).embedded_timestamp_signatures) == 2
    reports = verify.verify_pdf(pdf, keys.trust_roots(), platform.clock.now())
    assert [(r.field, r.valid) for r in reports] == [("LanhDao", True), ("CoQuan", True)]


def test_the_operator_adds_and_removes_a_root_for_every_agency_with_qlvb_trust(platform: Platform,
                                                                               tmp_path: Path) -> None:
    """``qlvb trust add`` without ``--agency``: the installation's anchor, trusted by every agency
    beside its own; listed with its fingerprint; ``remove`` takes it out of every agency's store."""
    national = pki.create_root("Root CA quốc gia (THỬ NGHIỆM)").certificate
    der = national.public_bytes(Encoding.DER)
    (tmp_path / "rootca.cer").write_bytes(der)
    env = {"QLVB_DATABASE_URL": platform.settings.database_url, "QLVB_DATA_DIR": str(platform.settings.data_dir),
           "QLVB_PKI_DIR": str(platform.settings.pki_dir)}
    added = CliRunner().invoke(main, ["trust", "add", str(tmp_path / "rootca.cer"), "--label", "Root CA quốc gia"],
                               env=env)
    assert added.exit_code == 0, added.output
    anchor_id, kind, fingerprint = added.output.split("\t")[:3]
    assert (kind, fingerprint) == ("root", hashlib.sha256(der).hexdigest())
    listed = CliRunner().invoke(main, ["trust", "list", "--agency", "dongnai"], env=env)
    assert f"{anchor_id}\tinstallation\troot\t{fingerprint}" in listed.output and "Root CA quốc gia" in listed.output
    again = CliRunner().invoke(main, ["trust", "add", str(tmp_path / "rootca.cer")], env=env)
    assert again.exit_code != 0 and "đã có trong kho tin cậy" in again.output
    keys = Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots))

    def trusted(code: str) -> bool:
        with platform.db.read() as session:
            agency_id = session.scalars(select(Agency.id).where(Agency.code == code)).one()
            return der in trust_store.keys_for(session, keys, agency_id).trust_roots()

    assert trusted("btl") and trusted("dongnai")
    removed = CliRunner().invoke(main, ["trust", "remove", anchor_id], env=env)
    assert removed.exit_code == 0, removed.output
    assert not trusted("btl") and not trusted("dongnai")
