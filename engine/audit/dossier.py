"""Hồ sơ kiểm tra: a case's audit dossier as one ZIP an auditor takes away and checks
without the platform: the case's audit entries exactly as hashed (with the entries just
before and after them in their agency's chain, so each link can be checked), every stored version
of its files (the signed PDFs among them) and a manifest of SHA-256 sums in the format of
``sha256sum -c``. Each export is itself written to the audit log with the archive's hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.audit import auditing, verification
from engine.audit import chain as audit
from engine.documents import filenames
from engine.documents.storage import FileStore
from engine.models import AuditEntry, User

LOG_NAME = "nhat-ky-kiem-tra.json"
MANIFEST_NAME = "SHA256SUMS"


def _entry(e: AuditEntry) -> dict[str, Any]:
    """Every field ``audit.entry_hash`` covers, as stored (the payload as its canonical text)."""
    return {"id": e.id, "chain": e.chain, "seq": e.seq, "at": e.at.isoformat(), "actor_id": e.actor_id,
            "on_behalf_of_id": e.on_behalf_of_id,
            "action": e.action, "case_id": e.case_id, "task_id": e.task_id, "payload": e.payload,
            "prev_hash": e.prev_hash, "hash": e.hash}


def _member(archive: zipfile.ZipFile, name: str, content: bytes, now: datetime, sums: list[str]) -> None:
    info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, content)
    sums.append(f"{hashlib.sha256(content).hexdigest()}  {name}")


def export(session: Session, user: User, case_id: int, store: FileStore, now: datetime) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of the case's dossier; the export is logged against the case."""
    case = auditing.auditable_case(session, user, case_id)
    entries = audit.case_entries(session, case.id)
    files = auditing.case_files(session, case, entries)
    stored, missing = [], []
    for f in files:
        try:
            stored.append((f, store.path(f.sha256).read_bytes()))
        except OSError:
            missing.append(f.sha256)
    log = {
        "case": {"id": case.id, "title": case.title, "status": case.status.value, "agency_id": case.agency_id,
                 "process_version_id": case.process_version_id},
        "exported_at": now.isoformat(), "exported_by": user.username,
        "entries": [_entry(e) for e in entries],
        "neighbours": [{"chain": n.chain, "seq": n.seq, "prev_hash": n.prev_hash, "hash": n.hash}
                       for _, n in sorted(audit.neighbours(session, entries).items())],
        "chain_findings": [str(f) for f in verification.verify_entries(session, entries)],
        "missing_files": missing,
    }
    buffer = io.BytesIO()
    sums: list[str] = []
    with zipfile.ZipFile(buffer, "w") as archive:
        _member(archive, LOG_NAME, json.dumps(log, ensure_ascii=False, indent=1).encode(), now, sums)
        for f, content in stored:
            # Names stored before uploads were made safe (engine/documents/filenames.py) may hold "../".
            _member(archive, f"tep/{f.sha256[:12]}-{filenames.safe(f.filename)}", content, now, sums)
        archive.writestr(zipfile.ZipInfo(MANIFEST_NAME, date_time=now.timetuple()[:6]), "\n".join(sums) + "\n")
    content = buffer.getvalue()
    audit.append(session, at=now, action="dossier_exported", actor_id=user.id, case_id=case.id,
                 payload={"archive_sha256": hashlib.sha256(content).hexdigest(), "entries": len(entries),
                          "files": [f.sha256 for f, _ in stored]})
    return f"ho-so-kiem-tra-{case.id}.zip", content
