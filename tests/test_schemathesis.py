"""schemathesis against ``/api/openapi.json`` (issue 12): every operation of the document, with
examples generated from its schemas (a fixed seed, a bounded number per operation), called
as the agency's clerk; no answer may be a server error. Before the bounds of webui/common/limits.py,
76 such calls answered 500 (ids, ``page`` or ``year`` past 2^63)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, seed, settings

from engine.core.platform import Platform
from tests.conftest import Api
from webui import create_app

EXAMPLES = 5  # per operation: the run stays well under a minute and a half per database on two cores
SEED = 20261207


def test_no_generated_call_is_a_server_error(bare_api: Api, platform: Platform) -> None:
    app = create_app(platform)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {bare_api.token('btl_clerk')}"}
    errors: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @seed(SEED)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy())
        def call(case: Any) -> None:
            nonlocal calls
            calls += 1
            response = case.call(headers=headers)
            if response.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path} {case.query or ''} → {response.status_code}: "
                              f"{response.text[:200]}")

        call()
    assert calls >= EXAMPLES * 20
    assert errors == [], "\n".join(errors[:20])
