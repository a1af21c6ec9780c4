"""Shapes many routes share: bounded integers (every integer a request may carry has bounds the
databases hold), the paging parameters, the error answer and a page of results."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from engine.core.db import BIGINT, MAX_INT

from ..common.context import MAX_PAGE

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
"""A row id: the databases' INTEGER columns."""
Year = Annotated[int, Field(ge=1900, le=2100)]
Text = Annotated[str, Field(max_length=2000)]
Name = Annotated[str, Field(max_length=200)]
Code = Annotated[str, Field(max_length=32)]
DateText = Annotated[str, Field(max_length=32, json_schema_extra={"format": "date"})]
"""A date as YYYY-MM-DD: the services parse it, with their own message for a wrong one."""
FILE_PART = "file part"
Files = Annotated[list[Any], FILE_PART,
                  WithJsonSchema({"type": "array", "items": {"type": "string", "format": "binary"}})]
"""The file parts of a multipart form under one name (the service checks each: a PDF, its size)."""
Count = Annotated[int, Field(ge=0, le=BIGINT)]


class Body(BaseModel):
    """A JSON body: strict JSON types, no field the route does not declare."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)
    # The answer's ``error`` when this shape is refused, and a field's own message for any fault
    # of it (lazy_gettext texts: the reader's language is known only in the request).
    summary: ClassVar[Any] = None
    messages: ClassVar[dict[str, Any]] = {}


class Form(Body):
    """A multipart form: texts, converted as a query's are; file parts are ``Binary`` fields."""

    model_config = ConfigDict(extra="forbid", strict=False, populate_by_name=True)


class Query(Body):
    """A query string: texts converted to the declared types; unknown parameters ignored."""

    model_config = ConfigDict(extra="ignore", strict=False, populate_by_name=True)


class Paged(Query):
    summary: ClassVar[Any] = _l("Tham số phân trang không hợp lệ.")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(20, ge=1, le=100)


class Error(BaseModel):
    error: str
    fields: dict[str, str] = {}


class Items(BaseModel):
    items: list[dict[str, Any]]


class Page(Items):
    page: Count
    per_page: Count
    total: Count

SearchText = Annotated[str, Field(max_length=200)]
"""Words to look for (the services cut or refuse longer ones with their own message)."""
