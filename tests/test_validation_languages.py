"""Validation messages in the reader's language (issue 13 item 9): the same bad input is told
in Vietnamese by default and in English under English, through a page (the language chosen on
the pages) and through the JSON API (Accept-Language); the domain gives translatable messages
(engine.core.errors.Text), the web layer says them (webui.i18n)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from engine.core.platform import Platform
from tests.conftest import Api
from tests.test_ui_inbox import _login
from webui import create_app

ROOT = Path(__file__).resolve().parent.parent
BAD = {"channel": "electronic", "doc_type": "CV", "subject": "Về", "number_symbol": "88/UBND-KT",
       "issuer_name": "UBND tỉnh Khánh Hòa", "document_date": "25/02/2026"}
VI = {"document_date": "Không đúng định dạng ngày (năm-tháng-ngày, ví dụ 2026-03-05).",
      "subject": "Cần ít nhất 5 ký tự."}
EN = {"document_date": "Not a valid date (year-month-day, e.g. 2026-03-05).",
      "subject": "At least 5 characters are needed."}


def _api_start(api: Api, language: str | None) -> Any:
    headers = {"Authorization": f"Bearer {api.token('vn_clerk')}"}
    if language:
        headers["Accept-Language"] = language
    return api.client.post("/api/v1/cases", json={"process": "vn_five_step", "data": BAD}, headers=headers)


def test_the_api_says_field_messages_in_the_requested_language(api: Api) -> None:
    for language, error, fields in ((None, "Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", VI),
                                    ("vi", "Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", VI),
                                    ("en-US,en;q=0.9", "The data is not valid, please check it.", EN)):
        r = _api_start(api, language)
        assert r.status_code == 422, r.get_json()
        body = r.get_json()
        assert body["error"] == error, language
        assert {k: body["fields"][k] for k in fields} == fields, language
    missing = {**BAD}  # a missing field: its title is said in English too
    del missing["subject"]
    r = api.client.post("/api/v1/cases", json={"process": "vn_five_step", "data": missing},
                        headers={"Authorization": f"Bearer {api.token('vn_clerk')}", "Accept-Language": "en"})
    assert r.get_json()["fields"]["subject"] == "Please enter Subject."


def _csrf(client: FlaskClient, path: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert token is not None
    return token[1]


def _page_errors(client: FlaskClient) -> dict[str, str]:
    r = client.post("/new/vn_five_step", data={**BAD, "csrf_token": _csrf(client, "/new/vn_five_step")})
    assert r.status_code == 422
    return dict(re.findall(r'data-error-for="([^"]+)">([^<]*)<', r.get_data(as_text=True)))


def test_the_start_page_says_field_messages_in_the_chosen_language(platform: Platform) -> None:
    client = create_app(platform).test_client()
    _login(client, "vn_clerk")
    errors = _page_errors(client)
    assert {k: errors[k] for k in VI} == VI
    client.post("/language", data={"lang": "en", "next": "/inbox", "csrf_token": _csrf(client, "/inbox")})
    errors = _page_errors(client)
    assert {k: errors[k] for k in EN} == EN
    # Accept-Language does not change the pages: they speak the language chosen on them.
    vietnamese = create_app(platform).test_client()
    _login(vietnamese, "vn_clerk")
    vietnamese.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    errors = _page_errors(vietnamese)
    assert errors["document_date"] == VI["document_date"]


def _validation_messages() -> dict[str, str]:
    """Every constant message given to InvalidData in engine/ and webui/ (the error's and its
    fields'), with where it is."""
    found: dict[str, str] = {}
    for path in [*ROOT.joinpath("engine").rglob("*.py"), *ROOT.joinpath("webui").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            if not isinstance(node, ast.Call) or getattr(name, "id", getattr(name, "attr", None)) != "InvalidData":
                continue
            for arg in node.args[:2]:
                said = [arg] if isinstance(arg, ast.Constant) else arg.values if isinstance(arg, ast.Dict) else []
                for value in said:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.setdefault(value.value, str(path.relative_to(ROOT)))
    return found


def test_every_constant_validation_message_has_its_english() -> None:
    with ROOT.joinpath("webui/translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        english = {m.id: m.string for m in read_po(po) if m.id and m.string}
    found = _validation_messages()
    assert len(found) > 150  # the walk finds them
    assert {m: where for m, where in found.items() if m not in english} == {}
