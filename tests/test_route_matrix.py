"""Every route × every demo role of one agency × the objects of another agency: nothing leaks.

The routes come from the application's own URL map, so a route added later is in the matrix
without editing this file; a route whose path names an object this file cannot yet point at
another agency's copy of fails the test until it is added to ``_foreign``. Each person of
Bắc Từ Liêm, one per position, asks for Quảng Ngãi's case, task, document, file, record,
conversation, process, person, unit and register book with every method the route accepts
(an API route with the least its shape accepts, so that the service decides): each answer must
be 403 or 404.
The pages without an object in their path must not show Quảng Ngãi's document either, even
when asked for that agency by name; and no page accepts a form without the session's CSRF token.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from engine.models import (
    ApiToken,
    DestructionList,
    DestructionStatus,
    Incident,
    IncidentStatus,
    Partner,
    Position,
    Received,
    RegisterBook,
    RemoteProvider,
    Scan,
    ScanStatus,
    User,
)
from engine.org import admin_approvals, delegations
from engine.signatures import trust_store
from signing.keystore import pki
from tests.conftest import Api
from tests.flows import attach_pdf
from tests.pdfs import minimal_pdf
from webui import create_app
from webui.contract.route import operation_of

# One Bắc Từ Liêm person per position of the demo data (engine/demo.py).
ROLES = ["btl_spec_khnv", "btl_head_khnv", "btl_office_chief", "btl_deputy1", "btl_director", "btl_clerk",
         "btl_admin", "btl_designer", "btl_auditor"]
MARKER = "Kế hoạch kiểm tra bí mật nội bộ Quảng Ngãi"  # the foreign document's subject
# Routes that are not about anyone's objects: logging in and out, choosing the language, files
# of the front end, the API's description, the endpoint partner installations POST edXML packages
# to (authenticated by their HMAC, not by a person: tests/test_exchange_*.py).
PUBLIC = {"static", "auth.login_form", "auth.login", "auth.logout", "api.token", "api.openapi", "i18n.choose",
          "exchange_packages.receive_package"}
# Path variables that choose a format or a kind of register, not one agency's object: those
# routes answer for the asker's own agency, and are asked for Quảng Ngãi's by name.
CHOOSERS = {"fmt", "code"}


def _foreign(api: Api, platform: Platform) -> dict[str, str]:
    """Quảng Ngãi's objects, made by its own staff: a value per path variable."""
    case = api.post("qn_spec_nvy", "/api/v1/cases", {"process": "qn_outgoing",
                                                      "data": {"subject": MARKER, "doc_type": "KH"}}).get_json()
    attach_pdf(api, "qn_spec_nvy", case)
    document = api.get("qn_spec_nvy", f"/api/v1/documents/{case['document']['id']}").get_json()
    item = api.post("qn_admin", "/api/v1/retention-items", {"code": "99.01", "heading": MARKER, "term": "10 năm"})
    assert item.status_code == 201, item.get_json()
    record = api.post("qn_clerk", "/api/v1/records", {"notation": "01.KT", "title": MARKER, "access": "Hạn chế",
                                                       "retention_item_id": item.get_json()["id"]})
    assert record.status_code == 201, record.get_json()
    conversation = api.post("qn_spec_nvy", "/api/v1/conversations", {"members": ["qn_head_nvy"]}).get_json()["id"]
    sent = api.client.post(f"/api/v1/conversations/{conversation}/messages",
                           headers={"Authorization": f"Bearer {api.token('qn_spec_nvy')}"},
                           data={"text": MARKER, "file": (io.BytesIO(minimal_pdf("bao cao")), "bao-cao.pdf")},
                           content_type="multipart/form-data")
    assert sent.status_code == 201, sent.get_json()
    message = sent.get_json()
    with platform.db.write() as session:
        grantor = session.scalars(select(User).where(User.username == "qn_head_nvy")).one()
        grantor_id = grantor.id
        delegation = delegations.create(session, grantor, {"delegate": "qn_deputy_nvy", "starts_on": "2026-03-02",
                                                           "ends_on": "2026-03-31"}, platform.clock.now()).id
        unit = grantor.positions[0].unit_id
        agency = grantor.positions[0].unit.agency_id
        book = session.scalars(select(RegisterBook.id).where(RegisterBook.agency_id == agency,
                                                             RegisterBook.code == "outgoing")).one()
        qn_admin = session.scalars(select(User).where(User.username == "qn_admin")).one()
        pending = admin_approvals.ask(session, qn_admin, agency, grantor, platform.clock.now(), unit_id=unit,
                                      position=Position.CLERK).id
        token = session.scalars(select(ApiToken.id).join(User, User.id == ApiToken.user_id)
                                .where(User.username == "qn_spec_nvy")).first()
        # A document Quảng Ngãi received from another installation (its "Văn bản đến điện tử").
        partner = Partner(agency_id=agency, organ_id="000.00.00.G22", name="Văn phòng Chính phủ", transport="http",
                          endpoint="https://vpcp.example/api/v1/exchange/edxml", certificate_pem="",
                          credentials_ref="env:X", active=True, updated_at=platform.clock.now())
        session.add(partner)
        session.flush()
        received = Received(agency_id=agency, partner_id=partner.id, business_type=0,
                            edxml_document_id="000.00.00.G22,2026/03/02,1/VPCP", package_sha256="0" * 64,
                            document_id=int(document["id"]),
                            state="waiting", last_status="01", received_at=platform.clock.now())
        session.add(received)
        session.flush()
        received_id = received.id
        provider = RemoteProvider(agency_id=agency, name=MARKER, kind="approval", endpoint="https://ca.example.vn",
                                  client_id="qn", timeout_seconds=60, enabled=True, updated_at=platform.clock.now())
        session.add(provider)
        session.flush()
        anchor = trust_store.add(session, agency, pki.create_root().certificate.public_bytes(Encoding.DER),
                                 "Quảng Ngãi", qn_admin.id, platform.clock.now()).id
        incident = Incident(case_id=case["id"], kind="lane_unresolved", message=MARKER, detail_json="{}",
                            first_at=platform.clock.now(), last_at=platform.clock.now(), count=1,
                            status=IncidentStatus.OPEN)
        session.add(incident)
        scan = Scan(agency_id=agency, uploaded_by=qn_admin.id, filename="ban-quet.pdf", source_sha256="0" * 64,
                    pages=1, status=ScanStatus.QUEUED, created_at=platform.clock.now())
        session.add(scan)
        destruction = DestructionList(agency_id=agency, status=DestructionStatus.PROPOSED, proposed_by=qn_admin.id,
                                      proposed_at=platform.clock.now(), reason=MARKER)
        session.add(destruction)
        session.flush()
    return {
        "case_id": str(case["id"]), "task_id": case["open_tasks"][0]["id"], "process_id": "qn_outgoing",
        "document_id": str(document["id"]), "record_id": str(record.get_json()["id"]),
        "conversation_id": str(conversation), "message_id": str(message["id"]),
        "file_id": str(document["files"][0]["id"]), "fmt": "pdf", "code": "outgoing",
        "number": "1", "delegation_id": str(delegation), "user_id": str(grantor_id), "unit_id": str(unit),
        "book_id": str(book), "agency": "quangngai", "partner": "btl", "anchor_id": str(anchor),
        "request_id": str(pending), "token_id": str(token),  # Quảng Ngãi's side of an agreement
        "received_id": str(received_id),
        "provider_id": str(provider.id),
        "incident_id": str(incident.id),
        "scan_id": str(scan.id),
        "list_id": str(destruction.id),
        "item_id": str(item.get_json()["id"]),
    }


