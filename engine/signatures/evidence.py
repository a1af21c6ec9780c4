"""The evidence kept with each signature the platform makes (Circular 15/2025/TT-BKHCN Art. 5:
the signing certificate, the CRL or OCSP response at signing time, the check's result)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import SignatureEvidence
from signing.pades.longterm import Signed


def record(session: Session, document_id: int, file_sha256: str, field: str, user_id: int | None,
           signed: Signed, certificate_der: bytes, now: datetime) -> SignatureEvidence:
    check = signed.check
    row = SignatureEvidence(
        document_id=document_id, file_sha256=file_sha256, field=field, user_id=user_id, signed_at=now,
        level=signed.level, status=check.status.value, source=check.source, checked_at=check.checked_at,
        warning=signed.warning, certificate=certificate_der,
        ocsp_responses=json.dumps([base64.b64encode(r).decode() for r in check.ocsp_responses]),
        crls=json.dumps([base64.b64encode(c).decode() for c in check.crls]))
    session.add(row)
    session.flush()
    return row


def describe(row: SignatureEvidence) -> dict[str, Any]:
    return {"field": row.field, "file_sha256": row.file_sha256, "signed_at": row.signed_at.isoformat(),
            "level": row.level, "status": row.status, "source": row.source,
            "checked_at": row.checked_at.isoformat(), "warning": row.warning,
            "ocsp_responses": len(json.loads(row.ocsp_responses)), "crls": len(json.loads(row.crls))}


def of_document(session: Session, document_id: int) -> list[SignatureEvidence]:
    return list(session.scalars(select(SignatureEvidence).where(SignatureEvidence.document_id == document_id)
                                .order_by(SignatureEvidence.id)))
