"""The OpenAPI document describes every route of the JSON API."""

from __future__ import annotations

import re

from engine.core.platform import Platform
from webui import create_app


def test_every_api_route_is_in_the_openapi_document(platform: Platform) -> None:
    """Every rule under /api of the URL map (uploads and the document itself included)."""
    app = create_app(platform)
    spec = app.test_client().get("/api/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []
