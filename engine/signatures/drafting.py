"""What a leader's signature is made of: the document's main file, the titles under the
signature (KT., TL.), the agency's name, and the draft's preparation. Read in a transaction
(:func:`leader_draft`); the PDF work (:meth:`LeaderDraft.prepare`) may then run outside it, as
ký số từ xa does (engine.remote_signing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.documents.storage import FileStore
from engine.models import Agency, Document, DocumentFile, Position, Unit, User, UserPosition
from engine.registry import placement
from signing.errors import SigningError
from signing.pades import pdfsign
from signing.pdf import copies, draft


def main_file(doc: Document) -> DocumentFile:
    main = next((f for f in doc.files if f.role == "main"), None)
    if main is None:
        raise InvalidData("Văn bản chưa có tệp chính (PDF) để ký.", {"file": "Cần tải tệp chính trước khi ký."})
    return main



def titles(session: Session, doc: Document, user: User, props: dict[str, str]) -> tuple[str, str, str]:
    """(authority, position, the text under the signature): ``KT.`` when a deputy signs for the
    head, the task's ``signerAuthority`` (``TL.``) and ``signerPosition`` when it names them."""
    positions = set(session.scalars(
        select(UserPosition.position).join(Unit, Unit.id == UserPosition.unit_id)
        .where(UserPosition.user_id == user.id, Unit.agency_id == doc.agency_id)
    ))
    deputy = Position.DEPUTY_DIRECTOR in positions and Position.DIRECTOR not in positions
    position = props.get("signerPosition") or ("Phó Giám đốc" if deputy else "Giám đốc")
    authority = props.get("signerAuthority") or ("KT." if deputy else "")
    lines = [f"{authority} GIÁM ĐỐC", position.upper()] if authority else [position.upper()]
    return authority, position, "\n".join(lines)


def agency_of(session: Session, doc: Document) -> Agency:
    agency = session.get(Agency, doc.agency_id)
    assert agency is not None
    return agency


@dataclass(frozen=True)
class LeaderDraft:
    """What the leader's signature is made of, read in a transaction; the PDF work
    (:meth:`prepare`) can then run outside it (ký số từ xa)."""

    pdf: Path
    copy_kind: str | None
    copy_pages: str | None  # a trích sao's extract
    agency: str
    placed: Any
    symbol: str | None
    text: str  # the titles under the signature
    image: bytes | None  # the signature image, for the leader's own signature only

    def prepare(self) -> bytes:
        pdf = self.pdf.read_bytes()
        try:
            if self.copy_kind is not None:  # the original, signed or not, flattened, and the copy form after it
                return copies.prepare_copy(pdf, self.copy_kind, self.agency, self.copy_pages)
            if draft.LEADER_FIELD in draft.signed_fields(draft.read(pdf)):  # prepared, maybe approved (ký nháy)
                return pdf
            return draft.prepare_draft(pdf, placed=self.placed, symbol=self.symbol)
        except SigningError as err:
            raise InvalidData(err.message, {"file": err.message}) from None

    def step(self, subject_name: str, now: datetime) -> pdfsign.Step:
        """"Ký bởi" names the certificate's subject, not the account."""
        assert self.image is not None
        return pdfsign.leader_step(subject_name, self.text, self.agency, self.image, now)


def leader_draft(session: Session, store: FileStore, image: bytes | None, doc: Document, user: User,
                 props: dict[str, str]) -> LeaderDraft:
    """``image``: the leader's signature image (None for an approval signature, ký nháy)."""
    _, _, text = titles(session, doc, user, props)
    return LeaderDraft(store.path(main_file(doc).sha256), doc.copy_kind, doc.copy_pages,
                       agency_of(session, doc).name, placement.placement_of(doc), placement.symbol_of(session, doc),
                       text, image)
