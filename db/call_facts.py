"""Keeping `call_facts` (migration 7) exact when its triggers are set aside for a bulk load.

The triggers recompute a call's row once per row written; a bundle import of 100,000 calls
and 700,000 ticks would recompute it 800,000 times. The importer drops the triggers named in
`TRIGGERS` inside its transaction, writes the rows, calls `refresh()` for the calls it touched
and puts the triggers back (`suspend` / `restore`). Anything that changes what a facts row is
made of (a new column, a flag kept across calls) changes the triggers and `refresh()` together,
here, so both ways give the same table (tests/unit/db/test_call_facts.py holds them equal).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from db.schema_v8 import COLUMNS, FACTS_OF, recompute_for_phones

# every trigger that writes call_facts (migrations 7 and 8), in the order they were made
TRIGGERS = (
    "call_facts_insert",
    "call_facts_update",
    "call_facts_delete",
    "call_facts_ticks_insert",
    "call_facts_ticks_update",
    "call_facts_ticks_delete",
)


def suspend(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Drop the facts triggers there are (inside the caller's transaction) and return their
    (name, CREATE sql) for `restore`."""
    marks = ", ".join("?" for _ in TRIGGERS)
    found = conn.execute(
        f"SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND name IN ({marks})",
        TRIGGERS,
    ).fetchall()
    by_name = {str(name): str(sql) for name, sql in found}
    triggers = [(name, by_name[name]) for name in TRIGGERS if name in by_name]
    for name, _sql in triggers:
        conn.execute(f'DROP TRIGGER main."{name}"')
    return triggers


def restore(conn: sqlite3.Connection, triggers: Sequence[tuple[str, str]]) -> None:
    for _name, sql in triggers:
        conn.execute(sql)


def refresh(conn: sqlite3.Connection, where: str, params: Sequence[Any] = ()) -> None:
    """Recompute the facts rows of the calls `c` matching the SQL condition `where`, as the
    triggers would have left them after the same writes."""
    conn.execute(
        f"INSERT OR REPLACE INTO main.call_facts ({COLUMNS}) {FACTS_OF} WHERE {where}", params
    )


def refresh_repeats(conn: sqlite3.Connection, phones_sql: str, skip_calls_sql: str) -> None:
    """Recompute the FCR repeat flag (migration 8) of the calls of the numbers `phones_sql`
    selects, but those `skip_calls_sql` selects (refreshed already): a call's flag depends on
    the calls after it, which the triggers keep and a bulk write leaves to this."""
    recompute_for_phones(conn, phones_sql, skip_calls_sql)
