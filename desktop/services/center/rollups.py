"""The center's rollup tables (center schema 2): what a month's statistics for 2,000 agents
read instead of the month's calls.

- `call_day_sums (day, agent, intent, …)`: per local day of the center's zone
  (`rollup_meta.day_zone`, Asia/Shanghai), agent and call type, the nine sums
  of `stats._Group` (calls, answered, missed, completed, handled, talk and wrap-up in whole
  milliseconds, FCR-eligible, FCR-resolved), computed by the very SQL the plain path runs
  (`stats.call_sums_columns`), so sums over rollup rows equal sums over calls, to the unit.
- `call_hour_counts (hour, calls)`: calls per UTC hour for the whole center (the hour chart
  and the per-day counts of every whole-hour zone).

The center's only writer is the import, so the import keeps them current in its own
transaction (imports serialize on an advisory lock): the hour counts grow by the calls a
bundle adds (a call's `started_at` never changes: it is part of the key), and the day sums
are recomputed for every (day, agent) cell the bundle can change: its calls' cells (old and
new versions), and the cells of earlier calls its calls may turn into repeat calls (or stop
being one) for first-call resolution (same phone and type within the 7 days before).

Reading: `call_sums()` answers the whole rollup days inside the period from `call_day_sums`
and the partial days at its edges from the calls themselves, then adds the integer sums: a
lead in the center's zone has no edges; a lead elsewhere (or a half-hour zone) reads up to a
day of calls at each end; `hour_counts()` answers the whole center's hours
when the period starts and ends on whole UTC hours. Anything else takes the plain path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import psycopg

SUMS = (
    "calls",
    "answered",
    "missed",
    "completed",
    "handled",
    "talk_ms",
    "acw_ms",
    "fcr_calls",
    "fcr_resolved",
)
FCR_HOURS = 168  # stats.FCR_WINDOW_HOURS: a repeat call within 7 days
DAY_ZONE = "Asia/Shanghai"  # the zone rollup days are local days of (rollup_meta.day_zone)
ISO = '\'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\''


def _local_day(expr: str, zone: str) -> str:
    """SQL: the center-local date ('YYYY-MM-DD') of ISO text `expr`."""
    return f"to_char(({expr})::timestamptz AT TIME ZONE '{zone}', 'YYYY-MM-DD')"


def _day_start(expr: str, zone: str) -> str:
    """SQL: the ISO UTC text of local midnight starting the date `expr` ('YYYY-MM-DD')."""
    return f"to_char((({expr})::date::timestamp AT TIME ZONE '{zone}') AT TIME ZONE 'UTC', {ISO})"


def _zone(conn: Any) -> str:
    row = conn.execute("SELECT value FROM rollup_meta WHERE key = 'day_zone'").fetchone()
    return str(row[0]) if row else DAY_ZONE


def create(cur: psycopg.Cursor) -> None:
    """Schema 2: the tables, filled from the calls already there."""
    from desktop.services.center.dialect import POSTGRES
    from desktop.services.review.stats import call_sums_columns

    sums = ", ".join(f"{name} bigint NOT NULL" for name in SUMS)
    cur.execute("CREATE TABLE rollup_meta (key text PRIMARY KEY, value text NOT NULL)")
    cur.execute("INSERT INTO rollup_meta VALUES ('day_zone', %s)", [DAY_ZONE])
    cur.execute(
        f"""CREATE TABLE call_day_sums (
            day text COLLATE "C" NOT NULL, agent text, intent text, {sums})"""
    )
    cur.execute("CREATE INDEX call_day_sums_day_agent ON call_day_sums (day, agent)")
    cur.execute("CREATE INDEX call_day_sums_agent_day ON call_day_sums (agent, day)")
    cur.execute(
        'CREATE TABLE call_hour_counts (hour text COLLATE "C" PRIMARY KEY, calls bigint NOT NULL)'
    )
    cur.execute(
        f"INSERT INTO call_day_sums SELECT {_local_day('c.started_at', DAY_ZONE)}, c.agent, "
        f"c.intent, {_coalesced(call_sums_columns(POSTGRES))} FROM calls c GROUP BY 1, 2, 3"
    )
    cur.execute(
        "INSERT INTO call_hour_counts SELECT substr(started_at, 1, 13), COUNT(*) FROM calls "
        "GROUP BY 1"
    )
    cur.execute("ANALYZE call_day_sums")


def _coalesced(columns: str) -> str:
    """SUM(...) is NULL over no rows; the rollup stores 0 (the same to `_Group.of`)."""
    parts = _split_top_level(columns)
    return ", ".join(f"COALESCE({p.strip()}, 0)" for p in parts)


def _split_top_level(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def present(conn: Any) -> bool:
    row = conn.execute("SELECT to_regclass('call_day_sums') IS NOT NULL").fetchone()
    return bool(row and row[0])


# ---- keeping them current (inside the import's transaction) --------------------------------

_CANDIDATES = """
    SELECT {day}, c.agent FROM {source} n
    JOIN calls c ON c.phone = n.phone AND c.intent = n.intent
     AND c.started_at < n.started_at AND c.started_at >= {window_start}
    WHERE n.phone <> '' AND n.intent IS NOT NULL AND n.intent <> 'unrelated'
