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


def test_the_api_says_a_message_with_parameters_in_english(api: Api) -> None:
    """A message with a value in it (here a 404's) is said in English with the value kept."""
    for language, said in ((None, "Không có quy trình 'khong_co'."), ("en", "There is no process 'khong_co'.")):
        headers = {"Authorization": f"Bearer {api.token('vn_clerk')}"}
        if language:
            headers["Accept-Language"] = language
        r = api.client.post("/api/v1/cases", json={"process": "khong_co", "data": BAD}, headers=headers)
        assert (r.status_code, r.get_json()["error"]) == (404, said), language


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


def _trees() -> dict[str, ast.Module]:
    return {str(path.relative_to(ROOT)): ast.parse(path.read_text(encoding="utf-8"))
            for path in [*ROOT.joinpath("engine").rglob("*.py"), *ROOT.joinpath("webui").rglob("*.py")]}


def _error_signatures(trees: dict[str, ast.Module]) -> dict[str, tuple[str, list[str]]]:
    """DomainError and its subclasses in engine/ and webui/: each one's first base and the
    parameters of its constructor (its own or inherited)."""
    classes = {node.name: node for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    found: dict[str, tuple[str, list[str]]] = {"DomainError": ("", ["message"])}
    grown = True
    while grown:
        grown = False
        for name, node in classes.items():
            bases = [getattr(b, "id", getattr(b, "attr", "")) for b in node.bases]
            if name in found or not bases or bases[0] not in found:
                continue
            init = [f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"]
            params = [a.arg for a in init[0].args.args[1:]] if init else found[bases[0]][1]
            found[name], grown = (bases[0], params), True
    return found


def _assigned(scope: ast.AST) -> dict[str, list[ast.expr]]:
    """What each plain name is set to in a function (or at the top of a module)."""
    nodes = ast.walk(scope) if not isinstance(scope, ast.Module) else iter(scope.body)
    found: dict[str, list[ast.expr]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found.setdefault(node.targets[0].id, []).append(node.value)
    return found


def _said(node: ast.AST, names: dict[str, list[ast.expr]]) -> list[ast.AST]:
    """The message expressions an argument can give: each value of a fields dict, each side of
    ``a or b`` and ``a if c else b``, what a name passed was set to (``message = f"…"``)."""
    if isinstance(node, ast.Dict):
        return [said for value in node.values for said in _said(value, names)]
    if isinstance(node, ast.BoolOp):
        return [said for value in node.values for said in _said(value, names)]
    if isinstance(node, ast.IfExp):
        return [*_said(node.body, names), *_said(node.orelse, names)]
    if isinstance(node, ast.Name) and node.id in names:
        return [said for value in names[node.id] for said in _said(value, {})]
    return [node]


def _scopes(tree: ast.Module) -> list[tuple[ast.AST, str | None]]:
    """The module and each function in it, with the class a method is in."""
    methods = {id(f): c.name for c in ast.walk(tree) if isinstance(c, ast.ClassDef) for f in c.body}
    return [(tree, None), *((f, methods.get(id(f))) for f in ast.walk(tree)
                            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)))]


def _messages() -> tuple[dict[str, str], list[str]]:
    """Every message given to a DomainError (InvalidData, Forbidden, NotFound, Conflict...) in
    engine/ and webui/, the error's and its fields': the constants and Text templates with
    where they are, and the places that build one as an f-string (said in Vietnamese only)."""
    trees = _trees()
    errors = _error_signatures(trees)
    found: dict[str, str] = {}
    formatted: list[str] = []
    for where, tree in trees.items():
        module = _assigned(tree)
        for scope, cls in _scopes(tree):
            names = module if scope is tree else {**module, **_assigned(scope)}
            for node in ast.walk(scope):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name == "Text" and node.args:
                    said = [node.args[0]]
                elif cls in errors and name == "__init__" and isinstance(node.func, ast.Attribute) \
                        and isinstance(node.func.value, ast.Call):  # super().__init__ in a subclass
                    params = errors.get(errors[cls][0], ("", []))[1]
                    said = [arg for i, arg in enumerate(node.args) if params[i:i + 1] in (["message"], ["fields"])]
                elif name in errors:
                    params = errors[name][1]
                    said = [arg for i, arg in enumerate(node.args) if params[i:i + 1] in (["message"], ["fields"])]
                    said += [k.value for k in node.keywords if k.arg in ("message", "fields")]
                else:
                    continue
                for value in (s for arg in said for s in _said(arg, names)):
                    if isinstance(value, ast.JoinedStr):
                        formatted.append(f"{where}:{value.lineno}")
                    elif isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.setdefault(value.value, where)
    return found, sorted(set(formatted))


def test_no_validation_message_is_built_as_an_f_string() -> None:
    """An f-string is Vietnamese once built: the message must be a Text with its parameters."""
    assert _messages()[1] == []


def test_every_constant_validation_message_has_its_english() -> None:
    with ROOT.joinpath("webui/translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        english = {m.id: m.string for m in read_po(po) if m.id and m.string}
    found = _messages()[0]
    assert len(found) > 150  # the walk finds them
    assert {m: where for m, where in found.items() if m not in english} == {}
