"""Migration 2: follow-up reminders survive deleted calls and remember their case and promise.

SQLite cannot change a foreign key in place, so `reminders` is rebuilt (no table references
it, so this is safe with foreign keys on). Changes:
- `call_id` and the new `callback_call_id` become ON DELETE SET NULL: deleting a call keeps
  its reminders working from their stored phone and customer name.
- new columns: `case_id` (the call that opened the case; repeats and resolution follow it),
  `call_type`, `target_at` (the committed time, moved by rescheduling but not by snoozing;
  "kept" is measured against it), `repeat_minutes`, `shift_office_hours`,
  `callback_call_id` / `callback_at` (the first call made for the reminder).
- `kind` is guarded like `status`; an index serves "the next reminder to fire".
"""

from __future__ import annotations

from db.database import Database
from db.schema_v1 import REMINDER_STATUSES, _enum_guard

REMINDER_KINDS = ("callback", "first_response", "progress", "revisit")

_COPIED = (
    "id, call_id, phone, customer_name, kind, rule_key, due_at, status, created_at, "
    "fired_at, done_at, note, result"
)


def apply(db: Database) -> None:
    db.execute(
        """CREATE TABLE reminders_v2 (
            id TEXT PRIMARY KEY,
            call_id TEXT REFERENCES calls(id) ON DELETE SET NULL,
            case_id TEXT NOT NULL DEFAULT '',
            call_type TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            customer_name TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL,
            rule_key TEXT NOT NULL DEFAULT '',
            due_at TEXT NOT NULL,
            target_at TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            fired_at TEXT,
            done_at TEXT,
            note TEXT NOT NULL DEFAULT '',
            result TEXT,
            repeat_minutes INTEGER NOT NULL DEFAULT 0,
            shift_office_hours INTEGER NOT NULL DEFAULT 0,
            callback_call_id TEXT REFERENCES calls(id) ON DELETE SET NULL,
            callback_at TEXT
        )"""
    )
    db.execute(
        f"""INSERT INTO reminders_v2 ({_COPIED}, case_id, target_at)
        SELECT id, call_id, COALESCE(phone, ''), COALESCE(customer_name, ''), kind,
               COALESCE(rule_key, ''), due_at, status, created_at, fired_at, done_at,
               COALESCE(note, ''), result, COALESCE(call_id, ''), due_at
        FROM reminders"""
    )
    db.execute("DROP TABLE reminders")
    db.execute("ALTER TABLE reminders_v2 RENAME TO reminders")
    db.execute("CREATE INDEX idx_reminders_status_due_at ON reminders (status, due_at)")
    db.execute("CREATE INDEX idx_reminders_call_id ON reminders (call_id)")
    db.execute("CREATE INDEX idx_reminders_case_id ON reminders (case_id)")
    db.execute("CREATE INDEX idx_reminders_callback_call_id ON reminders (callback_call_id)")
    db.execute("CREATE INDEX idx_reminders_target_at ON reminders (target_at)")
    db.execute(
        "CREATE INDEX idx_reminders_armed_due ON reminders (due_at) "
        "WHERE fired_at IS NULL AND status IN ('pending', 'snoozed')"
    )
    _enum_guard(db, "reminders", "status", REMINDER_STATUSES)
    _enum_guard(db, "reminders", "kind", REMINDER_KINDS)
