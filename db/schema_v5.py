"""Migration 5: what log bundles need to merge without duplicates (docs/bundles.md).

- `calls.updated_at`, `reminders.updated_at`: set by triggers on every insert and update, so
  the many code paths that write calls keep it current without knowing; strictly increasing
  per row (a write in the same millisecond, or after the clock went back, adds 1-2 ms), so a
  newer bundle always wins over an older one. An UPDATE that sets `updated_at` itself (the
  bundle import) keeps the value it sets.
- `uid` on `call_intents`, `checklist_ticks`, `script_uses`, `audit_log`: a stable key that
  travels with the row (their integer ids are local). New rows get a random one from a
  trigger; existing rows a deterministic hash of the row, so two copies of one file agree.
- `bundle_imports`: every bundle merged into this database (its checksum, source database and
  agent), so importing the very same bundle again is recognised without re-reading it.
- `reminders.agent`: whose reminder it is once bundles of many agents share one database;
  backfilled from the reminder's call, else the agent id in settings.
"""

from __future__ import annotations

import hashlib
import json

from db.database import Database

UID_TABLES = ("call_intents", "checklist_ticks", "script_uses", "audit_log")
VERSIONED_TABLES = ("calls", "reminders")

NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
UID_SQL = "lower(hex(randomblob(16)))"  # a new row's uid


def _next_version(old: str) -> str:
    """SQL for a timestamp later than `old` (a column reference): now, or old + ~1 ms."""
    return (
        f"CASE WHEN {old} IS NULL OR {NOW_SQL} > {old} THEN {NOW_SQL} "
        f"ELSE strftime('%Y-%m-%dT%H:%M:%fZ', julianday({old}) + 0.0015 / 86400.0) END"
    )


def _uid_for(table: str, row: tuple) -> str:
    text = json.dumps([table, *row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def apply(db: Database) -> None:
    conn = db.conn
    conn.execute("ALTER TABLE calls ADD COLUMN updated_at TEXT")
    conn.execute(
        "UPDATE calls SET updated_at = max(started_at, COALESCE(answered_at, ''), "
        "COALESCE(ended_at, ''), COALESCE(completed_at, ''), COALESCE(notes_saved_at, ''))"
    )
    conn.execute("ALTER TABLE reminders ADD COLUMN agent TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE reminders ADD COLUMN updated_at TEXT")
    own = conn.execute("SELECT value FROM settings WHERE key = 'agent_id'").fetchone()
    conn.execute(
        "UPDATE reminders SET agent = COALESCE((SELECT c.agent FROM calls c "
        "WHERE c.id = COALESCE(reminders.call_id, NULLIF(reminders.case_id, ''))), ?, ''), "
        "updated_at = max(created_at, COALESCE(fired_at, ''), COALESCE(done_at, ''), "
        "COALESCE(callback_at, ''))",
        [own[0] if own else ""],
    )
    for table in VERSIONED_TABLES:
        conn.execute(f"CREATE INDEX idx_{table}_updated_at ON {table} (updated_at)")
        conn.execute(
            f"""CREATE TRIGGER {table}_updated_at_insert AFTER INSERT ON {table}
            WHEN NEW.updated_at IS NULL
            BEGIN UPDATE {table} SET updated_at = {NOW_SQL} WHERE rowid = NEW.rowid; END"""
        )
        conn.execute(
            f"""CREATE TRIGGER {table}_updated_at_update AFTER UPDATE ON {table}
            WHEN NEW.updated_at IS OLD.updated_at
            BEGIN UPDATE {table} SET updated_at = {_next_version("OLD.updated_at")}
            WHERE rowid = NEW.rowid; END"""
        )
    for table in UID_TABLES:
        rows = conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()  # before uid
        conn.execute(f"ALTER TABLE {table} ADD COLUMN uid TEXT")
        conn.executemany(
            f"UPDATE {table} SET uid = ? WHERE id = ?", ((_uid_for(table, r), r[0]) for r in rows)
        )
        conn.execute(f"CREATE UNIQUE INDEX idx_{table}_uid ON {table} (uid)")
        conn.execute(
            f"""CREATE TRIGGER {table}_uid_insert AFTER INSERT ON {table}
            WHEN NEW.uid IS NULL
            BEGIN UPDATE {table} SET uid = {UID_SQL} WHERE rowid = NEW.rowid;
            END"""
        )
    conn.execute("CREATE INDEX idx_audit_log_at ON audit_log (at)")
    conn.execute(
        """CREATE TABLE bundle_imports (
            checksum TEXT PRIMARY KEY,
            database_id TEXT NOT NULL,
            agent_id TEXT NOT NULL,
            file TEXT NOT NULL,
            created_at TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            counts TEXT NOT NULL
        )"""
    )
