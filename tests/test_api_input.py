"""Bad input gets a 4xx, the same on SQLite and PostgreSQL (issue 11, item 4), through starting
a case, completing a task, entering a document and a search: JSON nested a thousand levels
(once a 500), lone surrogates, NUL (once 201 on SQLite and 500 on PostgreSQL), 700,000 keys
(once seconds of a thread), fields a route does not declare; nothing is written. Decomposed
Vietnamese is accepted and stored in NFC."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.core.platform import Platform
from engine.models import Case, Document
from tests.conftest import Api
from tests.flows import DRAFT, only_task, start
from webui.contract.boundary import MAX_DEPTH

CLERK = "btl_clerk"
INCOMING = {"direction": "incoming", "data": {"subject": "Công văn đề nghị phối hợp", "doc_type": "CV"}}


def _routes(api: Api) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Route name → (user, path, a valid body) for the routes under test."""
    task = only_task(start(api))
    return {
        "start a case": ("btl_spec_khnv", "/api/v1/cases", {"process": "btl_outgoing", "data": dict(DRAFT)}),
        "complete a task": ("btl_spec_khnv", f"/api/v1/tasks/{task['id']}/complete", {"data": dict(DRAFT)}),
        "enter a document": (CLERK, "/api/v1/documents", json.loads(json.dumps(INCOMING))),
    }


def _post_raw(api: Api, user: str, path: str, raw: str | bytes) -> Any:
    return api.client.post(path, data=raw, content_type="application/json",
                           headers={"Authorization": f"Bearer {api.token(user)}"})


def _with_subject(body: dict[str, Any], raw_value: str) -> str:
    """The body as JSON text, with the raw JSON ``raw_value`` as the subject of its data."""
    return json.dumps({**body, "data": {**body["data"], "subject": "@@"}}).replace('"@@"', raw_value)


BAD_SUBJECTS = {
    "nested 1,000 levels": ("[" * 1000 + "]" * 1000, "_", "lồng nhau quá sâu"),  # the parser's stack ends first
    "nested past the limit": ("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), "data.subject", "lồng nhau quá sâu"),
    "a lone surrogate": ('"Tr\\ud800ích yếu"', "data.subject", "nửa cặp thay thế"),
    "NUL": ('"Trích\\u0000 yếu"', "data.subject", "NUL"),
    "NaN": ("NaN", "_", "NaN"),
    "a number beyond 64 bits": ("1" + "0" * 30, "data.subject", "số nguyên quá lớn"),
}


def _cases_and_documents(platform: Platform) -> tuple[int, int]:
    with platform.db.read() as s:
        return (s.scalar(select(func.count()).select_from(Case)) or 0,
                s.scalar(select(func.count()).select_from(Document)) or 0)


def _answer(response: Any) -> tuple[int, list[str], str]:
    body = response.get_json()
    return response.status_code, sorted(body.get("fields", {})), body["error"]


def test_bad_json_gets_the_same_4xx_on_both_backends(api: Api, platform: Platform) -> None:
    routes = _routes(api)
    before = _cases_and_documents(platform)
    for name, (user, path, body) in routes.items():
        for bad, (raw, field, words) in BAD_SUBJECTS.items():
            r = _post_raw(api, user, path, _with_subject(body, raw))
            # A nested array passes the depth limit inside it: the field named is where it starts.
            status, fields, error = _answer(r)
            assert (status, words in error) == (422, True), (name, bad, r.get_json())
            assert fields and fields[0].startswith(field), (name, bad, fields)
        extra = _post_raw(api, user, path, json.dumps({**body, "deadline_override": "2030-01-01"}))
        assert _answer(extra) == (422, ["deadline_override"], "Có trường không được hỗ trợ: deadline_override.")
        many = json.dumps({**body, "data": {**body["data"], **{f"k{i}": i for i in range(30_000)}}})
        assert _answer(_post_raw(api, user, path, many))[:2] == (422, ["_"]), name
        assert _answer(_post_raw(api, user, path, b"{\"data\": \"\xff\"}"))[:2] == (422, ["_"]), name
    assert _cases_and_documents(platform) == before  # nothing was written


def test_700000_undeclared_keys_are_refused_before_any_work(api: Api, platform: Platform) -> None:
    huge = "{" + ",".join(f'"k{i}":0' for i in range(700_000)) + "}"
    for name, (user, path, _body) in _routes(api).items():
        r = _post_raw(api, user, path, huge)
        assert r.status_code == 413 and "quá lớn" in r.get_json()["error"], name
    just_under = "{" + ",".join(f'"k{i}":0' for i in range(20_001)) + "}"  # small enough to read, too many keys
    assert _answer(_post_raw(api, "btl_spec_khnv", "/api/v1/cases", just_under))[:2] == (422, ["_"])


@pytest.mark.parametrize("query", ["q=k%E1%BA%BF%00ho%E1%BA%A1ch", "q=k%E1%BA%BF&issuer=S%00YT", "q%00=x"])
def test_a_search_with_nul_gets_422(api: Api, query: str) -> None:
    r = api.get(CLERK, f"/api/v1/search?{query}")
    assert r.status_code == 422 and "NUL" in r.get_json()["error"], r.get_json()


def test_nul_in_a_path_gets_422(api: Api) -> None:
    r = api.post("btl_spec_khnv", "/api/v1/tasks/ab%00cd/complete", {"data": {}})
    assert r.status_code == 422 and list(r.get_json()["fields"]) == ["task_id"]


def test_nul_in_a_multipart_message_gets_422(api: Api) -> None:
    conversation = api.post("btl_spec_khnv", "/api/v1/conversations", {"members": ["btl_head_khnv"]}).get_json()
    r = api.client.post(f"/api/v1/conversations/{conversation['id']}/messages", data={"text": "Đã nhận\x00"},
                        content_type="multipart/form-data",
                        headers={"Authorization": f"Bearer {api.token('btl_spec_khnv')}"})
    assert r.status_code == 422 and list(r.get_json()["fields"]) == ["text"], r.get_json()


def test_decomposed_vietnamese_is_stored_in_nfc(api: Api) -> None:
    subject = "Kế hoạch tiêm chủng mở rộng quý II"
    decomposed = unicodedata.normalize("NFD", subject)
    assert decomposed != subject
    case = start(api, data={**DRAFT, "subject": decomposed})
    assert case["document"]["subject"] == subject
    found = api.get("btl_spec_khnv", "/api/v1/search?q=" + unicodedata.normalize("NFD", "tiêm chủng")).get_json()
    assert case["document"]["id"] in [hit["id"] for hit in found["items"]]
