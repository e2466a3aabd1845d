"""Agent settings kept in the agent's own database, so they travel with the file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import time

import sqlite_utils


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

    def office_hours(self) -> tuple[time, time, frozenset[int]]:
        days = frozenset(int(d) for d in self.office_days.split(",") if d.strip().isdigit())
        return time.fromisoformat(self.office_start), time.fromisoformat(self.office_end), days


class SettingsStore:
    """Reads and writes Settings in the `settings` table; unknown or bad values fall back."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db
        self._listeners: list[Callable[[Settings], None]] = []
        self.current = self._load()

    def _load(self) -> Settings:
        stored = {row["key"]: row["value"] for row in self._db["settings"].rows}
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
        rows = []
        for name, value in changes.items():
            text = ("1" if value else "0") if isinstance(value, bool) else str(value)
            rows.append({"key": name, "value": text})
        self._db.table("settings").upsert_all(rows, pk="key")
        self.current = new
        for listener in list(self._listeners):
            listener(new)
        return new

    def subscribe(self, listener: Callable[[Settings], None]) -> None:
        self._listeners.append(listener)
