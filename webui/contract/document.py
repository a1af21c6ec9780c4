"""The OpenAPI 3.1 document, made from the URL map: every rule under ``/api``, with the shapes
its view was registered with (``route.api_route``). A rule whose view has none fails here, so an
undocumented route cannot be served. Response integers carry the bounds of what the databases
hold; request integers carry the bounds their shapes validate."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema
from werkzeug.routing import IntegerConverter, Rule

from engine.core.db import BIGINT, MAX_INT

from .route import Operation, operation_of
from .shapes import Error

REF = "#/components/schemas/{model}"
_TITLES = {400: "Yêu cầu sai", 401: "Chưa đăng nhập", 403: "Không có quyền", 404: "Không tìm thấy",
           409: "Xung đột: đã được xử lý", 413: "Nội dung quá lớn", 422: "Dữ liệu không hợp lệ",
           429: "Tạm khóa do đăng nhập sai nhiều lần"}


class _Answers(GenerateJsonSchema):
    """What the API answers: an integer unbounded in its model is at most a BIGINT."""

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        found = super().int_schema(schema)
        found.setdefault("minimum", -BIGINT - 1)
        found.setdefault("maximum", BIGINT)
        return found


class _Components:
    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def schema(self, shape: Any, mode: str) -> dict[str, Any]:
        """``shape``'s schema, its named parts moved to the components."""
        generator = _Answers if mode == "serialization" else GenerateJsonSchema
        found = TypeAdapter(shape).json_schema(ref_template=REF, mode=mode,  # type: ignore[arg-type]
                                               schema_generator=generator)
        for name, schema in found.pop("$defs", {}).items():
            self._keep(name, schema)
        if isinstance(shape, type) and issubclass(shape, BaseModel):
            self._keep(shape.__name__, found)
            return {"$ref": REF.format(model=shape.__name__)}
        return found

    def _keep(self, name: str, schema: dict[str, Any]) -> None:
        if self.schemas.setdefault(name, schema) != schema:
            raise ValueError(f"two shapes are named {name}: rename one")


def openapi_path(rule: Rule) -> str:
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)


def _path_parameters(rule: Rule, operation: Operation) -> list[dict[str, Any]]:
    given = operation.path.model_json_schema()["properties"] if operation.path is not None else {}
    found = []
    for name in sorted(rule.arguments, key=rule.rule.index):
        converter = rule._converters[name]  # noqa: SLF001 (werkzeug keeps them only there)
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_INT} if isinstance(converter, IntegerConverter) \
            else {"type": "string", "minLength": 1, "maxLength": 200}
        found.append({"name": name, "in": "path", "required": True, "schema": {**schema, **given.get(name, {})}})
    return found


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    found = []
    for name, prop in schema.get("properties", {}).items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        given = [option for option in prop.get("anyOf", ()) if option.get("type") != "null"]
        if len(given) == 1 and prop.get("default", 0) is None:  # optional: absent, a query has no null
            prop = {**{k: v for k, v in prop.items() if k not in ("anyOf", "default")}, **given[0]}
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            parameter["description"] = prop.pop("description")
        found.append(parameter)
    return found


def _operation(rule: Rule, operation: Operation, components: _Components) -> dict[str, Any]:
    found: dict[str, Any] = {"summary": operation.summary, "operationId": rule.endpoint.replace(".", "_")}
    if operation.description:
        found["description"] = operation.description
    if operation.public:
        found["security"] = []
    parameters = _path_parameters(rule, operation)
    if operation.query is not None:
        parameters += _query_parameters(operation.query)
    if parameters:
        found["parameters"] = parameters
    content = {}
    if operation.body is not None:
        content["application/json"] = {"schema": components.schema(operation.body, "validation")}
    if operation.form is not None:
        content["multipart/form-data"] = {"schema": components.schema(operation.form, "validation")}
    for media in operation.raw:
        content[media] = {"schema": {"type": "string", "format": "binary"}}
    if content:
        found["requestBody"] = {"required": True, "content": content}
    answers: dict[str, Any] = {}
    if operation.response is not None or not operation.media:  # JSON, or JSON and a file on request
        shape = operation.response if operation.response is not None else dict[str, Any]
        answers["application/json"] = {"schema": components.schema(shape, "serialization")}
    for media in operation.media:
        answers[media] = {"schema": {"type": "string", "format": "binary"}}
    answer = {"description": "Kết quả" if "application/json" in answers else "Tệp", "content": answers}
    error = components.schema(Error, "serialization")
    errors = set(operation.errors) | ({422} if parameters or content else set())
    found["responses"] = {str(operation.status): answer, **{
        str(code): {"description": _TITLES[code], "content": {"application/json": {"schema": error}}}
        for code in sorted(errors)}}
    return found


def document(app: Flask) -> dict[str, Any]:
    """The document of ``app``'s API (built once per application)."""
    cached: dict[str, Any] | None = app.extensions.get("qlvb_openapi")
    if cached is not None:
        return cached
    components = _Components()
    paths: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        operation = operation_of(app.view_functions[rule.endpoint])
        if operation is None:
            raise LookupError(f"{rule.endpoint} ({rule.rule}) has no shapes: register it with api_route")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(rule, operation, components)
    made = {
        "openapi": "3.1.0",
        "info": {"title": "QLVB – Hệ thống quản lý văn bản và điều hành", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": dict(sorted(components.schemas.items()))},
        "security": [{"bearer": []}],
        "paths": paths,
    }
    app.extensions["qlvb_openapi"] = made
    return made
