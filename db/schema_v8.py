"""Migration 8: `call_facts.repeated`, the first-contact-resolution repeat test stored per call
and kept exact by triggers, so a period's FCR is a sum instead of an index probe per call.

`repeated` is set for the calls FCR can count as resolved (`repeat_until` set: eligible, outcome
`resolved`): 1 when the same number calls again with the same intent within 168 h after this
call started (`started_at < r.started_at <= repeat_until`), not counting a call the agent made
for a reminder; else 0; NULL for every other call. docs/metrics.md defines it; this is the same
test `desktop/services/review/stats.py` makes on the plain tables.

A call's flag depends on the calls after it, so the row triggers of migration 7 are replaced
by ones that, besides recomputing the call's own row, recompute the flag of the earlier calls
whose 7-day window the call enters or leaves: those with its number and intent, started before
it, whose `repeat_until` reaches it (an index on `(phone, intent, repeat_until)` finds them;
usually none or one). An update that moves a call (number, intent, start, reminder link)
recomputes the window it left and the one it joined; a delete, the one it left. An
`INSERT OR REPLACE` that replaces a call without firing delete triggers (recursive triggers
off) is covered too: the replaced call's window is read from its facts row before that row is
rewritten. The checklist-tick triggers of migration 7 are unchanged (steps only).
"""

from __future__ import annotations

from db import schema_v7
from db.database import Database

COLUMNS = schema_v7.COLUMNS + ", repeated"

# Whether calls row `c` (an FCR-resolved call) is repeated: the definition of docs/metrics.md.
REPEATED_OF = """EXISTS (SELECT 1 FROM calls r WHERE r.phone = {call}.phone
       AND r.intent = {call}.intent AND r.started_at > {call}.started_at
       AND r.started_at <= {until} AND r.reminder_id IS NULL)"""

_UNTIL = f"strftime('%Y-%m-%dT%H:%M:%fZ', c.started_at, '{schema_v7.FCR_WINDOW}')"

_SELECT, _FROM, _TABLE = schema_v7.FACTS_OF.rpartition("\nFROM ")
FACTS_OF = f"""{_SELECT},
       CASE WHEN {schema_v7.ELIGIBLE} AND c.outcome = 'resolved'
            THEN {REPEATED_OF.format(call="c", until=_UNTIL)} END{_FROM}{_TABLE}"""

# The flag of a facts row `call_facts` recomputed from its own stored columns.
RECOMPUTE = "repeated = " + REPEATED_OF.format(call="call_facts", until="call_facts.repeat_until")


def window_of(phone: str, intent: str, started: str) -> str:
    """The facts rows whose 7-day repeat window holds a call with this number, intent and
    start (SQL expressions): the rows a change of that call can flip."""
    return (
        f"call_facts.phone = {phone} AND call_facts.intent = {intent} "
        f"AND call_facts.repeat_until IS NOT NULL AND call_facts.repeat_until >= {started} "
        f"AND call_facts.started_at < {started}"
    )


def _recompute_window(phone: str, intent: str, started: str, when: str = "") -> str:
    condition = window_of(phone, intent, started)
    if when:
        condition += f" AND ({when})"
    return f"UPDATE call_facts SET {RECOMPUTE} WHERE {condition};"


# the facts row of NEW.id as it was before this statement (an INSERT OR REPLACE of a call)
_STALE = "(SELECT {col} FROM call_facts WHERE call_id = NEW.id)"
_MOVED = (
    "OLD.phone IS NOT NEW.phone OR OLD.intent IS NOT NEW.intent "
    "OR OLD.started_at IS NOT NEW.started_at OR OLD.reminder_id IS NOT NEW.reminder_id"
)

TRIGGERS = {
    "call_facts_insert": f"""CREATE TRIGGER call_facts_insert AFTER INSERT ON calls BEGIN
        {_recompute_window(*(_STALE.format(col=c) for c in ("phone", "intent", "started_at")))}
        INSERT OR REPLACE INTO call_facts ({COLUMNS}) {FACTS_OF} WHERE c.id = NEW.id;
        {_recompute_window("NEW.phone", "NEW.intent", "NEW.started_at")}
    END""",
    "call_facts_update": f"""CREATE TRIGGER call_facts_update
        AFTER UPDATE OF {schema_v7.SOURCES}, reminder_id ON calls BEGIN
        DELETE FROM call_facts WHERE call_id = OLD.id;
        INSERT OR REPLACE INTO call_facts ({COLUMNS}) {FACTS_OF} WHERE c.id = NEW.id;
        {_recompute_window("OLD.phone", "OLD.intent", "OLD.started_at", _MOVED)}
        {_recompute_window("NEW.phone", "NEW.intent", "NEW.started_at", _MOVED)}
    END""",
    "call_facts_delete": f"""CREATE TRIGGER call_facts_delete AFTER DELETE ON calls BEGIN
        DELETE FROM call_facts WHERE call_id = OLD.id;
        {_recompute_window("OLD.phone", "OLD.intent", "OLD.started_at")}
    END""",
}


def recompute_for_phones(conn, phones_sql: str, skip_calls_sql: str | None = None) -> None:
    """Recompute `repeated` of every FCR-resolved facts row of the numbers `phones_sql` (a
    SELECT of phones), except the calls `skip_calls_sql` selects (already exact): after
    writes made with the triggers off (a large bundle merge)."""
    skip = f" AND call_id NOT IN ({skip_calls_sql})" if skip_calls_sql else ""
    conn.execute(
        f"UPDATE main.call_facts SET {RECOMPUTE} WHERE repeat_until IS NOT NULL "
        f"AND phone IN ({phones_sql}){skip}"
    )


def apply(db: Database) -> None:
    conn = db.conn
    conn.execute("ALTER TABLE call_facts ADD COLUMN repeated INTEGER")
    conn.execute(f"UPDATE call_facts SET {RECOMPUTE} WHERE repeat_until IS NOT NULL")
    conn.execute(
        "CREATE INDEX idx_call_facts_repeat ON call_facts (phone, intent, repeat_until) "
        "WHERE repeat_until IS NOT NULL"
    )
    for name, sql in TRIGGERS.items():
        conn.execute(f"DROP TRIGGER {name}")
        conn.execute(sql)
