"""The center's rollup tables (center schema 2): what a month's statistics for 2,000 agents
read instead of the month's calls.

- `call_day_sums (day, agent, intent, …)`: per UTC day, agent and call type, the nine sums
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

Reading: `call_sums()` answers the whole UTC days inside the period from `call_day_sums` and
the partial days at its edges (a local day in UTC+8 starts at 16:00 UTC) from the calls
themselves, then adds the integer sums; `hour_counts()` answers the whole center's hours
when the period starts and ends on whole UTC hours. Anything else takes the plain path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import date, timedelta
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
DAY_START = "T00:00:00.000Z"


def create(cur: psycopg.Cursor) -> None:
    """Schema 2: the tables, filled from the calls already there."""
    from desktop.services.center.dialect import POSTGRES
    from desktop.services.review.stats import call_sums_columns

    sums = ", ".join(f"{name} bigint NOT NULL" for name in SUMS)
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
        "INSERT INTO call_day_sums SELECT substr(c.started_at, 1, 10), c.agent, c.intent, "
        f"{_coalesced(call_sums_columns(POSTGRES))} FROM calls c GROUP BY 1, 2, 3"
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
    SELECT substr(c.started_at, 1, 10), c.agent FROM {source} n
    JOIN calls c ON c.phone = n.phone AND c.intent = n.intent
     AND c.started_at < n.started_at AND c.started_at >= {window_start}
    WHERE n.phone <> '' AND n.intent IS NOT NULL AND n.intent <> 'unrelated'
"""


def touch(conn: psycopg.Connection, stage: str, *, before: bool) -> None:
    """Note the (day, agent) cells the staged calls may change: with `before`, from the
    stored versions of those calls (ahead of the upsert); else from the staged ones."""
    from desktop.services.center.dialect import POSTGRES

    if before:
        conn.execute(
            'CREATE TEMP TABLE touched_cells (day text COLLATE "C", agent text) ON COMMIT DROP'
        )
        source = (
            f"(SELECT t.* FROM calls t JOIN {stage} s "
            "ON t.started_at = s.started_at AND t.id = s.id)"
        )
    else:
        source = stage
    conn.execute(
        f"INSERT INTO touched_cells SELECT substr(n.started_at, 1, 10), n.agent FROM {source} n"
    )
    window_start = POSTGRES.shifted("n.started_at", -168)
    conn.execute(
        "INSERT INTO touched_cells " + _CANDIDATES.format(source=source, window_start=window_start)
    )


def count_new_hours(conn: psycopg.Connection, stage: str) -> int:
    """Ahead of the upsert: add the staged calls not stored yet to the hour counts; returns
    how many there are (the import's "added")."""
    rows = conn.execute(
        f"SELECT substr(s.started_at, 1, 13), COUNT(*) FROM {stage} s WHERE NOT EXISTS "
        "(SELECT 1 FROM calls t WHERE t.started_at = s.started_at AND t.id = s.id) GROUP BY 1"
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

    conn.execute(
        'CREATE TEMP TABLE refresh_cells (day text COLLATE "C", next text COLLATE "C", '
        "agent text) ON COMMIT DROP"
    )
    conn.execute(
        "INSERT INTO refresh_cells SELECT day, "
        "to_char(day::date + 1, 'YYYY-MM-DD'), agent FROM touched_cells GROUP BY day, agent"
    )
    conn.execute("TRUNCATE touched_cells")
    cells = conn.execute("SELECT COUNT(*) FROM refresh_cells").fetchone()
    conn.execute(
        "DELETE FROM call_day_sums d USING refresh_cells r "
        "WHERE d.day = r.day AND d.agent IS NOT DISTINCT FROM r.agent"
    )
    sums = _coalesced(call_sums_columns(POSTGRES))
    for agent_match in ("c.agent = r.agent", "c.agent IS NULL AND r.agent IS NULL"):
        conn.execute(
            "INSERT INTO call_day_sums SELECT r.day, c.agent, c.intent, "
            f"{sums} FROM refresh_cells r JOIN calls c ON {agent_match} "
            "AND c.started_at >= r.day AND c.started_at < r.next "
            "GROUP BY r.day, c.agent, c.intent"
        )
    conn.execute("DROP TABLE refresh_cells")
    return int(cells[0]) if cells else 0


# ---- reading --------------------------------------------------------------------------------


def _day_after(iso: str) -> str:
    return (date.fromisoformat(iso[:10]) + timedelta(days=1)).isoformat()


def call_sums(
    conn: Any, scope: Any, raw: Callable[[Any], list[Sequence[Any]]]
) -> list[Sequence[Any]]:
    """`stats._call_groups`' rows (agent, intent, nine sums) for `scope`: whole UTC days
    from `call_day_sums`, the edges from `raw` (the plain grouped read of a sub-range)."""
    start, end = scope.start, scope.end
    first = start[:10] if start[10:] == DAY_START else _day_after(start)
    last = end[:10]  # days before this one are whole inside the period
    if first >= last or not present(conn):
        return raw(scope)
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
    for low, high in ((start, first + DAY_START), (last + DAY_START, end)):
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
