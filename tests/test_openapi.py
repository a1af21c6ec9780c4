"""The OpenAPI document is made from the shapes each view is registered with (webui.contract):
it is a valid OpenAPI 3.1 document, it describes every route of the JSON API, every integer a
request may carry has bounds, uploads are described as multipart, and a route registered
without shapes cannot be served."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Blueprint
from openapi_spec_validator import validate

from engine.core.platform import Platform
from webui import create_app
from webui.contract.document import document
from webui.contract.route import api_route
from webui.contract.shapes import Items


def _spec(platform: Platform) -> tuple[Any, dict[str, Any]]:
    app = create_app(platform)
    return app, app.test_client().get("/api/openapi.json").get_json()


def test_the_document_is_valid_openapi(platform: Platform) -> None:
    validate(_spec(platform)[1])


def test_every_api_route_is_in_the_openapi_document(platform: Platform) -> None:
    """Every rule under /api of the URL map (uploads and the document itself included)."""
    app, spec = _spec(platform)
    missing, operations = [], 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations += 1
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []
    assert sum(len(methods) for methods in spec["paths"].values()) == operations  # and nothing more


def _integers(node: Any, spec: dict[str, Any], where: str, seen: frozenset[str] = frozenset()) -> list[str]:
    """Where an integer schema in ``node`` lacks a bound (following $refs once)."""
    if isinstance(node, list):
        return [w for n in node for w in _integers(n, spec, where, seen)]
    if not isinstance(node, dict):
        return []
    ref = node.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[1]
        return [] if name in seen else _integers(spec["components"]["schemas"][name], spec, f"{where}→{name}",
                                                 seen | {name})
    found = []
    types = node.get("type")
    if (types == "integer" or (isinstance(types, list) and "integer" in types)) and \
            ("minimum" not in node or "maximum" not in node):
        found.append(where)
    return found + [w for key, value in node.items() for w in _integers(value, spec, f"{where}.{key}", seen)]


def test_every_integer_a_request_may_carry_is_bounded(platform: Platform) -> None:
    spec = _spec(platform)[1]
    unbounded = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            unbounded += _integers(operation.get("parameters", []), spec, where)
            unbounded += _integers(operation.get("requestBody", {}), spec, where)
    assert unbounded == []


def test_uploads_are_described_as_multipart(platform: Platform) -> None:
    paths = _spec(platform)[1]["paths"]
    for path in ("/api/v1/documents/{document_id}/files", "/api/v1/conversations/{conversation_id}/messages"):
        form = paths[path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert form == {"$ref": form["$ref"]}
    upload = _spec(platform)[1]["components"]["schemas"]["Upload"]
    assert upload["properties"]["file"]["items"] == {"type": "string", "format": "binary"}
    assert "file" in upload["required"]


def test_a_route_without_shapes_is_refused(platform: Platform) -> None:
    app = create_app(platform)
    stray = Blueprint("stray", __name__, url_prefix="/api/v1/stray")
    stray.add_url_rule("", "listing", lambda: {})
    app.register_blueprint(stray)
    with pytest.raises(LookupError, match="stray.listing"):
        document(app)


def test_a_body_read_as_bytes_is_described_by_its_media_type(platform: Platform) -> None:
    """A signed package its view reads raw (liên thông between installations) is documented
    without a schema of its fields."""
    app = create_app(platform)
    packages = Blueprint("packages", __name__, url_prefix="/api/v1/packages")

    @api_route(packages, "", "POST", "Nhận gói tin", raw=("application/xml",), public=True)
    def receive() -> dict[str, str]:
        return {}

    app.register_blueprint(packages)
    operation = document(app)["paths"]["/api/v1/packages"]["post"]
    assert operation["requestBody"]["content"] == {"application/xml": {"schema": {"type": "string",
                                                                                  "format": "binary"}}}
    assert operation["security"] == []


def test_an_answer_in_json_or_as_a_file_lists_both(platform: Platform) -> None:
    app = create_app(platform)
    reports = Blueprint("reports_test", __name__, url_prefix="/api/v1/printable")

    @api_route(reports, "", "GET", "Báo cáo, hoặc trang in", response=Items, media=("application/pdf",))
    def report() -> dict[str, str]:
        return {}

    app.register_blueprint(reports)
    content = document(app)["paths"]["/api/v1/printable"]["get"]["responses"]["200"]["content"]
    assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/Items"}},
                       "application/pdf": {"schema": {"type": "string", "format": "binary"}}}
