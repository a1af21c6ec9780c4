"""EAD 2002 descriptive metadata of a record (``metadata/descriptive/ead.xml``): the record as a
file-level description (identifier, title, dates, creator, extent, access, retention), each
document as an item under it pointing to its files in the package."""

from __future__ import annotations

from lxml import etree

from engine.archives.contents import PackageFile, Snapshot

NS = "urn:isbn:1-931666-22-9"
XLINK = "http://www.w3.org/1999/xlink"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    # xlink__href=… stands for xlink:href, which Python keywords cannot spell.
    names = {k.replace("xlink__", f"{{{XLINK}}}"): v for k, v in attrs.items()}
    node = etree.SubElement(parent, f"{{{NS}}}{tag}", names)
    if text is not None:
        node.text = text
    return node


def _para(parent: etree._Element, tag: str, text: str) -> None:
    _el(_el(parent, tag), "p", text)


def build(snap: Snapshot, files: list[PackageFile]) -> bytes:
    root = etree.Element(f"{{{NS}}}ead", nsmap={None: NS, "xlink": XLINK})
    header = _el(root, "eadheader")
    _el(header, "eadid", snap.code, countrycode="VN")
    _el(_el(_el(header, "filedesc"), "titlestmt"), "titleproper", snap.title)
    profile = _el(header, "profiledesc")
    creation = _el(profile, "creation", "Lập bởi hệ thống QLVB ")
    _el(creation, "date", snap.taken_at.strftime("%d/%m/%Y"), normal=snap.taken_at.date().isoformat())
    _el(_el(profile, "langusage"), "language", "Tiếng Việt", langcode="vie")

    archdesc = _el(root, "archdesc", level="file")
    did = _el(archdesc, "did")
    _el(did, "unitid", snap.code, countrycode="VN")
    _el(did, "unittitle", snap.title)
    if snap.start and snap.end:
        _el(did, "unitdate", f"{snap.start:%d/%m/%Y} – {snap.end:%d/%m/%Y}",
            normal=f"{snap.start.isoformat()}/{snap.end.isoformat()}")
    _el(_el(did, "origination", label="Cơ quan hình thành"), "corpname", snap.agency_name)
    pages = sum(i.pages or 0 for i in snap.items)
    _el(_el(did, "physdesc"), "extent", f"{len(snap.items)} văn bản, {pages} tờ")
    _el(_el(did, "langmaterial"), "language", "Tiếng Việt", langcode="vie")
    _para(archdesc, "accessrestrict", f"Chế độ sử dụng: {snap.access}")
    until = f" (đến hết ngày {snap.retention_until:%d/%m/%Y})" if snap.retention_until else ""
    _para(archdesc, "appraisal", f"Thời hạn bảo quản: {snap.retention}{until}")
    if snap.description:
        _para(archdesc, "scopecontent", snap.description)
    dsc = _el(archdesc, "dsc")
    for item in snap.items:
        c = _el(dsc, "c", level="item", id=f"doc-{item.ordinal}")
        item_did = _el(c, "did")
        if item.number_symbol:
            _el(item_did, "unitid", item.number_symbol)
        _el(item_did, "unittitle", f"{item.type_name} {item.subject}".strip())
        _el(item_did, "unitdate", f"{item.dated:%d/%m/%Y}", normal=item.dated.isoformat())
        _el(_el(item_did, "origination"), "corpname", item.issuer)
        if item.pages:
            _el(_el(item_did, "physdesc"), "extent", f"{item.pages} tờ")
        group = _el(item_did, "daogrp")
        for f in (f for f in files if f.ordinal == item.ordinal):
            _el(group, "daoloc", xlink__type="locator", xlink__href=f.href, xlink__title=f.original_name,
                xlink__role=f.representation)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