"""


def stage_span(conn: psycopg.Connection, stage: str) -> tuple[str, str, str]:
    """(7 days before the earliest staged call, earliest, latest): constant bounds for every
    join of the stage with calls, so the planner keeps to the months they lie in (with a
    column bound alone it hashes every month of the center: 20 s at 10M calls)."""
    from desktop.core.clock import parse_iso, to_iso

    row = conn.execute(f"SELECT MIN(started_at), MAX(started_at) FROM {stage}").fetchone()
    assert row is not None  # an aggregate always returns its one row
    low, high = row
    if low is None:
        return "", "", ""
    return to_iso(parse_iso(low) - timedelta(hours=FCR_HOURS)), low, high


def touch(
    conn: psycopg.Connection, stage: str, span: tuple[str, str, str], *, before: bool
) -> None:
    """Note the (day, agent) cells the staged calls may change: with `before`, from the
    stored versions of those calls (ahead of the upsert); else from the staged ones."""
    from desktop.services.center.dialect import POSTGRES

    window, low, high = span
    if before:
        conn.execute(
            'CREATE TEMP TABLE touched_cells (day text COLLATE "C", agent text) ON COMMIT DROP'
        )
        source = f"{stage}_old"  # the stored versions of the staged calls (the importer's)
    else:
        source = stage
    if not low:
        return
    zone = _zone(conn)
    conn.execute(
        f"INSERT INTO touched_cells SELECT {_local_day('n.started_at', zone)}, n.agent "
        f"FROM {source} n"
    )
    window_start = POSTGRES.shifted("n.started_at", -168)
    day = _local_day("c.started_at", zone)
    conn.execute(
        "INSERT INTO touched_cells "
        + _CANDIDATES.format(source=source, window_start=window_start, day=day)
        + f" AND c.started_at >= '{window}' AND c.started_at < '{high}'"
    )


def count_new_hours(conn: psycopg.Connection, stage: str) -> int:
    """Ahead of the upsert, after `touch(before=True)`: add the staged calls not stored yet
    to the hour counts; returns how many there are (the import's "added")."""
    rows = conn.execute(
        f"SELECT substr(s.started_at, 1, 13), COUNT(*) FROM {stage} s WHERE NOT EXISTS "
        f"(SELECT 1 FROM {stage}_old t WHERE t.started_at = s.started_at AND t.id = s.id) "
        "GROUP BY 1"
    ).fetchall()
    if rows:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO call_hour_counts (hour, calls) VALUES (%s, %s) ON CONFLICT (hour) "
                "DO UPDATE SET calls = call_hour_counts.calls + EXCLUDED.calls",
                rows,
            )
    return sum(int(n) for _h, n in rows)


