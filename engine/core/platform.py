"""The running platform: settings, database and clock, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.core import script_budget
from engine.core.clock import Clock, SystemClock
from engine.core.config import Settings
from engine.core.db import Database


@dataclass
class Platform:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Platform:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        settings.files_dir.mkdir(parents=True, exist_ok=True)
        script_budget.configure(script_budget.Limits(settings.script_max_steps, settings.script_max_value_bytes,
                                                     settings.script_max_seconds))
        return cls(settings=settings, db=Database(settings.database_url), clock=clock or SystemClock())
