"""``qlvb pki init``: a marked TEST root, an intermediate, PKCS#12 files with a password, and the
signature and seal images."""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner
from cryptography import x509
from cryptography.x509.oid import NameOID
from PIL import Image

from qlvb.cli import main
from signing.keystore import pki
from signing.keystore.keys import Pkcs12Key


def _colours(png: Path) -> tuple[int, set[str]]:
    """Transparent pixels, and the dominant channel of the opaque ones."""
    image = Image.open(io.BytesIO(png.read_bytes())).convert("RGBA")
    raw = image.tobytes()
    pixels = [raw[i:i + 4] for i in range(0, len(raw), 4)]
    transparent = sum(1 for p in pixels if p[3] == 0)
    dominant = {"rgb"[max(range(3), key=lambda c: p[c])] for p in pixels if p[3] > 200}
    return transparent, dominant


def test_pki_init_writes_root_people_and_agencies(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["pki", "init", "--dir", str(tmp_path / "pki"), "--password", "Thử@123",
                                       "--person", "Đỗ Thị Mai", "--agency", "Ủy ban nhân dân xã Vạn Phước"])
    assert result.exit_code == 0, result.output
    root_pem = tmp_path / "pki" / "root.pem"
    assert str(root_pem) in result.output
    root = x509.load_pem_x509_certificate(root_pem.read_bytes())
    assert "TEST" in root.subject.rfc4514_string() and "KHÔNG DÙNG THẬT" in root.subject.rfc4514_string()

    manifest = json.loads((tmp_path / "pki" / "manifest.json").read_text(encoding="utf-8"))
    person = manifest["people"]["do-thi-mai"]
    key = Pkcs12Key.from_file(Path(person["p12"]), "Thử@123")
    assert key.certificate.subject.native["common_name"] == "Đỗ Thị Mai"
    assert [c.subject.native["common_name"] for c in key.chain] == [pki.INTERMEDIATE_NAME, pki.ROOT_NAME]
    transparent, dominant = _colours(Path(person["image"]))
    assert transparent > 0 and dominant == {"b"}  # blue on transparent

    agency = manifest["agencies"]["uy-ban-nhan-dan-xa-van-phuoc"]
    cert = Pkcs12Key.from_file(Path(agency["p12"]), "Thử@123").certificate
    assert cert.subject.native["common_name"] == "Ủy ban nhân dân xã Vạn Phước"
    transparent, dominant = _colours(Path(agency["image"]))
    assert transparent > 0 and dominant == {"r"}  # red on transparent


def test_default_holders_are_the_demo_certificate_holders(tmp_path: Path) -> None:
    from engine import demo

    result = CliRunner().invoke(main, ["pki", "init"], env={"QLVB_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "pki" / "manifest.json").read_text(encoding="utf-8"))
    holders = {u for a in demo.AGENCIES for u, _, _, _, has_certificate in a.staff if has_certificate}
    assert set(manifest["people"]) == holders
    assert set(manifest["agencies"]) == {a.code for a in demo.AGENCIES}
    leaf = x509.load_der_x509_certificate(
        Pkcs12Key.from_file(Path(manifest["people"]["btl_director"]["p12"]), demo.DEMO_PASSWORD).certificate.dump())
    assert leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Trung tâm Y tế quận Bắc Từ Liêm"


def test_slug() -> None:
    assert pki.slug("Đỗ Thị Mai") == "do-thi-mai"