def refresh_touched(conn: psycopg.Connection) -> int:
    """Recompute the day sums of every touched cell from the calls; returns the cells."""
    from desktop.services.center.dialect import POSTGRES
    from desktop.services.review.stats import call_sums_columns

    zone = _zone(conn)
    conn.execute(
        'CREATE TEMP TABLE refresh_cells (day text COLLATE "C", lo text COLLATE "C", '
        'hi text COLLATE "C", agent text) ON COMMIT DROP'
    )
    conn.execute(
        f"INSERT INTO refresh_cells SELECT day, {_day_start('day', zone)}, "
        f"{_day_start('day::date + 1', zone)}, agent FROM touched_cells GROUP BY day, agent"
    )
    _ensure_step_cells(conn)
    conn.execute("INSERT INTO step_cells SELECT DISTINCT day, agent FROM touched_cells")
    conn.execute("TRUNCATE touched_cells")
    conn.execute("ANALYZE refresh_cells")  # a temp table has no statistics of its own
    row = conn.execute("SELECT COUNT(*), MIN(lo), MAX(hi) FROM refresh_cells").fetchone()
    assert row is not None  # an aggregate always returns its one row
    cells, low, high = row
    if not cells:
        conn.execute("DROP TABLE refresh_cells")
        return 0
    for agent_match in ("d.agent = r.agent", "d.agent IS NULL AND r.agent IS NULL"):
        conn.execute(
            f"DELETE FROM call_day_sums d USING refresh_cells r WHERE d.day = r.day AND {agent_match}"
        )
    sums = _coalesced(call_sums_columns(POSTGRES))
    for agent_match in ("c.agent = r.agent", "c.agent IS NULL AND r.agent IS NULL"):
        # the constant bounds let the planner keep to the months the cells lie in
        conn.execute(
            "INSERT INTO call_day_sums SELECT r.day, c.agent, c.intent, "
            f"{sums} FROM refresh_cells r JOIN calls c ON {agent_match} "
            "AND c.started_at >= r.lo AND c.started_at < r.hi "
            "WHERE c.started_at >= %s AND c.started_at < %s "
            "GROUP BY r.day, c.agent, c.intent",
            [low, high],
        )
    conn.execute("DROP TABLE refresh_cells")
    return int(cells)


# ---- reading --------------------------------------------------------------------------------


def _whole_days(conn: Any, start: str, end: str) -> tuple[str, str, str, str] | None:
    """(first day, its start, day after the last, its start) of the rollup days wholly
    inside [start, end), as ISO dates and ISO UTC texts; None when there is none. Computed
    by the server with the refresh's own expressions, so the edges meet the rollup exactly."""
    zone = _zone(conn)
    d0, s0, d1, s1, e, se = conn.execute(
        f"SELECT a.d, {_day_start('a.d', zone)}, to_char(a.d::date + 1, 'YYYY-MM-DD'), "
        f"{_day_start('a.d::date + 1', zone)}, b.d, {_day_start('b.d', zone)} FROM "
        f"(SELECT {_local_day('%s', zone)} AS d) a, (SELECT {_local_day('%s', zone)} AS d) b",
        [start, end],
    ).fetchone()
    first, first_start = (d0, s0) if s0 >= start else (d1, s1)
    if first >= e:
        return None
    return first, first_start, e, se


def call_sums(
    conn: Any, scope: Any, raw: Callable[[Any], list[Sequence[Any]]]
) -> list[Sequence[Any]]:
    """`stats._call_groups`' rows (agent, intent, nine sums) for `scope`: whole rollup days
    from `call_day_sums`, the edges from `raw` (the plain grouped read of a sub-range)."""
    start, end = scope.start, scope.end
    days = _whole_days(conn, start, end) if present(conn) else None
    if days is None:
        return raw(scope)
    first, first_start, last, last_start = days
    cond, params = scope.agent_condition("d")
    names = ", ".join(f"SUM(d.{n})" for n in SUMS)
    totals: dict[tuple[Any, Any], list[int]] = {}

    def add(rows: list[Sequence[Any]]) -> None:
        for row in rows:
            into = totals.setdefault((row[0], row[1]), [0] * len(SUMS))
            for i, value in enumerate(row[2:]):
                into[i] += int(value or 0)

    add(
        conn.execute(
            f"SELECT d.agent, d.intent, {names} FROM call_day_sums d "
            f"WHERE d.day >= %s AND d.day < %s{cond.replace('?', '%s')} "
            "GROUP BY d.agent, d.intent",
            [first, last, *params],
        ).fetchall()
    )
    for low, high in ((start, first_start), (last_start, end)):
        if low < high:
            part = copy.copy(scope)
            part.start, part.end = low, high
            add(raw(part))
    # in GROUP BY order (NULL first), as the plain read returns them: ties in the figures'
    # orderings (by_intent by calls) then fall the same way
    ordered = sorted(totals.items(), key=lambda kv: [(v is not None, v or "") for v in kv[0]])
    return [(agent, intent, *values) for (agent, intent), values in ordered]


