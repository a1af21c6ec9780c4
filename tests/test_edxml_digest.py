"""content_digest: one package sent twice is the same content; a changed one is not."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from exchange.edxml import Business, BusinessDocType, TraceHeader, build, content_digest, parse
from tests.edxml_support import sender_key, small_package, trust


def test_a_resent_package_has_the_same_digest() -> None:
    package = small_package()
    first = parse(build(package, sender_key()), trust=trust)
    # Sent again later through a provincial platform: new signature, one more hop.
    hops = (*package.trace_headers, TraceHeader("000.00.00.H40", datetime(2026, 3, 2, 15, 10, 0)))
    again = parse(build(replace(package, trace_headers=hops), sender_key()), trust=trust)
    assert content_digest(first) == content_digest(again) == content_digest(package)


def test_changed_content_changes_the_digest() -> None:
    package = small_package()
    digest = content_digest(package)
    changed_file = replace(package.attachments[1], data=package.attachments[1].data + b"\n")
    for other in (
        replace(package, subject=package.subject + "."),
        replace(package, attachments=(package.attachments[0], changed_file)),
        replace(package, business=Business(doc_type=BusinessDocType.RECALL, reason="Thu hồi",
                                           document_id=package.document_id)),
    ):
        assert content_digest(other) != digest
