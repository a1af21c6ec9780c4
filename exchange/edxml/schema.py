"""Validation against our XSD (``xsd/edxml.xsd``, its derivation in ``xsd/README.md``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from .errors import PackageRefused, Reason

XSD = Path(__file__).with_name("xsd") / "edxml.xsd"


@cache
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(XSD), parser))


def validate(root: etree._Element) -> None:
    """Refuse ``root`` (``SCHEMA``) unless it is a valid edXML package, naming the first fault."""
    checker = schema()
    if checker.validate(root):
        return
    error = checker.error_log.last_error
    detail = f"line {error.line}: {error.message}" if error is not None else "invalid"
    raise PackageRefused(Reason.SCHEMA, detail=detail[:300])