def hour_counts(conn: Any, scope: Any) -> list[tuple[str, int]] | None:
    """(UTC hour prefix, calls) of the whole center for a period on whole hours; None when
    the rollup cannot answer (an agent or team chosen, a half-hour zone, no rollup)."""
    if scope.agent is not None or scope.agents is not None:
        return None
    if scope.start[13:] != ":00:00.000Z" or scope.end[13:] != ":00:00.000Z":
        return None
    if not present(conn):
        return None
    rows = conn.execute(
        "SELECT hour, calls FROM call_hour_counts WHERE hour >= %s AND hour < %s",
        [scope.start[:13], scope.end[:13]],
    ).fetchall()
    return [(hour, int(n)) for hour, n in rows if n]


# ---- complaint cases (center schema 5) --------------------------------------------------------
# One row per complaint case with the figures `stats.case_figures` computes for it (the same
# Python, so the stored numbers are the plain path's to the bit): a month's complaint figures
# read ~100k stored rows instead of joining the month's cases with reminders, follow-up calls
# and audit rows and parsing three timestamps per case (1.15 s of the 1.3 s month at 10M).

CASES_TABLE = """CREATE TABLE complaint_cases (
    case_id text COLLATE "C" PRIMARY KEY,
    started_at text COLLATE "C" NOT NULL,
    agent text,
    first_call_resolved boolean NOT NULL,
    first_response_s double precision,
    resolution_s double precision)"""


def create_cases(cur: psycopg.Cursor) -> None:
    """Schema 5: the table, filled month by month from the calls already there."""
    cur.execute(CASES_TABLE)
    cur.execute("CREATE INDEX complaint_cases_started ON complaint_cases (started_at)")
    cur.execute("CREATE INDEX complaint_cases_agent ON complaint_cases (agent, started_at)")
    row = cur.execute("SELECT MIN(started_at), MAX(started_at) FROM calls").fetchone()
    low, high = row if row else (None, None)
    if low is None:
        return
    year, month = int(low[:4]), int(low[5:7])
    while f"{year:04d}-{month:02d}" <= high[:7]:
        nxt = (year + (month == 12), month % 12 + 1)
        _write_cases(
            cur,
            "c.started_at >= ? AND c.started_at < ?",
            [f"{year:04d}-{month:02d}", f"{nxt[0]:04d}-{nxt[1]:02d}"],
        )
        year, month = nxt
    cur.execute("ANALYZE complaint_cases")


def _write_cases(conn: Any, where: str, params: Sequence[Any]) -> int:
    """Compute the cases among the calls `where` selects (plain path) and store them."""
    from desktop.services.center.dialect import POSTGRES_PLAIN
    from desktop.services.review.stats import case_figures

    cases = case_figures(conn, where, params, POSTGRES_PLAIN, with_call=True)
    if not cases:
        return 0
    cur = conn if isinstance(conn, psycopg.Cursor) else conn.cursor()
    with cur.copy(
        "COPY complaint_cases (case_id, started_at, agent, first_call_resolved, "
        "first_response_s, resolution_s) FROM STDIN"
    ) as copy:
        for case_id, f in cases.items():
            copy.write_row(
                (
                    case_id,
                    f["started_at"],
                    f["agent"],
                    f["first_call_resolved"],
                    f["first_response_s"],
                    f["resolution_s"],
                )
            )
    return len(cases)


def cases_present(conn: Any) -> bool:
    row = conn.execute("SELECT to_regclass('complaint_cases') IS NOT NULL").fetchone()
    return bool(row and row[0])


