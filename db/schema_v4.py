"""Migration 4: QA evaluations for the team lead's review, and indexes for the call browser.

`qa_evaluations` is append-only: a saved evaluation is never edited; a newer one for the
same call names the one it replaces in `supersedes_id`. `items` is a JSON array of
`{"key", "label", "points", "max", "auto", "note"}` objects; `score` is 0-100.

The checklist index covers what adherence reads (no table lookup per tick). The browser's
filters and sorts walk an index on (column, started_at), so a filtered, sorted first page
reads about one page of rows. Nullable columns are indexed as
`COALESCE(column, '')`, the expression the browser sorts on (a NULL would break keyset paging).
"""

from __future__ import annotations

from db.database import Database


def apply(db: Database) -> None:
    db.execute(
        """CREATE TABLE qa_evaluations (
            id TEXT PRIMARY KEY,
            call_id TEXT NOT NULL,
            agent TEXT NOT NULL DEFAULT '',
            evaluator TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            items TEXT NOT NULL DEFAULT '[]',
            score REAL,
            comment TEXT NOT NULL DEFAULT '',
            supersedes_id TEXT REFERENCES qa_evaluations(id)
        )"""
    )
    db.execute("CREATE INDEX idx_qa_evaluations_call_id ON qa_evaluations (call_id, created_at)")
    db.execute("CREATE INDEX idx_qa_evaluations_supersedes ON qa_evaluations (supersedes_id)")
    for trigger, event in (
        ("qa_evaluations_no_update", "UPDATE"),
        ("qa_evaluations_no_delete", "DELETE"),
    ):
        db.execute(
            f"""CREATE TRIGGER {trigger} BEFORE {event} ON qa_evaluations
            BEGIN SELECT RAISE(ABORT, 'qa_evaluations is append-only'); END"""
        )
    for column in ("agent", "intent", "outcome", "priority"):
        db.execute(
            f"CREATE INDEX idx_calls_{column}_started ON calls (COALESCE({column}, ''), started_at)"
        )
    db.execute(
        "CREATE INDEX idx_checklist_ticks_call_step ON checklist_ticks "
        "(call_id, step_key, ticked_at, unticked_at)"
    )
    db.execute("CREATE INDEX idx_script_uses_call_id ON script_uses (call_id)")
    db.execute(
        "CREATE INDEX idx_calls_reminder_id ON calls (reminder_id) WHERE reminder_id IS NOT NULL"
    )
