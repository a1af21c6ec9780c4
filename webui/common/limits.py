"""Limits checked before a view reads anything: the body's size and the integers of the path
and the query.

- A body larger than its kind allows is refused (413) from its ``Content-Length`` alone, and
  a body without one (chunked) is read through a stream capped at the same size. The limits:
  uploads (multipart) ``max_upload_bytes`` plus room for the form's fields, the designer's
  pages a diagram and its forms (``DESIGN_BYTES``), anything else ``max_json_bytes``.
  The largest of them is also Flask's ``MAX_CONTENT_LENGTH``, for a server that streams the
  body (gunicorn, ``qlvb serve``) as for one that buffers it (waitress, the tests' server).
- Every integer of a path (Werkzeug's ``int`` converter) or of a query fits in the
  databases' ``integer`` columns (``engine.core.db.MAX_INT``): a larger id, ``page`` or ``year``
  once made SQLite and psycopg raise OverflowError or DataError, a 500, on 76 operations.
"""

from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from engine.core.config import Settings
from engine.core.db import MAX_INT
from engine.core.errors import InvalidData
from exchange import inbound

DESIGN_BYTES = 5 * 1024 * 1024  # the designer's diagram (2 MiB of XML) with its forms
FORM_ROOM = 1024 * 1024  # an upload's other fields and multipart boundaries
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


class BoundedInt(IntegerConverter):
    """``<int:…>`` up to ``MAX_INT``: a larger id matches no route (404) instead of reaching
    the database."""

    def __init__(self, map: object, *args: object, **kwargs: object) -> None:  # noqa: A002 - Werkzeug's name
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]


def package_bytes(settings: Settings) -> int:
    """An edXML package POSTed by a partner: the size the exchange receives (its rule)."""
    return inbound.package_limit(settings)


def largest_body(settings: Settings) -> int:
    """The largest body any route accepts."""
    return max(package_bytes(settings), DESIGN_BYTES, settings.max_json_bytes)


def body_limit(settings: Settings) -> int:
    if request.mimetype == "multipart/form-data":
        return settings.max_upload_bytes + FORM_ROOM
    if request.blueprint == "design":
        return DESIGN_BYTES
    if request.blueprint == "exchange_packages" and request.endpoint == "exchange_packages.receive_package":
        return package_bytes(settings)
    return settings.max_json_bytes


def _check(settings: Settings) -> None:
    limit = body_limit(settings)
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(f"Nội dung yêu cầu quá lớn (tối đa {limit // 1024} KB).")
    request.max_content_length = limit  # caps a body sent without Content-Length
    for name, value in request.args.items(multi=True):
        if _INTEGER.fullmatch(value) and abs(int(value)) > MAX_INT:
            raise InvalidData("Dữ liệu chưa hợp lệ: số nguyên quá lớn.", {name: "Số nguyên quá lớn."})


def init_app(app: Flask, settings: Settings) -> None:
    app.url_map.converters["int"] = BoundedInt
    app.config["MAX_CONTENT_LENGTH"] = largest_body(settings)
    app.before_request(lambda: _check(settings))
