"""``api_route``: a view of the JSON API with its shapes. The decorator registers the view on
its blueprint, checks the request against the shapes before the view runs (a 422 per field
otherwise, ``messages``), hands the view the checked models (``body=``, ``query=``), and keeps the
shapes on the view for the OpenAPI document (``document``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, request
from pydantic import BaseModel, ValidationError

from . import boundary
from .messages import refusal
from .shapes import FILE_PART

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """What the document says of one route and what its requests must be."""

    summary: str
    description: str | None = None
    body: type[BaseModel] | None = None  # a JSON body
    form: type[BaseModel] | None = None  # a multipart form (uploads)
    raw: tuple[str, ...] = ()  # a body the view reads as bytes itself (a signed package), by media type
    query: type[BaseModel] | None = None
    path: type[BaseModel] | None = None  # constraints on path parameters beyond their converter
    response: Any = None  # a pydantic model or any type pydantic describes; None: a JSON object
    media: tuple[str, ...] = ()  # a file's media types: instead of JSON, or beside ``response`` if given
    status: int = 200
    errors: tuple[int, ...] = (401,)
    public: bool = False  # no Bearer token needed


def _checked(model: type[BaseModel], given: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(given)
    except ValidationError as error:
        raise refusal(model, error) from None


def _form(model: type[BaseModel]) -> dict[str, Any]:
    given: dict[str, Any] = request.form.to_dict()
    for name, field in model.model_fields.items():
        if FILE_PART in field.metadata and request.files.getlist(name):
            given[name] = request.files.getlist(name)
    return given


def api_route(bp: Blueprint, rule: str, method: str, summary: str, **shapes: Any) -> Callable[[View], View]:
    """Register the decorated view for ``method`` ``rule`` on ``bp``, with the ``Operation``
    fields as keywords."""
    operation = Operation(summary, **shapes)

    def register(view: View) -> View:
        @functools.wraps(view)
        def checked(**path: Any) -> Any:
            given: dict[str, Any] = {}
            if operation.path is not None:
                _checked(operation.path, path)
            if operation.query is not None:
                given["query"] = _checked(operation.query, request.args.to_dict())
            if operation.form is not None and (operation.body is None or request.mimetype == "multipart/form-data"):
                given["body"] = _checked(operation.form, _form(operation.form))
            elif operation.body is not None:
                given["body"] = _checked(operation.body, boundary.json_object())
            return view(**path, **given)

        checked.operation = operation  # type: ignore[attr-defined]
        bp.add_url_rule(rule, view_func=checked, methods=[method])
        return checked  # type: ignore[return-value]

    return register


def operation_of(view: Callable[..., Any]) -> Operation | None:
    found: Operation | None = getattr(view, "operation", None)
    return found
