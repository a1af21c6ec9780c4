"""Every bad package of issue 15 item 5 through the platform's import (exchange.inbound, which
the HTTP endpoint and the folder transport call once the sender is authenticated): refused with
status 02 and its reason in Vietnamese, audited (``exchange_refused``), nothing stored — no
document, no received entry, no file. The library's own refusals are tests/test_edxml_refusals.py."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select

from engine.core.platform import Platform
from engine.models import AuditEntry, Document, Partner, Received
from exchange import codec, edxml, inbound
from exchange.edxml import dsig
from exchange.edxml.names import NS, ds, q
from exchange.transport import auth
from tests.conftest import Api
from tests.exchange_support import BTL, SECRET, VANNINH, built_package, linked  # noqa: F401

VIETNAMESE = set("ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệỉịọỏốồổộớờởợụủứừửựỳỷỹ")


def _state(platform: Platform) -> tuple[int, int, int, int]:
    with platform.db.read() as session:
        count = [int(session.scalar(select(func.count()).select_from(m)) or 0) for m in (Document, Received)]
        refused = session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "exchange_refused")) or 0
    files = sum(1 for p in platform.settings.files_dir.rglob("*") if p.is_file())
    return count[0], count[1], int(refused), files


def _resigned(data: bytes, change: Callable[[etree._Element], object], key: dsig.XmlKey) -> bytes:
    """``data`` changed, then signed anew by ``key``: what a sender whose software wrote it so sends."""
    root = etree.fromstring(data)
    change(root)
    old = root.find(f".//{ds('Signature')}")
    assert old is not None
    header = old.getparent()
    assert header is not None
    header.remove(old)
    dsig.add_placeholder(header)
    return etree.tostring(dsig.sign(root, key), xml_declaration=True, encoding="utf-8")


def _other_file(root: etree._Element) -> None:
    # Another valid PDF in place of the main file; the manifest's SHA-256 left as it was.
    attachment = root.find(f"{q('AttachmentEncoded')}/{q('Attachment')}")
    assert attachment is not None
    attachment.find(q("ContentTransferEncoded")).text = "JVBERi0xLjQKJSBhbm90aGVyIGZpbGUK"  # type: ignore[union-attr]


def test_every_bad_package_is_refused_audited_and_nothing_stored(api: Api, linked: Platform) -> None:  # noqa: F811
    platform = linked
    _, good = built_package(api, platform)
    with platform.db.read() as session:
        entry = session.scalars(select(Partner).where(Partner.organ_id == BTL)).one()
        session.expunge(entry)
    pki, password = platform.settings.pki_dir, platform.settings.exchange_key_password_file
    btl_key, stranger_key = codec.signer(pki, password, "btl"), codec.signer(pki, password, "vanninh_tckh")
    original = edxml.parse_any(good, trust=None)
    assert isinstance(original, edxml.Package)
    bomb = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))

    def receive(body: bytes) -> inbound.Reply:
        return inbound.receive(platform, entry.agency_id, entry, VANNINH, body, codec.parse)

    bad = {
        "malformed XML": b"<edXML><edXMLEnvelope><khong-dong",
        "XXE": (f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                f'<edXML xmlns="{NS}">&x;</edXML>').encode(),
        "billion laughs": (f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY l0 "ha">{bomb}]>'
                           f'<edXML xmlns="{NS}">&l9;</edXML>').encode(),
        "wrong namespace": good.replace(NS.encode(), b"http://example.org/khong-phai-edxml"),
        "a 200 MB package": bytes(200 * 1024 * 1024),
        "an attachment whose hash does not match": _resigned(good, _other_file, btl_key),
        "a signature of an agency the directory does not know for the sender": edxml.build(original, stranger_key),
    }
    for name, body in bad.items():
        before = _state(platform)
        reply = receive(body)
        description = reply.body.get("description", "")
        assert (reply.http, reply.body.get("status")) == (422, "02"), (name, reply)
        assert VIETNAMESE & set(description.lower()), (name, description)
        documents, received, refused, files = _state(platform)
        assert (documents, received, refused, files) == (before[0], before[1], before[2] + 1, before[3]), name
    # A DocumentId replayed with other content, once the first is in.
    assert receive(good).http == 201
    before = _state(platform)
    reply = receive(edxml.build(dataclasses.replace(original, subject="Nội dung khác hẳn"), btl_key))
    assert (reply.http, reply.body["status"]) == (422, "02") and "nội dung khác" in reply.body["description"]
    assert _state(platform) == (before[0], before[1], before[2] + 1, before[3])


FUZZ = settings(derandomize=True, max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture
def good(api: Api, linked: Platform) -> bytes:  # noqa: F811
    """Once per test, not per example (hypothesis runs the examples inside one test)."""
    return built_package(api, linked)[1]


@FUZZ
@given(data=st.data())
def test_the_endpoint_answers_any_authenticated_body_without_a_500(api: Api, good: bytes,
                                                                  data: st.DataObject) -> None:
    """Through the HTTP endpoint, the sender authenticated (HMAC): random bytes, or the real
    package with bytes changed, cut or inserted, are answered with a status, never a 500."""
    body = data.draw(st.one_of(
        st.binary(max_size=4096),
        st.tuples(st.integers(0, len(good) - 1), st.binary(min_size=0, max_size=16), st.integers(0, 16)).map(
            lambda edit: good[:edit[0]] + edit[1] + good[edit[0] + edit[2]:]),
    ))
    headers = auth.sign(SECRET.encode(), BTL, VANNINH, int(time.time()), body)
    r = api.client.post("/api/v1/exchange/edxml", data=body, headers=headers, content_type="application/xml")
    assert r.status_code in (200, 201, 422), (r.status_code, r.get_data()[:300])
    assert r.get_json()["status"] in ("01", "02", "03")
