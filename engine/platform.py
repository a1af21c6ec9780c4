"""The running platform: settings, database and clock, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from .clock import Clock, SystemClock
from .config import Settings
from .db import Database


@dataclass
class Platform:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Platform:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        settings.files_dir.mkdir(parents=True, exist_ok=True)
        return cls(settings=settings, db=Database(settings.database_url), clock=clock or SystemClock())
