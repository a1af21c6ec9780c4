"""Helpers of the exchange tests: a directory entry between two agencies (one installation or
two), the agencies' package-signing key, and an issued Bắc Từ Liêm document with an electronic
recipient of another installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from engine import demo
from tests.conftest import Api
from tests.flows import DRAFT, attach_pdf, complete, only_task, start

SECRET_ENV = "QLVB_TEST_EXCHANGE_SECRET"
SECRET = "bí-mật-chung-của-hai-cơ-quan"
BTL, VANNINH = "000.99.01.H26", "000.99.05.H34"
TO_VANNINH = {"name": "Ủy ban nhân dân huyện Vạn Ninh", "organ_id": VANNINH, "delivery": "electronic"}


def agency_certificate(pki: Path, code: str) -> str:
    _, cert, _ = pkcs12.load_key_and_certificates((pki / "agencies" / f"{code}.p12").read_bytes(),
                                                  demo.DEMO_PASSWORD.encode())
    assert cert is not None
    return cert.public_bytes(Encoding.PEM).decode()


def password_file(folder: Path) -> Path:
    path = folder / "exchange-key-password"
    path.write_text(demo.DEMO_PASSWORD + "\n", encoding="utf-8")
    return path


def partner(organ_id: str, name: str, endpoint: str, certificate: str, transport: str = "http") -> dict[str, Any]:
    return {"organ_id": organ_id, "name": name, "transport": transport, "endpoint": endpoint,
            "certificate_pem": certificate, "credentials_ref": f"env:{SECRET_ENV}" if transport == "http" else "",
            "active": True}


def issue_to(api: Api, recipients: list[dict[str, Any]], subject: str = DRAFT["subject"]) -> dict[str, Any]:
    """Bắc Từ Liêm outgoing on the deputy's path, issued to ``recipients``; returns the case."""
    draft = {**DRAFT, "subject": subject}
    case = start(api, "btl_spec_ksdb", draft)
    attach_pdf(api, "btl_spec_ksdb", case)
    case = complete(api, "btl_spec_ksdb", only_task(case), draft)
    case = complete(api, "btl_head_ksdb", only_task(case), {"decision": "approve", "route": "deputy_director"})
    case = complete(api, "btl_deputy1", only_task(case), {"decision": "sign"})
    return complete(api, "btl_clerk", only_task(case), {"decision": "issue", "recipients": recipients})
