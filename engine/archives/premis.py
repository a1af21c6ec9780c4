"""PREMIS 3 preservation metadata of a hand-over package (``metadata/preservation/premis.xml``):
each file as an object with its SHA-256 fixity, size and format (PRONOM where known), the PDF/A
copies linked to the originals they derive from, and the events the archive needs to trust
them — the digest calculation, the format migration, and the validation of each document's
digital signatures as the platform last verified it."""

from __future__ import annotations

from lxml import etree

from engine.archives.contents import Item, PackageFile, Snapshot

NS = "http://www.loc.gov/premis/v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SOFTWARE = "QLVB"
OUTCOMES = {"valid": "success", "invalid": "failure", "paper": "not applicable (signed on paper)"}


def _el(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        node.text = text
    return node


def _identifier(parent: etree._Element, tag: str, kind: str, value: str) -> None:
    node = _el(parent, tag)
    prefix = tag.replace("Identifier", "")
    # objectIdentifier → objectIdentifierType; linkingAgentIdentifier → linkingAgentIdentifierType; …
    _el(node, f"{prefix}IdentifierType", kind)
    _el(node, f"{prefix}IdentifierValue", value)


def _event(root: etree._Element, event_id: str, kind: str, when: str, detail: str, outcome: str,
           note: str | None, agent: str, objects: list[str]) -> None:
    event = _el(root, "event")
    _identifier(event, "eventIdentifier", "local", event_id)
    _el(event, "eventType", kind)
    _el(event, "eventDateTime", when)
    _el(_el(event, "eventDetailInformation"), "eventDetail", detail)
    outcome_info = _el(event, "eventOutcomeInformation")
    _el(outcome_info, "eventOutcome", outcome)
    if note:
        _el(_el(outcome_info, "eventOutcomeDetail"), "eventOutcomeDetailNote", note)
    _identifier(event, "linkingAgentIdentifier", "local", agent)
    for href in objects:
        _identifier(event, "linkingObjectIdentifier", "local", href)


def _object(root: etree._Element, f: PackageFile, events: list[str]) -> None:
    obj = etree.SubElement(root, f"{{{NS}}}object", {f"{{{XSI}}}type": "file"})
    _identifier(obj, "objectIdentifier", "local", f.href)
    chars = _el(obj, "objectCharacteristics")
    _el(chars, "compositionLevel", "0")
    fixity = _el(chars, "fixity")
    _el(fixity, "messageDigestAlgorithm", "SHA-256")
    _el(fixity, "messageDigest", f.sha256)
    _el(fixity, "messageDigestOriginator", SOFTWARE)
    _el(chars, "size", str(f.size))
    fmt = _el(chars, "format")
    designation = _el(fmt, "formatDesignation")
    _el(designation, "formatName", f.format_name)
    if f.format_version:
        _el(designation, "formatVersion", f.format_version)
    if f.pronom:
        registry = _el(fmt, "formatRegistry")
        _el(registry, "formatRegistryName", "PRONOM")
        _el(registry, "formatRegistryKey", f.pronom)
    _el(obj, "originalName", f.original_name)
    if f.derived_from:
        relation = _el(obj, "relationship")
        _el(relation, "relationshipType", "derivation")
        _el(relation, "relationshipSubType", "has source")
        _identifier(relation, "relatedObjectIdentifier", "local", f.derived_from)
    for event_id in events:
        _identifier(obj, "linkingEventIdentifier", "local", event_id)


def _signature_note(item: Item) -> str:
    signers = ", ".join(s for s in item.signers if s)
    said = f"Văn bản {item.number_symbol or item.ordinal}: {item.signature_status}"
    return f"{said}; {signers}" if signers else said


def build(snap: Snapshot, files: list[PackageFile], failed: dict[str, str]) -> bytes:
    """``failed``: the originals that could not be made PDF/A (href → why), recorded as failed migrations."""
    root = etree.Element(f"{{{NS}}}premis", nsmap={None: NS, "xsi": XSI}, version="3.0")
    when = snap.taken_at.isoformat(timespec="seconds")
    by_object: dict[str, list[str]] = {f.href: [f"fixity-{n}"] for n, f in enumerate(files, start=1)}
    events: list[tuple[str, str, str, str, str, str | None, list[str]]] = [
        (f"fixity-{n}", "message digest calculation", when, "SHA-256 tính khi lập gói", "success", None, [f.href])
        for n, f in enumerate(files, start=1)]
    signed = {i.ordinal for i in snap.items if i.signature_status in ("valid", "invalid")}
    for n, f in enumerate((f for f in files if f.derived_from), start=1):
        assert f.derived_from is not None
        # Rewriting a signed PDF breaks its signatures: the copy is for reading, the original is the evidence.
        note = "Bản PDF/A không còn chữ ký số hợp lệ; chữ ký được giữ ở bản gốc không thay đổi" \
            if f.ordinal in signed else None
        events.append((f"migration-{n}", "migration", when, f"Chuyển sang {f.format_name} (ocrmypdf, không OCR)",
                       "success", note, [f.derived_from, f.href]))
        by_object[f.href].append(f"migration-{n}")
        by_object[f.derived_from].append(f"migration-{n}")
    for n, (href, why) in enumerate(sorted(failed.items()), start=1):
        events.append((f"migration-failed-{n}", "migration", when, "Chuyển sang PDF/A", "failure", why, [href]))
        by_object[href].append(f"migration-failed-{n}")
    for item in snap.items:
        if item.signature_status == "none":
            continue
        originals = [f for f in files if f.ordinal == item.ordinal and f.representation == "rep1"]
        checked = [f.href for f in originals if f.sha256 == item.verified_sha256] or [f.href for f in originals[:1]]
        event_id = f"signature-{item.ordinal}"
        events.append((event_id, "validation", when, "Kiểm tra chữ ký số (PAdES) khi văn bản được ký, ban hành "
                       "hoặc tiếp nhận", OUTCOMES.get(item.signature_status, item.signature_status),
                       _signature_note(item), checked))
        for href in checked:
            by_object[href].append(event_id)
    for f in files:
        _object(root, f, by_object[f.href])
    for event_id, kind, at, detail, outcome, note, objects in events:
        _event(root, event_id, kind, at, detail, outcome, note, SOFTWARE, objects)
    for agent_id, name, kind in ((SOFTWARE, "QLVB — Hệ thống quản lý văn bản và điều hành", "software"),
                                 (snap.agency_code, snap.agency_name, "organization")):
        agent = _el(root, "agent")
        _identifier(agent, "agentIdentifier", "local", agent_id)
        _el(agent, "agentName", name)
        _el(agent, "agentType", kind)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
