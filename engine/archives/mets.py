"""The package's root ``METS.xml`` in the E-ARK Common Specification for Information Packages
(CSIP) profile: the CSIP attributes on the root (OBJID, TYPE, csip:CONTENTINFORMATIONTYPE,
PROFILE) and header (csip:OAISPACKAGETYPE), the EAD and PREMIS files referenced with their
SHA-256, one file group per representation (the originals unchanged; their PDF/A copies) and the
CSIP physical structure map."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from engine.archives.contents import PackageFile, Snapshot

NS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
PROFILE = "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
REPRESENTATIONS = ("rep1", "rep2")  # the originals unchanged; their PDF/A copies


@dataclass(frozen=True)
class MetadataFile:
    href: str  # metadata/descriptive/ead.xml, metadata/preservation/premis.xml
    sha256: str
    size: int


def _el(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)


def _ref(parent: etree._Element, md: MetadataFile, mdtype: str, created: str) -> None:
    _el(parent, "mdRef", LOCTYPE="URL", MDTYPE=mdtype, MIMETYPE="text/xml", SIZE=str(md.size), CREATED=created,
        CHECKSUM=md.sha256, CHECKSUMTYPE="SHA-256",
        **{f"{{{XLINK}}}type": "simple", f"{{{XLINK}}}href": md.href})


def build(snap: Snapshot, files: list[PackageFile], ead: MetadataFile, premis: MetadataFile) -> bytes:
    created = snap.taken_at.isoformat(timespec="seconds")
    root = etree.Element(f"{{{NS}}}mets", {
        "OBJID": snap.code, "TYPE": "Textual", "LABEL": snap.title, "PROFILE": PROFILE,
        f"{{{CSIP}}}CONTENTINFORMATIONTYPE": "MIXED"}, nsmap={None: NS, "xlink": XLINK, "csip": CSIP})
    header = _el(root, "metsHdr", CREATEDATE=created, RECORDSTATUS="NEW", **{f"{{{CSIP}}}OAISPACKAGETYPE": "SIP"})
    software = _el(header, "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    etree.SubElement(software, f"{{{NS}}}name").text = "QLVB"
    etree.SubElement(software, f"{{{NS}}}note", {f"{{{CSIP}}}NOTETYPE": "SOFTWARE VERSION"}).text = "0.1.0"
    agency = _el(header, "agent", ROLE="CREATOR", TYPE="ORGANIZATION")
    etree.SubElement(agency, f"{{{NS}}}name").text = snap.agency_name
    etree.SubElement(agency, f"{{{NS}}}note", {f"{{{CSIP}}}NOTETYPE": "IDENTIFICATIONCODE"}).text = snap.agency_code

    _ref(_el(root, "dmdSec", ID="dmd-ead", CREATED=created, STATUS="CURRENT"), ead, "EAD", created)
    _ref(_el(_el(root, "amdSec", ID="amd"), "digiprovMD", ID="digiprov-premis", STATUS="CURRENT"), premis, "PREMIS",
         created)

    file_sec = _el(root, "fileSec", ID="filesec")
    ids: dict[str, list[str]] = {}
    for rep in REPRESENTATIONS:
        chosen = [f for f in files if f.representation == rep]
        if not chosen:
            continue
        group = _el(file_sec, "fileGrp", ID=f"grp-{rep}", USE=f"Representations/{rep}", ADMID="digiprov-premis")
        for n, f in enumerate(chosen, start=1):
            file_id = f"file-{rep}-{n}"
            ids.setdefault(rep, []).append(file_id)
            node = _el(group, "file", ID=file_id, MIMETYPE=f.mime, SIZE=str(f.size), CREATED=created,
                       CHECKSUM=f.sha256, CHECKSUMTYPE="SHA-256")
            _el(node, "FLocat", LOCTYPE="URL", **{f"{{{XLINK}}}type": "simple", f"{{{XLINK}}}href": f.href})

    struct = _el(root, "structMap", ID="structmap-csip", TYPE="PHYSICAL", LABEL="CSIP")
    top = _el(struct, "div", ID="div-root", LABEL=snap.code)
    _el(top, "div", ID="div-metadata", LABEL="Metadata", DMDID="dmd-ead", ADMID="digiprov-premis")
    for rep, file_ids in ids.items():
        div = _el(top, "div", ID=f"div-{rep}", LABEL=f"Representations/{rep}")
        for file_id in file_ids:
            _el(div, "fptr", FILEID=file_id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