def note_cases(conn: psycopg.Connection, table: str, stage: str, old: str) -> None:
    """Inside the import, before `table`'s rows are written: the complaint cases they may
    change (`touched_cases`: a case id, with its call's started_at when known). A case
    depends on its own call, its reminders (`case_id`), the follow-up calls linked to those
    reminders (`reminder_id`, `callback_call_id`) and its `reminder.case_closed` audit rows;
    `old` holds the stored versions of the staged rows (a call that stops being a complaint
    drops its case)."""
    if table == "calls":
        sql = f"""
            SELECT s.id, s.started_at FROM {stage} s WHERE COALESCE(s.intent, '') = 'complaint'
            UNION ALL
            SELECT o.id, o.started_at FROM {old} o WHERE COALESCE(o.intent, '') = 'complaint'
            UNION ALL
            SELECT r.case_id, NULL FROM reminders r WHERE r.id IN (
                SELECT reminder_id FROM {stage} WHERE reminder_id IS NOT NULL
                UNION SELECT reminder_id FROM {old} WHERE reminder_id IS NOT NULL)
            UNION ALL
            SELECT r.case_id, NULL FROM reminders r JOIN {stage} s ON r.callback_call_id = s.id"""
    elif table == "reminders":
        sql = (
            f"SELECT s.case_id, NULL FROM {stage} s WHERE s.case_id IS NOT NULL UNION ALL "
            f"SELECT o.case_id, NULL FROM {old} o WHERE o.case_id IS NOT NULL"
        )
    elif table == "audit_log":
        sql = (
            f"SELECT s.entity_id, NULL FROM {stage} s "
            "WHERE s.action = 'reminder.case_closed' AND s.entity = 'case'"
        )
    else:
        return
    conn.execute(
        'CREATE TEMP TABLE IF NOT EXISTS touched_cases (id text COLLATE "C", '
        'started_at text COLLATE "C") ON COMMIT DROP'
    )
    conn.execute(f"INSERT INTO touched_cases {sql}")


def refresh_cases(conn: psycopg.Connection) -> int:
    """After every table of the bundle is written: recompute the touched cases from what
    the transaction now holds; returns how many cases are stored for them."""
    row = conn.execute("SELECT to_regclass('pg_temp.touched_cases') IS NOT NULL").fetchone()
    if not (row and row[0]):
        return 0
    # a case named by a reminder or an audit row: find its call (any month: id index)
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT id FROM touched_cases WHERE started_at IS NULL AND id IS NOT NULL"
        ).fetchall()
    ]
    if ids:
        conn.execute(
            "INSERT INTO touched_cases SELECT c.id, c.started_at FROM calls c WHERE c.id = ANY(%s)",
            [ids],
        )
    conn.execute("DELETE FROM complaint_cases k WHERE k.case_id IN (SELECT id FROM touched_cases)")
    conn.execute(
        "CREATE TEMP TABLE case_keys ON COMMIT DROP AS SELECT DISTINCT started_at, id "
        "FROM touched_cases WHERE started_at IS NOT NULL"
    )
    conn.execute("DROP TABLE touched_cases")
    conn.execute("ANALYZE case_keys")
    row = conn.execute("SELECT MIN(started_at), MAX(started_at) FROM case_keys").fetchone()
    assert row is not None  # an aggregate always returns its one row
    low, high = row
    stored = 0
    if low is not None:
        stored = _write_cases(
            conn,
            "c.started_at >= ? AND c.started_at <= ? AND EXISTS (SELECT 1 FROM case_keys k "
            "WHERE k.started_at = c.started_at AND k.id = c.id)",
            [low, high],
        )
    conn.execute("DROP TABLE case_keys")
    return stored


def complaint_cases(conn: Any, scope: Any) -> dict[str, dict[str, Any]] | None:
    """`stats._complaint_cases` from the stored cases; None without the table."""
    if not cases_present(conn):
        return None
    cond, params = scope.agent_condition("k")
    rows = conn.execute(
        "SELECT case_id, first_call_resolved, first_response_s, resolution_s "
        f"FROM complaint_cases k WHERE k.started_at >= %s AND k.started_at < %s"
        f"{cond.replace('?', '%s')}",
        [scope.start, scope.end, *params],
    ).fetchall()
    return {
        cid: {"first_call_resolved": fcr, "first_response_s": response, "resolution_s": resolved}
        for cid, fcr, response, resolved in rows
    }


