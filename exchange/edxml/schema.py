"""Validation against our XSD (``xsd/edxml.xsd``, its derivation in ``xsd/README.md``)."""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from .errors import PackageRefused, Reason

XSD = Path(__file__).with_name("xsd") / "edxml.xsd"


_local = threading.local()


def schema() -> etree.XMLSchema:
    """The compiled XSD, one per thread: a schema object keeps the error log of its last
    validation, which concurrent requests would otherwise mix."""
    compiled = getattr(_local, "schema", None)
    if compiled is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        compiled = _local.schema = etree.XMLSchema(etree.parse(str(XSD), parser))
    return compiled


def first_error(checker: etree.XMLSchema) -> str:
    error = checker.error_log.last_error
    return (f"line {error.line}: {error.message}" if error is not None else "invalid")[:300]


def validate(root: etree._Element) -> None:
    """Refuse ``root`` (``SCHEMA``) unless it is a valid edXML package, naming the first fault."""
    checker = schema()
    if checker.validate(root):
        return
    raise PackageRefused(Reason.SCHEMA, detail=first_error(checker))
