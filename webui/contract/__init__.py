"""The JSON API's contract: each route's request and response shapes, written once as pydantic
models and attached to the view by ``route.api_route``; the same models validate the request
(``route``, with ``messages`` turning pydantic's errors into the per-field Vietnamese messages,
English under English) and make the OpenAPI document (``document``, walking Flask's URL map).
``shapes`` holds the shapes many routes share (bounded integers, paging, the error answer);
``boundary`` checks what every input must be whatever its route (UTF-8, depth, NUL, NFC).

Why pydantic (v2): typed models that mypy reads, a fast validator (Rust core), JSON Schema
generation built in (the OpenAPI 3.1 document's dialect), and a well-kept, widely used project.
Imports ``engine`` (its errors and bounds) and ``webui.common``; no blueprint module."""
