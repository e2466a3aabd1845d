"""The audit trail: every action an agent takes on calls and reminders, append-only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from db import Database
from desktop.core.clock import Clock, to_iso


class AuditLog:
    """`actor` is read at every row (a callable returning the agent id from settings), so a
    change of agent in settings shows in the very next audit row."""

    def __init__(self, db: Database, clock: Clock, actor: Callable[[], str] | str = "") -> None:
        self._db = db
        self._clock = clock
        self._actor: Callable[[], str] = actor if callable(actor) else (lambda: actor)

    @property
    def actor(self) -> str:
        return self._actor()

    def record(self, action: str, entity: str, entity_id: str, **detail: Any) -> None:
        """Append one row; `detail` is stored as JSON so leads can query it with json_extract.
        A plain INSERT: table.insert() introspects the table on every call (25x slower),
        which shows when thousands of overdue reminders fire at once."""
        self._db.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                to_iso(self._clock.now()),
                self._actor(),
                action,
                entity,
                entity_id,
                json.dumps(detail, ensure_ascii=False) if detail else "",
            ],
        )

    def for_entity(self, entity: str, entity_id: str) -> list[dict[str, Any]]:
        cur = self._db.execute(
            "SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id",
            [entity, entity_id],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