def complaint_totals(conn: Any, scope: Any) -> tuple[int, int, list[float], list[float]] | None:
    """`stats._complaints`' inputs from the stored cases in one aggregate: the counts, and the
    response and resolution times as two arrays (read in binary: ~100,000 floats a month),
    whose medians and percentiles stats computes as on the plain path. None without the table."""
    if not cases_present(conn):
        return None
    cond, params = scope.agent_condition("k")
    with conn.cursor(binary=True) as cur:
        row = cur.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT k.first_call_resolved), "
            "COALESCE(array_agg(k.first_response_s) FILTER (WHERE NOT k.first_call_resolved "
            "AND k.first_response_s IS NOT NULL), '{}'), "
            "COALESCE(array_agg(k.resolution_s) FILTER (WHERE k.resolution_s IS NOT NULL), '{}') "
            "FROM complaint_cases k WHERE k.started_at >= %s AND k.started_at < %s"
            f"{cond.replace('?', '%s')}",
            [scope.start, scope.end, *params],
        ).fetchone()
    assert row is not None  # an aggregate always returns its one row
    cases, follow_ups, responses, resolutions = row
    return int(cases), int(follow_ups), list(responses), list(resolutions)


# ---- checklist steps (center schema 5) ---------------------------------------------------------
# `call_day_steps (day, agent, intent, steps, calls)`: per local day (rollup_meta.day_zone),
# agent, call type and *set of steps ticked at completion* (sorted keys joined by
# STEP_SEPARATOR), the completed calls with that set. The adherence figures are sums over it:
# a step's count adds the calls of every set holding it, "all required" the calls of the sets
# holding all of the type's required steps (as the agent's call_facts, SQLite migration 7).
# Only calls with at least one step ticked at completion have a row.

_AT_COMPLETION = (
    "t.ticked_at <= c.completed_at AND (t.unticked_at IS NULL OR t.unticked_at > c.completed_at)"
)


def _steps_rows(cells: str, zone: str) -> str:
    """SQL: (day, agent, intent, steps, calls) of the completed typed calls that `cells`
    (a FROM/JOIN/WHERE tail over calls `c`) selects, joined with their ticks."""
    return f"""
        SELECT x.day, x.agent, x.intent, x.steps, COUNT(*) FROM (
            SELECT {_local_day("c.started_at", zone)} AS day, c.agent, c.intent,
                   string_agg(DISTINCT t.step_key, chr(31) ORDER BY t.step_key) AS steps
            {cells}
            JOIN checklist_ticks t ON t.call_id = c.id AND {_AT_COMPLETION}
            AND COALESCE(c.status, '') = 'completed' AND c.intent IS NOT NULL
            GROUP BY c.started_at, c.id, c.agent, c.intent
        ) x GROUP BY x.day, x.agent, x.intent, x.steps"""


def create_steps(cur: Any) -> None:
    """Schema 5: the step rollup, filled from the calls and ticks already there."""
    cur.execute(
        """CREATE TABLE call_day_steps (
            day text COLLATE "C" NOT NULL, agent text, intent text NOT NULL,
            steps text NOT NULL, calls bigint NOT NULL)"""
    )
    cur.execute("CREATE INDEX call_day_steps_day_agent ON call_day_steps (day, agent)")
    cur.execute("CREATE INDEX call_day_steps_agent_day ON call_day_steps (agent, day)")
    cur.execute("INSERT INTO call_day_steps " + _steps_rows("FROM calls c", _zone(cur)))
    cur.execute("ANALYZE call_day_steps")


def steps_present(conn: Any) -> bool:
    row = conn.execute("SELECT to_regclass('call_day_steps') IS NOT NULL").fetchone()
    return bool(row and row[0])


def _ensure_step_cells(conn: Any) -> None:
    conn.execute(
        'CREATE TEMP TABLE IF NOT EXISTS step_cells (day text COLLATE "C", agent text) '
        "ON COMMIT DROP"
    )


