"""The center schema, versioned like the agent's SQLite file: `schema_version` holds the
applied migration numbers; `MIGRATIONS` is only ever appended to; a database whose version is
newer than this program's is refused (never touched).

Timestamps are the agent database's ISO-8601 UTC text (fixed width, milliseconds, `Z`) in
the "C" collation, so they sort and compare as instants, the bundle rows arrive byte for byte
and the review's one statistics module runs the same SQL on both engines. `calls` is
partitioned by month on that text (`'2026-03' <= started_at < '2026-04'`): a month's query
touches one partition. Partitions are made by the importer when a bundle brings a new month.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from desktop.services.center.connection import CenterError

T = 'text COLLATE "C"'
ISO = "CHECK ({0} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T')"


def _v1(cur: psycopg.Cursor) -> None:
    cur.execute(
        """CREATE TABLE teams (
            id text PRIMARY KEY,
            name text NOT NULL DEFAULT ''
        )"""
    )
    cur.execute(
        """CREATE TABLE agents (
            id text PRIMARY KEY,
            name text NOT NULL DEFAULT '',
            team_id text REFERENCES teams(id),
            machine text NOT NULL DEFAULT '',
            first_import_at timestamptz NOT NULL DEFAULT now(),
            last_import_at timestamptz NOT NULL DEFAULT now()
        )"""
    )
    cur.execute("CREATE INDEX agents_team ON agents (team_id, id)")
    cur.execute(
        f"""CREATE TABLE calls (
            id {T} NOT NULL,
            phone text NOT NULL DEFAULT '',
            caller_name text NOT NULL DEFAULT '',
            started_at {T} NOT NULL {ISO.format("started_at")},
            answered_at {T},
            ended_at {T},
            completed_at {T},
            intent text,
            priority text,
            status text,
            outcome text,
            notes text NOT NULL DEFAULT '',
            notes_saved_at {T},
            skip_reason text,
            agent text,
            source text,
            softphone_call_id text,
            reminder_id {T},
            updated_at {T},
            customer_id bigint,
            PRIMARY KEY (started_at, id)
        ) PARTITION BY RANGE (started_at)"""
    )
    # the review's filters and joins (partitioned indexes: one per month partition)
    for name, cols in (
        ("calls_id", "id"),
        ("calls_agent_started", "agent, started_at"),
        ("calls_intent_started", "intent, started_at"),
        ("calls_outcome_started", "outcome, started_at"),
        ("calls_priority_started", "priority, started_at"),
        ("calls_phone_started", "phone, started_at"),
        ("calls_reminder", "reminder_id"),
    ):
        cur.execute(f"CREATE INDEX {name} ON calls ({cols})")
    # the browser's caller names; the center links none yet (bundles carry no customers)
    cur.execute(
        """CREATE TABLE customers (
            id bigint PRIMARY KEY, phone text UNIQUE, name text NOT NULL DEFAULT '')"""
    )
    cur.execute(
        f"""CREATE TABLE call_intents (
            uid text PRIMARY KEY, call_id {T}, intent text, set_at {T})"""
    )
    cur.execute("CREATE INDEX call_intents_call ON call_intents (call_id)")
    cur.execute(
        f"""CREATE TABLE checklist_ticks (
            uid text PRIMARY KEY, call_id {T}, step_key text, ticked_at {T}, unticked_at {T})"""
    )
    cur.execute("CREATE INDEX checklist_ticks_call ON checklist_ticks (call_id)")
    cur.execute(
        f"""CREATE TABLE script_uses (
            uid text PRIMARY KEY, call_id {T}, script_id text, used_at {T})"""
    )
    cur.execute("CREATE INDEX script_uses_call ON script_uses (call_id)")
    cur.execute(
        f"""CREATE TABLE reminders (
            id {T} PRIMARY KEY, call_id {T}, case_id {T}, call_type text,
            phone text NOT NULL DEFAULT '', customer_name text NOT NULL DEFAULT '',
            kind text, rule_key text, due_at {T}, target_at {T}, status text, created_at {T},
            fired_at {T}, done_at {T}, note text, result text,
            repeat_minutes bigint NOT NULL DEFAULT 0, shift_office_hours bigint NOT NULL DEFAULT 0,
            callback_call_id {T}, callback_at {T}, agent text, updated_at {T})"""
    )
    for name, cols in (
        ("reminders_call", "call_id"),
        ("reminders_case", "case_id"),
        ("reminders_target", "kind, target_at"),
        ("reminders_open_due", "status, due_at"),
        ("reminders_callback_call", "callback_call_id"),
    ):
        cur.execute(f"CREATE INDEX {name} ON reminders ({cols})")
    cur.execute(
        f"""CREATE TABLE qa_evaluations (
            id {T} PRIMARY KEY, call_id {T} NOT NULL, agent text NOT NULL DEFAULT '',
            evaluator text NOT NULL DEFAULT '', created_at {T} NOT NULL,
            items text NOT NULL DEFAULT '[]', score double precision,
            comment text NOT NULL DEFAULT '', supersedes_id {T})"""
    )
    cur.execute("CREATE INDEX qa_evaluations_call ON qa_evaluations (call_id, created_at)")
    cur.execute("CREATE INDEX qa_evaluations_supersedes ON qa_evaluations (supersedes_id)")
    cur.execute(
        f"""CREATE TABLE audit_log (
            uid text PRIMARY KEY, at {T} NOT NULL, actor text, action text, entity text,
            entity_id text, detail text)"""
    )
    cur.execute("CREATE INDEX audit_log_action_entity ON audit_log (action, entity_id)")
    cur.execute("CREATE INDEX audit_log_at ON audit_log (at)")
    cur.execute(
        """CREATE TABLE bundle_imports (
            id bigserial PRIMARY KEY,
            file_name text NOT NULL,
            agent_id text NOT NULL,
            database_id text NOT NULL,
            checksum text NOT NULL,
            imported_at timestamptz NOT NULL DEFAULT now(),
            counts jsonb NOT NULL
        )"""
    )


def _v2(cur: psycopg.Cursor) -> None:
    """Rollup tables for the statistics (desktop/services/center/rollups.py)."""
    from desktop.services.center.rollups import create

    create(cur)


def _v3(cur: psycopg.Cursor) -> None:
    """An index for the notes search: the set of two-character pieces of the notes (GIN).
    Chinese has no spaces for a tsvector to split on, and pg_trgm finds no trigrams in CJK
    text when the database's LC_CTYPE is C (nor any in a two-character word, the usual
    Chinese word); bigrams work in every locale and for every word of two or more
    characters. The search still checks the substring itself (strpos), so the index only
    narrows the rows."""
    cur.execute(
        """CREATE FUNCTION notes_bigrams(t text) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT COALESCE(array_agg(DISTINCT substr(t, i, 2)), '{}')
            FROM generate_series(1, length(t) - 1) AS i
        $$"""
    )
    cur.execute("CREATE INDEX calls_notes_bigrams ON calls USING gin (notes_bigrams(notes))")
    # statistics on the indexed expression: without them the planner takes the index for a
    # common word too and sorts its matches (1 s) instead of walking the month (10 ms)
    cur.execute("ANALYZE calls")


def _v4(cur: psycopg.Cursor) -> None:
    """The direction of a call (as the agent's migration 6): a callback the agent dialled is
    'outgoing'; every earlier row, and a bundle without the column, is 'incoming'. A constant
    default: PostgreSQL adds it to every partition without rewriting them."""
    cur.execute(
        "ALTER TABLE calls ADD COLUMN direction text NOT NULL DEFAULT 'incoming' "
        "CHECK (direction IN ('incoming', 'outgoing'))"
    )


def _v5(cur: psycopg.Cursor) -> None:
    """Import and statistics speed (docs/center.md "Speed"):
    - `complaint_cases`: each case's figures, kept by the import (rollups.py), filled here;
    - `call_day_steps`: completed calls per day, agent, type and set of steps ticked at
      completion (the adherence figures), kept by the import, filled here;
    - the (outcome, started_at) and (priority, started_at) indexes go: every review query
      bounds the period, which the primary key's range already narrows to a month, and each
      index cost the import ~4 µs a call; the reminder_id index keeps only the calls made
      for a reminder (the others were NULL entries nobody looks up);
    - `notes_bigrams` in PL/pgSQL: the same pieces (repeats are kept; GIN keys and `@>` are
      sets, so the index built by the SQL version stays valid) at a third of the cost."""
    cur.execute("DROP INDEX IF EXISTS calls_outcome_started")
    cur.execute("DROP INDEX IF EXISTS calls_priority_started")
    # only calls made for a reminder are looked up by it (a B-tree holds NULLs too)
    cur.execute("DROP INDEX IF EXISTS calls_reminder")
    cur.execute("CREATE INDEX calls_reminder ON calls (reminder_id) WHERE reminder_id IS NOT NULL")
    cur.execute(
        """CREATE OR REPLACE FUNCTION notes_bigrams(t text) RETURNS text[]
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        DECLARE
            pieces text[] := '{}';
        BEGIN
            FOR i IN 1 .. length(t) - 1 LOOP
                pieces := pieces || substr(t, i, 2);
            END LOOP;
            RETURN pieces;
        END
        $$"""
    )
    from desktop.services.center.rollups import create_cases, create_steps

    create_cases(cur)
    create_steps(cur)


MIGRATIONS: tuple[Callable[[psycopg.Cursor], None], ...] = (_v1, _v2, _v3, _v4, _v5)
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: psycopg.Connection) -> int:
    """0 for an empty database (no schema_version table)."""
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    value = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
    return int(value[0]) if value else 0


def newer_message(version: int) -> str:
    return (
        f"中心数据库的结构版本 {version} 比本程序（{SCHEMA_VERSION}）新，请先升级坐席助手；"
        "未做任何改动"
    )


def check_version(conn: psycopg.Connection) -> int:
    """The schema version, or CenterError when the database is empty or newer than us."""
    version = current_version(conn)
    conn.rollback()
    if version > SCHEMA_VERSION:
        raise CenterError(newer_message(version))
    if version < SCHEMA_VERSION:
        raise CenterError(
            f"中心数据库尚未初始化或版本较旧（{version}）：请先运行 callassist center init"
        )
    return version


def migrate(conn: psycopg.Connection) -> tuple[int, int]:
    """Bring the schema to SCHEMA_VERSION in one transaction; (old, new). Two leads running
    init at once serialize on an advisory lock."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('callassist.center.schema'))")
        old = current_version(conn)
        if old > SCHEMA_VERSION:
            raise CenterError(newer_message(old))
        if old == 0:
            conn.execute(
                """CREATE TABLE schema_version (
                    version integer PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())"""
            )
        with conn.cursor() as cur:
            for number in range(old + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[number - 1](cur)
                cur.execute("INSERT INTO schema_version (version) VALUES (%s)", [number])
    return old, SCHEMA_VERSION


def month_partition(conn: psycopg.Connection, month: str) -> None:
    """Create the calls partition for `month` ('YYYY-MM') when it does not exist."""
    year, mon = int(month[:4]), int(month[5:7])
    nxt = f"{year + (mon == 12):04d}-{(mon % 12) + 1:02d}"
    name = f"calls_y{year:04d}m{mon:02d}"
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()
    if exists and exists[0]:
        return
    conn.execute(
        f"CREATE TABLE {name} PARTITION OF calls FOR VALUES FROM ('{year:04d}-{mon:02d}') "
        f"TO ('{nxt}')"
    )