def _login(client: FlaskClient, username: str) -> str:
    """Log in through the page; the session's CSRF token."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                       "csrf_token": token[1]}).status_code == 302
    after = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inbox").get_data(as_text=True))
    assert after is not None
    return after[1]


def _rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _fill(rule: Rule, objects: dict[str, str]) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", objects[name], path)
    return path


def _minimal(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """The least a JSON schema of a route's shape accepts: its required fields, each the first
    value its type allows (so the shape passes and the service decides about the object)."""
    if "$ref" in schema:
        return _minimal(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        return _minimal(next(s for s in schema["anyOf"] if s.get("type") != "null"), defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: _minimal(schema["properties"][name], defs) for name in schema.get("required", ())}
    if kind == "array":
        return [_minimal(schema.get("items", {}), defs) for _ in range(schema.get("minItems", 0))]
    return {"string": "x", "boolean": False, "integer": 1, "number": 1}.get(kind or "", {})


def _ask(client: FlaskClient, method: str, path: str, api_token: str, csrf: str) -> Any:
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {api_token}"}
        adapter = client.application.url_map.bind("localhost")
        endpoint, _ = adapter.match(path.partition("?")[0], method=method)
        operation = operation_of(client.application.view_functions[endpoint])
        assert operation is not None
        if operation.form is not None:
            return client.open(path, method=method, headers=headers, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(minimal_pdf("x")), "x.pdf")})
        schema = operation.body.model_json_schema() if operation.body is not None else {"type": "object"}
        return client.open(path, method=method, json=_minimal(schema, schema.get("$defs", {})), headers=headers)
    return client.open(path, method=method, data={"csrf_token": csrf} if method != "GET" else None)


@pytest.mark.parametrize("role", ROLES)
def test_no_route_leaks_another_agencys_objects(api: Api, platform: Platform, role: str) -> None:
    objects = _foreign(api, platform)
    app = create_app(platform)
    client = app.test_client()
    csrf = _login(client, role)
    token = api.token(role)
    leaks, unmapped = [], []
    for rule, method in _rules(app):
        names = sorted(rule.arguments - CHOOSERS)
        if not names:
            if method != "GET":
                continue  # acts on one's own things only (start, create, mark read)
            for query in ("", "?agency=quangngai"):
                r = _ask(client, method, _fill(rule, objects) + query, token, csrf)
                if r.status_code >= 500 or MARKER.encode() in r.get_data():
                    leaks.append(f"{method} {rule.rule}{query}: {r.status_code}")
            continue
        if any(name not in objects for name in names):
            unmapped.append(rule.rule)
            continue
        path = _fill(rule, objects)
        r = _ask(client, method, path, token, csrf)
        if r.status_code not in (403, 404):
            leaks.append(f"{method} {path}: {r.status_code}")
    assert unmapped == [], f"add another agency's object for these routes to _foreign(): {unmapped}"
    assert leaks == [], leaks


def test_no_page_accepts_a_form_without_the_csrf_token(api: Api, platform: Platform) -> None:
    app = create_app(platform)
    client = app.test_client()
    _login(client, "btl_clerk")
    objects = _foreign(api, platform)
    refused = []
    for rule, method in _rules(app):
        if method == "GET" or rule.rule.startswith("/api/"):
            continue
        path = _fill(rule, objects)
        r = client.open(path, method=method, data={})
        refused.append((path, r.status_code, "CSRF" in r.get_data(as_text=True)))
    assert refused and all(status == 400 and said for _, status, said in refused), refused
