"""One open database file with a reminder service on it, like one app instance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from db import open_db
from desktop.core.clock import Clock, to_iso
from desktop.core.content.model import ReminderRule
from desktop.services.audit import AuditLog
from desktop.services.reminders import ReminderService
from desktop.services.settings import SettingsStore


class ReminderEnv:
    def __init__(self, path: Path, clock: Clock, rules: Sequence[ReminderRule]) -> None:
        self.db = open_db(path)
        self.clock = clock
        self.audit = AuditLog(self.db, clock)
        self.settings = SettingsStore(self.db)
        self.service = ReminderService(self.db, clock, self.audit, self.settings, lambda: rules)

    def add_call(
        self,
        phone: str = "13800138000",
        name: str = "张三",
        intent: str = "complaint",
        notes: str = "",
    ) -> str:
        """A finished call row to hang reminders on."""
        call_id = f"call-{self.db['calls'].count + 1}"
        self.db["calls"].insert(
            {
                "id": call_id,
                "phone": phone,
                "caller_name": name,
                "started_at": to_iso(self.clock.now()),
                "status": "completed",
                "intent": intent,
                "notes": notes,
            }
        )
        return call_id

    def close(self) -> None:
        self.db.close()
