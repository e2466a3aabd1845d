"""Agent settings kept in the agent's own database, so they travel with the file."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import time

from db import Database, transaction
from desktop.core.calendar import AgentCalendar, calendar_from_settings, is_known_zone
from desktop.core.changes import ChangeBus, OpChanges


@dataclass(frozen=True, slots=True)
class Settings:
    agent_name: str = "小王"
    agent_id: str = "1001"
    company: str = "示例科技"
    hotline: str = "400-800-1234"
    timezone: str = "Asia/Shanghai"
    office_start: str = "09:00"  # office hours, local time, HH:MM
    office_end: str = "18:00"
    office_days: str = "1,2,3,4,5,6"  # ISO weekdays, Monday = 1
    grace_minutes: int = 15  # a callback is "kept" if made within this long after due
    baresip: str = ""  # HOST:PORT of baresip's ctrl_tcp, "" = off
    mask_numbers: bool = True
    # the lead's saved center database (issue 17): a postgresql:// URL without a password
    center_url: str = ""

    def office_hours(self) -> tuple[time, time, frozenset[int]]:
        days = frozenset(int(d) for d in self.office_days.split(",") if d.strip().isdigit())
        return time.fromisoformat(self.office_start), time.fromisoformat(self.office_end), days


class SettingsStore:
    """Reads and writes Settings in the `settings` table; unknown or bad values fall back."""

    def __init__(self, db: Database, bus: ChangeBus | None = None) -> None:
        self._db = db
        self.bus = bus or ChangeBus()
        self.current = self._load()
        self._calendar = calendar_from_settings(self.current)

    def needs_first_run(self) -> bool:
        """True until the agent has set their own name: the defaults (示例科技 小王 工号1001)
        must never greet a real customer."""
        row = self._db.execute("SELECT 1 FROM settings WHERE key = 'agent_name'").fetchone()
        return row is None

    def calendar(self) -> AgentCalendar:
        """The time policy for the current settings (rebuilt when they change)."""
        return self._calendar

    def _load(self) -> Settings:
        stored = dict(self._db.execute("SELECT key, value FROM settings").fetchall())
        values: dict[str, object] = {}
        for f in fields(Settings):
            if f.name not in stored:
                continue
            raw = stored[f.name]
            try:
                if f.type == "bool":
                    values[f.name] = raw == "1"
                elif f.type == "int":
                    values[f.name] = int(raw)
                else:
                    values[f.name] = raw
            except (TypeError, ValueError):
                continue
        return Settings(**values)  # type: ignore[arg-type]

    def update(self, **changes: object) -> Settings:
        new = replace(self.current, **changes)  # type: ignore[arg-type]
        new.office_hours()  # validate before storing
        if not is_known_zone(new.timezone):
            raise ValueError(f"未知的时区：{new.timezone}")
        with transaction(self._db):
            for name, value in changes.items():
                text = ("1" if value else "0") if isinstance(value, bool) else str(value)
                self._db.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [name, text],
                )
        self.current = new
        self._calendar = calendar_from_settings(new)
        self.bus.publish(OpChanges(settings=True))
        return new
