"""Firing: claim what is due with a conditional UPDATE, so exactly one process or thread
shows each firing, across restarts and second instances."""

from __future__ import annotations

from db import Database, transaction
from db.row_version import TOUCH
from desktop.core.clock import Clock, parse_iso, to_iso
from desktop.services.audit import AuditLog
from desktop.services.reminders.store import (
    _ARMED,
    _OWN,
)


class ReminderFiring:
    def __init__(self, db: Database, clock: Clock, audit: AuditLog) -> None:
        self._db = db
        self._clock = clock
        self._audit = audit

    def fire_due(self) -> list[str]:
        """Claim every reminder whose time has come and that nobody has shown yet; returns
        the ids this caller must show, earliest first. Safe to call from any number of
        processes: each firing is won exactly once."""
        now = self._clock.now()
        now_iso = to_iso(now)
        with transaction(self._db):
            rows = self._db.execute(
                f"SELECT id, due_at FROM reminders WHERE {_OWN} AND fired_at IS NULL "
                f"AND status IN ({_ARMED}) AND due_at <= ? ORDER BY due_at",
                [now_iso],
            ).fetchall()
            if not rows:
                return []
            self._db.execute(
                f"UPDATE reminders SET status = 'fired', fired_at = ?, {TOUCH} WHERE {_OWN} "
                f"AND fired_at IS NULL AND status IN ({_ARMED}) AND due_at <= ?",
                [now_iso, now_iso, now_iso],
            )
            for reminder_id, due_at in rows:
                late = int((now - parse_iso(due_at)).total_seconds())
                self._audit.record("reminder.fired", "reminder", reminder_id, late_seconds=late)
        return [r[0] for r in rows]

    def mark_fired(self, reminder_id: str) -> bool:
        """Record that this reminder is being shown; False if someone already showed it."""
        now_iso = to_iso(self._clock.now())
        with transaction(self._db):
            won = (
                self._db.execute(
                    f"UPDATE reminders SET status = 'fired', fired_at = ?, {TOUCH} "
                    f"WHERE id = ? AND fired_at IS NULL AND status IN ({_ARMED})",
                    [now_iso, now_iso, reminder_id],
                ).rowcount
                == 1
            )
            if won:
                self._audit.record("reminder.fired", "reminder", reminder_id)
        return won
