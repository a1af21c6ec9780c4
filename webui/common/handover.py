"""A record's hand-over package (gói nộp lưu) as a download, for the API and the pages alike: the
snapshot is read in one short transaction, the package made and validated outside any (copies,
PDF/A conversion, XSD checks), the making audited in a second one, and only then is the zip
streamed from a file already unlinked, so that nothing is left on disk, whatever happens."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.archives import contents, handover
from engine.documents.storage import FileStore
from engine.models import User

from . import downloads
from .context import platform, transaction


def store() -> FileStore:
    return FileStore(platform().settings.files_dir)


def download(identify: Callable[[Session, datetime], User], record_id: int) -> Any:
    with transaction(False) as (session, now):
        user = identify(session, now)
        snap, user_id = contents.take(session, user, record_id, now), user.id
    with tempfile.TemporaryDirectory(prefix="qlvb-handover-") as work:
        made = handover.build(store(), snap, Path(work))
        with transaction(True) as (session, now):
            handover.audit_made(session, user_id, snap, made, now)
        stream = made.path.open("rb")  # still readable once the folder is gone
    return downloads.send(stream, made.filename, "application/zip", attachment=True)
