"""Which scripts an agent copies and pins: usage rows and favourites (plain SQL)."""

from __future__ import annotations

from collections.abc import Callable

from db import Database, transaction
from desktop.core.clock import Clock, to_iso


class ScriptUsage:
    def __init__(self, db: Database, clock: Clock, agent: Callable[[], str] = lambda: "") -> None:
        self._db = db
        self._clock = clock
        self._agent = agent

    def mark_used(self, call_id: str | None, script_id: str) -> None:
        self._db.execute(
            "INSERT INTO script_uses (call_id, script_id, used_at) VALUES (?, ?, ?)",
            [call_id, script_id, to_iso(self._clock.now())],
        )

    def used_scripts(self, call_id: str) -> list[str]:
        rows = self._db.execute(
            "SELECT script_id FROM script_uses WHERE call_id = ? ORDER BY id", [call_id]
        )
        return [r[0] for r in rows]

    def usage_counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT script_id, count(*) FROM script_uses GROUP BY script_id")
        return dict(rows.fetchall())

    def favourites(self) -> list[str]:
        rows = self._db.execute(
            "SELECT script_id FROM favourites WHERE agent = ? ORDER BY pinned_at", [self._agent()]
        )
        return [r[0] for r in rows]

    def set_favourite(self, script_id: str, pinned: bool) -> None:
        with transaction(self._db):
            if pinned:
                self._db.execute(
                    "INSERT INTO favourites (agent, script_id, pinned_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(agent, script_id) DO UPDATE SET pinned_at = excluded.pinned_at",
                    [self._agent(), script_id, to_iso(self._clock.now())],
                )
            else:
                self._db.execute(
                    "DELETE FROM favourites WHERE agent = ? AND script_id = ?",
                    [self._agent(), script_id],
                )
