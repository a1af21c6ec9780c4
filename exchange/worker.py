"""The worker's exchange job (run by ``qlvb worker`` at every sweep): send what is due in the
outbox, then import what adapters left in the partners' inbox folders."""

from __future__ import annotations

import io

from sqlalchemy import select

from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import Agency, Partner

from . import codec, inbound, outbox
from .transport import folder, for_partner

PACKAGE_MAX = 1024 * 1024 * 1024  # what we built ourselves; the receiver sets its own limit


def _accept(_head: bytes) -> None:
    """Our own packages need no upload check."""


def sweep(platform: Platform) -> int:
    """One sweep; returns the packages delivered and imported."""
    settings = platform.settings
    store = FileStore(settings.files_dir)

    def put(data: bytes) -> str:
        return store.put(io.BytesIO(data), PACKAGE_MAX, _accept)[0]

    def get(sha: str) -> bytes:
        return store.path(sha).read_bytes()

    done = outbox.run(platform.db, platform.clock.now, codec.preparer(platform), put, get,
                      lambda p: for_partner(p, settings.pki_dir), settings.exchange_retry_seconds)
    return done + read_folders(platform)


def read_folders(platform: Platform) -> int:
    with platform.db.read() as session:
        rows = session.execute(select(Partner, Agency.identifier_code).join(Agency, Agency.id == Partner.agency_id)
                               .where(Partner.transport == "folder", Partner.active.is_(True))).all()
        for partner, _ in rows:
            session.expunge(partner)
    imported = 0
    for partner, organ in rows:
        for path in folder.waiting(partner):
            reply = inbound.receive(platform, partner.agency_id, partner, organ, path.read_bytes(), codec.parse)
            folder.settle(path, reply.body.get("description") if reply.http == 422 else None)
            imported += reply.http != 422
    return imported