def note_tick_cells(conn: psycopg.Connection, stage: str) -> None:
    """Inside the import, after the ticks are written: the (day, agent) cells of the calls
    whose ticks the bundle brings (their calls' own cells are noted by the calls' refresh
    when the bundle carries them; the others are found by id, in any month)."""
    _ensure_step_cells(conn)
    zone = _zone(conn)
    staged_calls = conn.execute("SELECT to_regclass('pg_temp.stage_calls') IS NOT NULL").fetchone()
    if staged_calls and staged_calls[0]:
        missing = (
            f"SELECT DISTINCT s.call_id FROM {stage} s WHERE s.call_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM stage_calls k WHERE k.id = s.call_id)"
        )
    else:
        missing = f"SELECT DISTINCT s.call_id FROM {stage} s WHERE s.call_id IS NOT NULL"
    ids = [r[0] for r in conn.execute(missing).fetchall()]
    if ids:
        conn.execute(
            f"INSERT INTO step_cells SELECT {_local_day('c.started_at', zone)}, c.agent "
            "FROM calls c WHERE c.id = ANY(%s)",
            [ids],
        )


def refresh_steps(conn: psycopg.Connection) -> int:
    """After every table of the bundle is written: recompute the step rollup of the noted
    cells; returns the cells."""
    row = conn.execute("SELECT to_regclass('pg_temp.step_cells') IS NOT NULL").fetchone()
    if not (row and row[0]):
        return 0
    zone = _zone(conn)
    conn.execute(
        "CREATE TEMP TABLE step_refresh ON COMMIT DROP AS SELECT day, agent, "
        f"{_day_start('day', zone)} AS lo, {_day_start('day::date + 1', zone)} AS hi "
        "FROM step_cells GROUP BY day, agent"
    )
    conn.execute("DROP TABLE step_cells")
    conn.execute("ANALYZE step_refresh")
    row = conn.execute("SELECT COUNT(*), MIN(lo), MAX(hi) FROM step_refresh").fetchone()
    assert row is not None  # an aggregate always returns its one row
    cells, low, high = row
    if cells:
        for match in ("d.agent = r.agent", "d.agent IS NULL AND r.agent IS NULL"):
            conn.execute(
                f"DELETE FROM call_day_steps d USING step_refresh r WHERE d.day = r.day AND {match}"
            )
        for match in ("c.agent = r.agent", "c.agent IS NULL AND r.agent IS NULL"):
            conn.execute(
                "INSERT INTO call_day_steps "
                + _steps_rows(
                    f"FROM step_refresh r JOIN calls c ON {match} AND c.started_at >= r.lo "
                    "AND c.started_at < r.hi AND c.started_at >= %(low)s "
                    "AND c.started_at < %(high)s",
                    zone,
                ),
                {"low": low, "high": high},
            )
    conn.execute("DROP TABLE step_refresh")
    return int(cells)


def adherence_counts(
    conn: Any, scope: Any, checklists: Any, raw: Callable[[Any], Any]
) -> tuple[dict[tuple[str, str, str], int], dict[tuple[str, str], int]] | None:
    """`stats._adherence_counts` from the whole rollup days inside the period, the edges from
    `raw` (the plain read of a sub-range); None without the table."""
    if not steps_present(conn):
        return None
    days = _whole_days(conn, scope.start, scope.end)
    if days is None:
        return raw(scope)
    first, first_start, last, last_start = days
    cond, params = scope.agent_condition("d")
    rows = conn.execute(
        "SELECT d.agent, d.intent, d.steps, SUM(d.calls) FROM call_day_steps d "
        f"WHERE d.day >= %s AND d.day < %s{cond.replace('?', '%s')} "
        "GROUP BY d.agent, d.intent, d.steps",
        [first, last, *params],
    ).fetchall()
    required = {intent: {key for key, req in items if req} for intent, items in checklists.items()}
    steps: dict[tuple[str, str, str], int] = {}
    complete: dict[tuple[str, str], int] = {}
    for agent, intent, text, n in rows:
        agent, n = agent or "", int(n)
        done = set(text.split("\x1f")) - {""}
        for step in done:
            steps[(agent, intent, step)] = steps.get((agent, intent, step), 0) + n
        need = required.get(intent)
        if need and need <= done:
            complete[(agent, intent)] = complete.get((agent, intent), 0) + n
    for low, high in ((scope.start, first_start), (last_start, scope.end)):
        if low < high:
            part = copy.copy(scope)
            part.start, part.end = low, high
            more_steps, more_complete = raw(part)
            for key, n in more_steps.items():
                steps[key] = steps.get(key, 0) + n
            for key2, n in more_complete.items():
                complete[key2] = complete.get(key2, 0) + n
    return steps, complete
