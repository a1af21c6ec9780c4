"""Validation of a hand-over package's METS, EAD and PREMIS against the XSDs kept in
``schemas/`` (their sources in ``schemas/README.md``), offline: the parser reads no network and
every import is resolved to a local copy, so a schema is never fetched from its published address."""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).with_name("schemas")
ROOTS = {"mets": "mets.xsd", "ead": "ead.xsd", "premis": "premis.xsd"}
# The imports the schemas name, by the last part of their location (local or http://www.loc.gov/…).
_LOCAL = {"xlink.xsd", "mets.xsd", "ead.xsd", "premis.xsd", "csip.xsd"}

# The CSIP attributes live in their own namespace; METS lets any foreign attribute through
# (processContents="lax"), so a wrapper imports both to have them checked too.
_METS_WITH_CSIP = b"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:qlvb:archives:wrapper">
  <xs:import namespace="http://www.loc.gov/METS/" schemaLocation="mets.xsd"/>
  <xs:import namespace="https://DILCIS.eu/XML/METS/CSIPExtensionMETS" schemaLocation="csip.xsd"/>
</xs:schema>"""


class _Local(etree.Resolver):
    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        name = system_url.rstrip("/").rsplit("/", 1)[-1]
        if name not in _LOCAL:
            raise LookupError(f"schema import outside engine/archives/schemas: {system_url}")
        return self.resolve_filename(str(SCHEMAS / name), context)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(_Local())
    return parser


_local = threading.local()


def schema(kind: str) -> etree.XMLSchema:
    """The compiled XSD of ``kind`` (mets, ead, premis), one per thread: a schema object keeps
    the error log of its last validation, which concurrent requests would otherwise mix."""
    cache = _local.__dict__.setdefault("schemas", {})
    if kind not in cache:
        if kind == "mets":
            doc = etree.fromstring(_METS_WITH_CSIP, _parser(), base_url=str(SCHEMAS / "wrapper.xsd"))
            cache[kind] = etree.XMLSchema(etree.ElementTree(doc))
        else:
            cache[kind] = etree.XMLSchema(etree.parse(str(SCHEMAS / ROOTS[kind]), _parser()))
    compiled: etree.XMLSchema = cache[kind]
    return compiled


def errors(kind: str, content: bytes) -> list[str]:
    """The faults of ``content`` against the ``kind`` XSD (none when valid), parsed safely."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        return [str(exc)]
    checker = schema(kind)
    if checker.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log][:20]
