"""Helpers of the exchange tests: a directory entry between two agencies (one installation or
two), the agencies' package-signing key, and an issued Bắc Từ Liêm document with an electronic
recipient of another installation; the in-process loop between two agencies of one installation
that stands for two installations (each in the other's directory, a transport handing the package
to the receiving side's import)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from sqlalchemy import select

from engine import demo
from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import Agency, OutboxItem, Partner
from exchange import codec, inbound, outbox
from exchange.transport import Envelope, Outcome
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
    path.chmod(0o600)  # a password file others may read is refused
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


@dataclass
class Loopback:
    """A transport that delivers into the same platform's import, as the HTTP endpoint would."""

    platform: Platform
    down: bool = False

    def send(self, to: Partner, envelope: Envelope) -> Outcome:
        if self.down:
            return Outcome(False, retry=True, error="Không kết nối được")
        with self.platform.db.read() as session:
            # The receiving agency's directory entry of the sender, as the endpoint finds it.
            entry = session.scalars(select(Partner).join(Agency, Agency.id == Partner.agency_id).where(
                Agency.identifier_code == envelope.recipient_organ, Partner.organ_id == envelope.sender_organ)).one()
            session.expunge(entry)
        reply = inbound.receive(self.platform, entry.agency_id, entry, envelope.recipient_organ, envelope.package,
                                codec.parse)
        if reply.http >= 400:
            return Outcome(False, retry=False, error=reply.body["description"], answer=reply.body)
        return Outcome(True, answer=reply.body)


@pytest.fixture
def linked(api: Api, platform: Platform, demo_pki: Any, tmp_path: Any) -> Iterator[Platform]:
    """Bắc Từ Liêm and Vạn Ninh, each in the other's directory, with the signing key's password."""
    os.environ[SECRET_ENV] = SECRET
    pki = platform.settings.pki_dir
    r = api.client.put("/api/v1/exchange/partners/btl", headers={"Authorization": f"Bearer {api.token('btl_admin')}"},
                       json=partner(VANNINH, "UBND huyện Vạn Ninh", "http://b/", agency_certificate(pki, "vanninh")))
    assert r.status_code == 200, r.get_json()
    with platform.db.write() as session:  # Vạn Ninh has no administrator in the demo: its entry by hand
        vanninh = session.scalars(select(Agency).where(Agency.code == "vanninh")).one()
        session.add(Partner(agency_id=vanninh.id, organ_id=BTL, name="Trung tâm Y tế quận Bắc Từ Liêm",
                            transport="http", endpoint="http://a/", certificate_pem=agency_certificate(pki, "btl"),
                            credentials_ref=f"env:{SECRET_ENV}", active=True, updated_at=platform.clock.now()))
    platform.settings = replace(platform.settings, exchange_key_password_file=password_file(tmp_path),
                                exchange_retry_seconds=1.0)
    yield platform
    os.environ.pop(SECRET_ENV, None)


def sweep(platform: Platform, transport: Loopback) -> int:
    """One outbox sweep through ``transport``; returns the packages delivered."""
    store = FileStore(platform.settings.files_dir)

    def put(data: bytes) -> str:
        return store.put(io.BytesIO(data), 1 << 30, lambda _h: None)[0]

    return outbox.run(platform.db, platform.clock.now, codec.preparer(platform), put,
                      lambda sha: store.path(sha).read_bytes(), lambda _p: transport, 1.0)


def built_package(api: Api, platform: Platform) -> tuple[dict[str, Any], bytes]:
    """A Bắc Từ Liêm document issued to Vạn Ninh and its package, built and signed by the
    outbox but not delivered (the receiver down): the issued document and the package's bytes."""
    sent: dict[str, Any] = issue_to(api, [TO_VANNINH])["document"]
    assert sweep(platform, Loopback(platform, down=True)) == 0
    with platform.db.read() as session:
        sha = session.scalars(select(OutboxItem.package_sha256).where(OutboxItem.document_id == sent["id"],
                                                                      OutboxItem.kind == "edoc")).one()
    assert sha is not None
    return sent, FileStore(platform.settings.files_dir).path(sha).read_bytes()
