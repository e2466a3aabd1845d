"""Migration 7: `call_facts`, one row per call with what the review's statistics add up, kept
exact by triggers, and an index for the first-contact-resolution repeat test.

A month of an agent's calls is contiguous in `call_facts` (its key starts with `started_at`)
and each row is small, so the period's sums read a few hundred pages instead of every call
row and, for checklist adherence, a random seek per call into the ticks index (call ids are
random UUIDs). The triggers recompute a call's row whenever a column it is made of changes,
in the same statement, whoever writes: the app, a bundle import, a retention purge. Nothing
in it is new information: it is derived from `calls` and `checklist_ticks` alone, and
`desktop/services/review/stats.py` gives the same figures with or without it.
"""

from __future__ import annotations

from db.database import Database

# The separator of the step keys in `steps` (a control character no pack key contains).
STEP_SEPARATOR = "\x1f"

HANDLED = "c.answered_at IS NOT NULL AND c.ended_at IS NOT NULL AND c.completed_at IS NOT NULL"
ELIGIBLE = (
    "c.status = 'completed' AND c.phone <> '' AND c.intent IS NOT NULL AND c.intent <> 'unrelated'"
)


def _millis(start: str, end: str) -> str:
    """Whole milliseconds from ISO text `start` to `end`: the statistics' own rounding."""
    return (
        f"CAST(ROUND(ROUND((julianday({end}) - julianday({start})) * 86400.0, 3) * 1000) AS BIGINT)"
    )


def steps_done(call: str) -> str:
    """SQL for the step keys ticked and not unticked at the completion of call row `call`
    (joined by STEP_SEPARATOR, '' for none; the order does not matter)."""
    return (
        "COALESCE((SELECT group_concat(d.step_key, char(31)) FROM (SELECT DISTINCT t.step_key "
        f"FROM checklist_ticks t WHERE t.call_id = {call}.id AND t.ticked_at <= {call}.completed_at "
        f"AND (t.unticked_at IS NULL OR t.unticked_at > {call}.completed_at)) d), '')"
    )


COLUMNS = (
    "started_at, call_id, agent, intent, status, answered, handled, talk_ms, acw_ms, "
    "fcr_call, resolved, repeat_until, phone, steps"
)
FCR_WINDOW = "+168 hours"  # docs/metrics.md: no repeat within 7 days after the call started
FACTS_OF = f"""SELECT c.started_at, c.id, c.agent, c.intent, c.status,
       CASE WHEN c.answered_at IS NOT NULL THEN 1 ELSE 0 END,
       CASE WHEN {HANDLED} THEN 1 ELSE 0 END,
       CASE WHEN {HANDLED} THEN {_millis("c.answered_at", "c.ended_at")} END,
       CASE WHEN {HANDLED} THEN {_millis("c.ended_at", "c.completed_at")} END,
       CASE WHEN {ELIGIBLE} THEN 1 ELSE 0 END,
       CASE WHEN {ELIGIBLE} AND c.outcome = 'resolved' THEN 1 ELSE 0 END,
       CASE WHEN {ELIGIBLE} AND c.outcome = 'resolved'
            THEN strftime('%Y-%m-%dT%H:%M:%fZ', c.started_at, '{FCR_WINDOW}') END,
       c.phone,
       CASE WHEN c.status = 'completed' THEN {steps_done("c")} END
FROM calls c"""

# every column of calls a facts row is made of
SOURCES = (
    "id, started_at, agent, intent, status, answered_at, ended_at, completed_at, outcome, phone"
)


def apply(db: Database) -> None:
    conn = db.conn
    conn.execute(
        """CREATE TABLE call_facts (
            started_at TEXT NOT NULL,
            call_id TEXT NOT NULL,
            agent TEXT,
            intent TEXT,
            status TEXT NOT NULL,
            answered INTEGER NOT NULL,
            handled INTEGER NOT NULL,
            talk_ms INTEGER,
            acw_ms INTEGER,
            fcr_call INTEGER NOT NULL,
            resolved INTEGER NOT NULL,
            repeat_until TEXT,
            phone TEXT,
            steps TEXT,
            PRIMARY KEY (started_at, call_id)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE UNIQUE INDEX idx_call_facts_call_id ON call_facts (call_id)")
    conn.execute(f"INSERT INTO call_facts ({COLUMNS}) {FACTS_OF}")
    conn.execute(
        f"""CREATE TRIGGER call_facts_insert AFTER INSERT ON calls BEGIN
            INSERT OR REPLACE INTO call_facts ({COLUMNS}) {FACTS_OF} WHERE c.id = NEW.id;
        END"""
    )
    conn.execute(
        f"""CREATE TRIGGER call_facts_update AFTER UPDATE OF {SOURCES} ON calls BEGIN
            DELETE FROM call_facts WHERE call_id = OLD.id;
            INSERT OR REPLACE INTO call_facts ({COLUMNS}) {FACTS_OF} WHERE c.id = NEW.id;
        END"""
    )
    conn.execute(
        """CREATE TRIGGER call_facts_delete AFTER DELETE ON calls BEGIN
            DELETE FROM call_facts WHERE call_id = OLD.id;
        END"""
    )
    recompute = (
        "UPDATE call_facts SET steps = (SELECT {steps} FROM calls c WHERE c.id = {ref}) "
        "WHERE call_id = {ref} AND steps IS NOT NULL;"
    )
    for event, refs in (
        ("INSERT", ("NEW.call_id",)),
        ("UPDATE", ("OLD.call_id", "NEW.call_id")),
        ("DELETE", ("OLD.call_id",)),
    ):
        body = " ".join(recompute.format(steps=steps_done("c"), ref=ref) for ref in refs)
        conn.execute(
            f"CREATE TRIGGER call_facts_ticks_{event.lower()} AFTER {event} ON checklist_ticks "
            f"BEGIN {body} END"
        )
    # first-contact resolution: "does this number call again with this intent within 7 days"
    # is one covering index probe per resolved call (a call-back the agent made is no repeat;
    # reminder_id, always NULL here, is in the index so the probe reads no table row)
    conn.execute(
        "CREATE INDEX idx_calls_repeat ON calls (phone, intent, started_at, reminder_id) "
        "WHERE reminder_id IS NULL"
    )
    # the browser's "reminder overdue" filter: the open reminders past due, with their call
    conn.execute("CREATE INDEX idx_reminders_open_call ON reminders (status, due_at, call_id)")
