"""Statistics for a period, per agent and per intent: the one module behind the review
window's figures and charts and `callassist report stats`. Definitions: docs/metrics.md.

Plain SQL over the documented schema, portable to PostgreSQL: the few engine-specific
pieces (time arithmetic on ISO text, the notes index) come from a `Dialect`; local hours and
dates, medians and percentiles are computed here in Python from small grouped results.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from db.schema_v7 import STEP_SEPARATOR
from desktop.core.clock import parse_iso, to_iso
from desktop.core.reminders.timing import kept_status
from desktop.services.review.dialect import SQLITE, Dialect
from desktop.services.review.period import Period

# call type -> its checklist steps in order, as (step key, required)
Checklists = Mapping[str, Sequence[tuple[str, bool]]]

FCR_WINDOW_HOURS = 168
OPEN_REMINDER_STATUSES = ("pending", "fired", "snoozed")
DEFAULT_GRACE = timedelta(minutes=15)


def checklists_from_pack(pack: Any) -> dict[str, list[tuple[str, bool]]]:
    """The (step key, required) lists of a ContentPack, by call type."""
    return {
        key: [(step.key, step.required) for step in steps] for key, steps in pack.checklists.items()
    }


def _mean(total: float, count: float) -> float | None:
    return total / count if count else None


def _rate(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or
    below it (p90 of 10 values is the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


# The status index would lure SQLite's planner (no ANALYZE data in an agent's file) away from
# the period's started_at range; comparing an expression keeps it on the range, on any engine.
COMPLETED = "COALESCE(c.status, '') = 'completed'"


class _Scope:
    """The WHERE clause every query shares: the period, and the agent when one is chosen."""

    def __init__(
        self,
        period: Period,
        agent: str | None,
        alias: str = "c",
        agents: Sequence[str] | None = None,
    ) -> None:
        self.start, self.end = period.iso_bounds()
        self.alias = alias
        self.agent = agent
        # a team: these agents' calls (the center resolves a team to its agent ids)
        self.agents = tuple(agents) if agents is not None else None

    def agent_condition(self, alias: str) -> tuple[str, list[Any]]:
        if self.agent is not None:
            return f" AND {alias}.agent = ?", [self.agent]
        if self.agents is not None:
            if not self.agents:
                return " AND 1 = 0", []
            marks = ", ".join("?" for _ in self.agents)
            return f" AND {alias}.agent IN ({marks})", list(self.agents)
        return "", []

    def where(self, alias: str | None = None) -> tuple[str, list[Any]]:
        a = alias or self.alias
        text = f"{a}.started_at >= ? AND {a}.started_at < ?"
        params: list[Any] = [self.start, self.end]
        cond, extra = self.agent_condition(a)
        return text + cond, params + extra


def compute(
    conn: Any,
    period: Period,
    *,
    agent: str | None = None,
    checklists: Checklists | None = None,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime,
    dialect: Dialect = SQLITE,
    agents: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Every figure of docs/metrics.md for `period` (and one agent when given), as a JSON-ready
    dict; means in seconds, rates 0-1, None where there is nothing to average.

    `conn` is a DB-API connection with `execute` (sqlite3, psycopg 3); it is only read.
    `now` decides which callbacks have come due and which reminders are overdue."""
    scope = _Scope(period, agent, agents=agents)
    checklists = checklists or {}
    facts = _facts_version(conn, dialect)
    if facts:
        groups, counts = _read_facts(conn, scope, checklists, dialect, facts, by_agent=False)
    else:
        groups = _call_groups(conn, scope, dialect)
        counts = _adherence_counts(conn, scope, checklists, dialect)
    result: dict[str, Any] = {
        "period": {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "tz": period.zone_name,
            "agent": agent,
            "utc_start": scope.start,
            "utc_end": scope.end,
        },
        "generated_at": to_iso(now),
    }
    result.update(_totals(groups.values()))
    result["by_hour"], result["by_day"] = _by_hour_and_day(
        conn, scope, period, dialect, facts=bool(facts)
    )
    result["by_intent"] = _by_intent(groups)
    qa_by_agent = _qa_by_agent(conn, scope, dialect)
    result["by_agent"] = _by_agent(groups, qa_by_agent)
    result["adherence"] = _adherence(counts, groups, checklists, by_agent=False)
    result["callbacks"] = _callbacks(conn, scope, period, grace, now, dialect)
    result["complaints"] = _complaints(conn, scope, dialect)
    evaluated = sum(n for _avg, n in qa_by_agent.values())
    result["qa"] = {
        "evaluated": evaluated,
        "score_avg": _mean(sum(avg * n for avg, n in qa_by_agent.values()), evaluated),
    }
    return result


def adherence_by_agent(
    conn: Any,
    period: Period,
    intent: str,
    checklists: Checklists,
    *,
    agent: str | None = None,
    dialect: Dialect = SQLITE,
    agents: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """The adherence grid for one call type: agent -> {calls, all_required, steps, most_skipped}."""
    scope = _Scope(period, agent, agents=agents)
    one = {intent: checklists.get(intent, ())}
    facts = _facts_version(conn, dialect)
    if facts:
        groups, counts = _read_facts(conn, scope, one, dialect, facts, by_agent=True)
    else:
        groups = _call_groups(conn, scope, dialect)
        counts = _adherence_counts(conn, scope, one, dialect)
    grid = _adherence(counts, groups, one, by_agent=True)
    return {a: per_intent[intent] for a, per_intent in grid.items() if intent in per_intent}


# ---- calls, talk and handle time, FCR ------------------------------------------------------


@dataclass(slots=True)
class _Group:
    """The sums one (agent, intent) group contributes, in the grouped query's column order."""

    calls: float = 0
    answered: float = 0
    missed: float = 0
    completed: float = 0
    handled: float = 0
    talk: float = 0
    acw: float = 0
    fcr_calls: float = 0
    fcr_resolved: float = 0

    @classmethod
    def of(cls, row: Sequence[Any]) -> _Group:
        """Counts, and talk / wrap-up summed in whole milliseconds (integers: the same total
        on every engine, whatever order it adds in)."""
        values: list[float] = [int(v or 0) for v in row]
        values[5] = values[5] / 1000
        values[6] = values[6] / 1000
        return cls(*values)

    def add(self, other: _Group) -> None:
        self.calls += other.calls
        self.answered += other.answered
        self.missed += other.missed
        self.completed += other.completed
        self.handled += other.handled
        self.talk += other.talk
        self.acw += other.acw
        self.fcr_calls += other.fcr_calls
        self.fcr_resolved += other.fcr_resolved


Counts = tuple[dict[tuple[str, str, str], int], dict[tuple[str, str], int]]


def _read_facts(
    conn: Any,
    scope: _Scope,
    checklists: Checklists,
    dialect: Dialect,
    version: int,
    *,
    by_agent: bool,
) -> tuple[dict[tuple[str, str | None], _Group], Counts]:
    """What `_call_groups` and `_adherence_counts` give, from `call_facts`: the period's sums
    grouped by agent and intent (a few hundred groups a month), and its completed calls
    grouped by intent (and agent, for the adherence grid) and the set of steps done at
    completion. From migration 8 the FCR repeat test is a stored flag; before, a probe."""
    where, params = scope.where("f")
    if version >= 8:
        fcr_resolved = "SUM(CASE WHEN f.repeated = 0 THEN 1 ELSE 0 END)"
    else:
        repeat = (
            "SELECT 1 FROM calls r WHERE r.phone = f.phone AND r.intent = f.intent "
            "AND r.started_at > f.started_at AND r.started_at <= f.repeat_until "
            "AND r.reminder_id IS NULL"
        )
        fcr_resolved = f"SUM(CASE WHEN f.resolved = 1 AND NOT EXISTS ({repeat}) THEN 1 ELSE 0 END)"
    rows = conn.execute(
        dialect.sql(
            f"""SELECT f.agent, f.intent, COUNT(*), SUM(f.answered),
                   SUM(CASE WHEN f.status = 'missed' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN f.status = 'completed' THEN 1 ELSE 0 END),
                   SUM(f.handled), SUM(f.talk_ms), SUM(f.acw_ms), SUM(f.fcr_call),
                   {fcr_resolved}
            FROM call_facts f
            WHERE {where}
            GROUP BY f.agent, f.intent"""
        ),
        params,
    ).fetchall()
    sums: dict[tuple[str, str | None], list[int]] = {}
    for row in rows:
        key = (row[0] or "", row[1])
        values = [int(v or 0) for v in row[2:]]
        total = sums.get(key)
        if total is None:
            sums[key] = values
        else:  # NULL and '' agents are one
            for i, v in enumerate(values):
                total[i] += v
    groups = {key: _Group.of(values) for key, values in sums.items()}
    return groups, _read_steps(conn, where, params, checklists, dialect, by_agent=by_agent)


def _read_steps(
    conn: Any,
    where: str,
    params: list[Any],
    checklists: Checklists,
    dialect: Dialect,
    *,
    by_agent: bool,
) -> Counts:
    """(agent, intent, step) and (agent, intent) counts of `_adherence_counts`, from the
    distinct step sets of the period's completed calls (agent '' unless `by_agent`)."""
    agent = "f.agent" if by_agent else "''"
    rows = conn.execute(
        dialect.sql(
            f"""SELECT {agent}, f.intent, f.steps, COUNT(*)
            FROM call_facts f
            WHERE {where} AND f.steps IS NOT NULL AND f.intent IS NOT NULL
            GROUP BY {agent}, f.intent, f.steps"""
        ),
        params,
    ).fetchall()
    required = {intent: {key for key, req in items if req} for intent, items in checklists.items()}
    steps: dict[tuple[str, str, str], int] = defaultdict(int)
    complete: dict[tuple[str, str], int] = defaultdict(int)
    # the same step set recurs across agents: each is split (and checked against its type's
    # required steps) once
    parsed: dict[tuple[str, str], tuple[tuple[str, ...], bool]] = {}
    for who, intent, text, n in rows:
        who = who or ""
        known = parsed.get((intent, text))
        if known is None:
            done = set(text.split(STEP_SEPARATOR)) - {""}
            need = required.get(intent)
            known = parsed[(intent, text)] = (tuple(done), bool(need and need <= done))
        done_steps, all_required = known
        for step in done_steps:
            steps[(who, intent, step)] += n
        if all_required:
            complete[(who, intent)] += n
    return dict(steps), dict(complete)


def _has_facts(conn: Any, dialect: Dialect) -> bool:
    """Whether the file keeps `call_facts` (migration 7): the same sums, precomputed per
    call by triggers; an engine or file without it is read from `calls` directly."""
    return dialect.has_table(conn, "call_facts")


def _facts_version(conn: Any, dialect: Dialect) -> int:
    """0 without `call_facts` (read `calls`), 7 with it, 8 when it also keeps the FCR
    repeat flag (`repeated`, migration 8)."""
    if not _has_facts(conn, dialect):
        return 0
    columns = {row[1] for row in conn.execute("PRAGMA table_info(call_facts)").fetchall()}
    return 8 if "repeated" in columns else 7


def _repeat(call: str, dialect: Dialect) -> str:
    """The FCR repeat: the number calls again with the same intent within 168 h after
    `call` started; a call-back the agent made for a reminder is not a repeat."""
    return (
        f"SELECT 1 FROM calls r WHERE r.phone = {call}.phone AND r.intent = {call}.intent "
        f"AND r.started_at > {call}.started_at "
        f"AND r.started_at <= {dialect.shifted(f'{call}.started_at', FCR_WINDOW_HOURS)} "
        "AND r.reminder_id IS NULL"
    )


def call_sums_columns(dialect: Dialect) -> str:
    """The nine sums of `_Group` over calls `c`, as a SELECT list: the grouped read below,
    and the center's rollup refresh (desktop/services/center/rollups.py) use this one text."""
    handled = "c.answered_at IS NOT NULL AND c.ended_at IS NOT NULL AND c.completed_at IS NOT NULL"
    eligible = (
        "c.status = 'completed' AND c.phone <> '' AND c.intent IS NOT NULL "
        "AND c.intent <> 'unrelated'"
    )
    repeat = _repeat("c", dialect)
    return f"""COUNT(*),
               SUM(CASE WHEN c.answered_at IS NOT NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN c.status = 'missed' THEN 1 ELSE 0 END),
               SUM(CASE WHEN c.status = 'completed' THEN 1 ELSE 0 END),
               SUM(CASE WHEN {handled} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {handled} THEN CAST(ROUND(
                   {dialect.seconds_between("c.answered_at", "c.ended_at")} * 1000) AS BIGINT) END),
               SUM(CASE WHEN {handled} THEN CAST(ROUND(
                   {dialect.seconds_between("c.ended_at", "c.completed_at")} * 1000) AS BIGINT) END),
               SUM(CASE WHEN {eligible} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {eligible} AND c.outcome = 'resolved' AND NOT EXISTS ({repeat})
                        THEN 1 ELSE 0 END)"""


def _call_groups(
    conn: Any, scope: _Scope, dialect: Dialect
) -> dict[tuple[str, str | None], _Group]:
    """One grouped read per (agent, intent): every sum the headline figures are made of.
    A dialect with `call_sums` (the center's rollups) answers from its rollup tables and
    calls back here, `raw`, for the parts of the period they do not cover."""

    def raw(part: _Scope) -> list[Sequence[Any]]:
        where, params = part.where()
        sql = f"""
            SELECT c.agent, c.intent, {call_sums_columns(dialect)}
            FROM calls c
            WHERE {where}
            GROUP BY c.agent, c.intent
        """
        return conn.execute(dialect.sql(sql), params).fetchall()

    rollup = getattr(dialect, "call_sums", None)
    rows = rollup(conn, scope, raw) if rollup is not None else raw(scope)
    return {(row[0] or "", row[1]): _Group.of(row[2:]) for row in rows}


def _figures(group: _Group) -> dict[str, Any]:
    return {
        "calls": group.calls,
        "answered": group.answered,
        "missed": group.missed,
        "completed": group.completed,
        "answer_rate": _rate(group.answered, group.answered + group.missed),
        "handled": group.handled,
        "aht_s": _mean(group.talk + group.acw, group.handled),
        "talk_s": _mean(group.talk, group.handled),
        "acw_s": _mean(group.acw, group.handled),
        "fcr": _rate(group.fcr_resolved, group.fcr_calls),
        "fcr_calls": group.fcr_calls,
    }


def _totals(groups: Iterable[_Group]) -> dict[str, Any]:
    total = _Group()
    for group in groups:
        total.add(group)
    return _figures(total)


def _by_intent(groups: Mapping[tuple[str, str | None], _Group]) -> dict[str, Any]:
    merged: dict[str, _Group] = defaultdict(_Group)
    for (_agent, intent), group in groups.items():
        if intent is not None:
            merged[intent].add(group)
    classified = sum(g.calls for g in merged.values())
    out = {}
    for intent, group in sorted(merged.items(), key=lambda kv: -kv[1].calls):
        figures = _figures(group)
        out[intent] = {
            "calls": group.calls,
            "share": _rate(group.calls, classified),
            "aht_s": figures["aht_s"],
            "talk_s": figures["talk_s"],
            "acw_s": figures["acw_s"],
            "fcr": figures["fcr"],
        }
    return out


def _by_agent(
    groups: Mapping[tuple[str, str | None], _Group], qa: Mapping[str, tuple[float, int]]
) -> dict[str, Any]:
    merged: dict[str, _Group] = defaultdict(_Group)
    for (agent, _intent), group in groups.items():
        merged[agent].add(group)
    out = {}
    for agent, group in sorted(merged.items()):
        figures = _figures(group)
        qa_avg, qa_count = qa.get(agent, (None, 0))
        out[agent] = {
            "calls": group.calls,
            "answered": group.answered,
            "missed": group.missed,
            "aht_s": figures["aht_s"],
            "talk_s": figures["talk_s"],
            "acw_s": figures["acw_s"],
            "fcr": figures["fcr"],
            "qa_avg": qa_avg,
            "qa_count": qa_count,
        }
    return out


# ---- calls per local hour and day -----------------------------------------------------------


def _by_hour_and_day(
    conn: Any, scope: _Scope, period: Period, dialect: Dialect, *, facts: bool = False
) -> tuple[dict[str, int], dict[str, int]]:
    """Grouped by UTC hour in SQL (a text prefix, portable), then moved to local time here:
    exact for every zone whose offset is whole hours; other zones group by minute. In an
    agent's or lead's file (`facts`), a zone whose offset stays whole hours over the period
    counts each hour of the period as its own index range instead (no sort)."""
    by_hour = {str(h): 0 for h in range(24)}
    by_day = {d.isoformat(): 0 for d in period.days()}
    hours = _period_hours(period) if facts else None
    if hours is not None:
        rows = conn.execute(
            dialect.sql(
                "SELECT (SELECT COUNT(*) FROM calls c WHERE c.started_at >= "
                "json_extract(j.value, '$[0]') AND c.started_at < json_extract(j.value, '$[1]')"
                f"{scope.agent_condition('c')[0]}) FROM json_each(?) j ORDER BY j.key"
            ),
            [*scope.agent_condition("c")[1],
             json.dumps([[a, b] for a, b, _l in hours])],
        ).fetchall()  # fmt: skip
        for (_start, _end, local), (n,) in zip(hours, rows, strict=True):
            by_hour[str(local.hour)] += n
            day = local.date().isoformat()
            if day in by_day:
                by_day[day] += n
        return by_hour, by_day
    where, params = scope.where()
    hours = getattr(dialect, "hour_counts", None)  # the center's rollup, when it covers this
    for width in (13, 16):
        rows = hours(conn, scope) if hours is not None and width == 13 else None
        if rows is None:
            rows = conn.execute(
                dialect.sql(
                    f"SELECT substr(c.started_at, 1, {width}), COUNT(*) FROM calls c "
                    f"WHERE {where} GROUP BY substr(c.started_at, 1, {width})"
                ),
                params,
            ).fetchall()
        suffix = ":00:00Z" if width == 13 else ":00Z"
        moments = [(parse_iso(prefix + suffix), n) for prefix, n in rows]
        if width == 13 and any(
            (period.local(m).utcoffset() or timedelta()) % timedelta(hours=1) for m, _n in moments
        ):
            continue
        for moment, n in moments:
            local = period.local(moment)
            by_hour[str(local.hour)] += n
            day = local.date().isoformat()
            if day in by_day:
                by_day[day] += n
        break
    return by_hour, by_day


def _period_hours(period: Period) -> list[tuple[str, str, datetime]] | None:
    """The period's UTC hours (start, end as stored text; local start), or None when the zone's offset is
    not whole hours somewhere in it (an hour of UTC is then not an hour of local time)."""
    start, end = period.bounds()
    zone = period.zone
    hour = timedelta(hours=1)
    out = []
    while start < end:
        local = start.astimezone(zone)
        if (local.utcoffset() or timedelta()) % hour:
            return None
        out.append((_iso_hour(start), _iso_hour(min(start + hour, end)), local))
        start += hour
    return out


def _iso_hour(moment: datetime) -> str:
    """`to_iso` of a whole UTC hour, without strftime (672 of them a month)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---- checklist adherence --------------------------------------------------------------------


def _adherence_counts(
    conn: Any, scope: _Scope, checklists: Checklists, dialect: Dialect, *, plain: bool = False
) -> Counts:
    """(agent, intent, step) -> completed calls with that step ticked at completion, and
    (agent, intent) -> completed calls with every required step ticked at completion.
    A dialect with `adherence_counts` (the center's step rollup) answers from it and calls
    back here (`plain`) for the parts of the period it does not cover."""
    rollup = None if plain else getattr(dialect, "adherence_counts", None)
    if rollup is not None:
        found = rollup(
            conn,
            scope,
            checklists,
            lambda part: _adherence_counts(conn, part, checklists, dialect, plain=True),
        )
        if found is not None:
            return found
    where, params = scope.where()
    at_completion = (
        "t.ticked_at <= c.completed_at "
        "AND (t.unticked_at IS NULL OR t.unticked_at > c.completed_at)"
    )
    rows = conn.execute(
        dialect.sql(
            f"""SELECT c.agent, c.intent, t.step_key, COUNT(DISTINCT c.id)
            FROM calls c JOIN checklist_ticks t ON t.call_id = c.id
            WHERE {where} AND {COMPLETED} AND c.intent IS NOT NULL AND {at_completion}
            GROUP BY c.agent, c.intent, t.step_key"""
        ),
        params,
    ).fetchall()
    steps = {(a or "", i, s): n for a, i, s, n in rows}
    required = [(i, key) for i, items in checklists.items() for key, req in items if req]
    complete: dict[tuple[str, str], int] = {}
    if required:
        need: dict[str, int] = defaultdict(int)
        for intent, _key in required:
            need[intent] += 1
        pairs = ", ".join("?" for _ in required)
        cases = " ".join("WHEN ? THEN ?" for _ in need)
        rows = conn.execute(
            dialect.sql(
                f"""SELECT g.agent, g.intent, COUNT(*) FROM (
                    SELECT c.agent, c.intent, c.id, COUNT(DISTINCT t.step_key) AS n
                    FROM calls c JOIN checklist_ticks t ON t.call_id = c.id
                    WHERE {where} AND {COMPLETED} AND {at_completion}
                      AND c.intent || '/' || t.step_key IN ({pairs})
                    GROUP BY c.agent, c.intent, c.id
                ) g
                WHERE g.n = CASE g.intent {cases} ELSE -1 END
                GROUP BY g.agent, g.intent"""
            ),
            [*params, *(f"{i}/{k}" for i, k in required), *(v for kv in need.items() for v in kv)],
        ).fetchall()
        complete = {(a or "", i): n for a, i, n in rows}
    return steps, complete


def _adherence(
    counts: tuple[dict[tuple[str, str, str], int], dict[tuple[str, str], int]],
    groups: Mapping[tuple[str, str | None], _Group],
    checklists: Checklists,
    *,
    by_agent: bool,
) -> dict[str, Any]:
    """intent -> {calls, all_required, all_required_calls, steps, required, most_skipped};
    nested under agent first when `by_agent`."""
    step_counts, complete = counts
    completed: dict[tuple[str, str], int] = defaultdict(int)
    for (agent, intent), group in groups.items():
        if intent is not None and group.completed:
            completed[(agent if by_agent else "", intent)] += int(group.completed)
    ticked: dict[tuple[str, str, str], int] = defaultdict(int)
    for (agent, intent, step), n in step_counts.items():
        ticked[(agent if by_agent else "", intent, step)] += n
    done_all: dict[tuple[str, str], int] = defaultdict(int)
    for (agent, intent), n in complete.items():
        done_all[(agent if by_agent else "", intent)] += n
    out: dict[str, Any] = defaultdict(dict)
    for (agent, intent), calls in sorted(completed.items()):
        if intent not in checklists:
            continue
        items = list(checklists[intent])
        known = {key for key, _req in items}
        extra = sorted({s for (a, i, s) in ticked if a == agent and i == intent} - known)
        steps = {
            key: ticked.get((agent, intent, key), 0) / calls
            for key in [k for k, _r in items] + extra
        }
        required = [key for key, req in items if req]
        all_required = done_all.get((agent, intent), 0) if required else calls
        skipped = [key for key in required if steps[key] < 1.0]
        most = min(skipped, key=lambda k: (steps[k], required.index(k))) if skipped else None
        out[agent][intent] = {
            "calls": calls,
            "all_required": all_required / calls,
            "all_required_calls": all_required,
            "steps": steps,
            "required": required,
            "most_skipped": most,
        }
    return dict(out) if by_agent else dict(out.get("", {}))


# ---- callbacks and reminders ----------------------------------------------------------------


def _callbacks(
    conn: Any, scope: _Scope, period: Period, grace: timedelta, now: datetime, dialect: Dialect
) -> dict[str, Any]:
    """Callback reminders whose target_at falls in the period (cancelled ones excluded):
    kept / late / missed once decided; still-pending ones are not due yet."""
    agent_join, agent_where = "", ""
    agent_params: list[Any] = []
    if scope.agent is not None or scope.agents is not None:
        agent_join = " JOIN calls c ON c.id = r.call_id"
        agent_where, agent_params = scope.agent_condition("c")
    rows = conn.execute(
        dialect.sql(
            f"SELECT r.target_at, r.callback_at FROM reminders r{agent_join} "
            "WHERE r.kind = 'callback' AND r.status <> 'cancelled' "
            f"AND r.target_at >= ? AND r.target_at < ?{agent_where}"
        ),
        [scope.start, scope.end, *agent_params],
    ).fetchall()
    tally = {"kept": 0, "late": 0, "missed": 0, "pending": 0}
    by_day = {d.isoformat(): {"due": 0, "kept": 0} for d in period.days()}
    zone = period.zone
    # local date by stored UTC hour ('…THH'), for zones whose offset is whole hours then
    day_of_hour: dict[str, str] = {}
    for target_text, back_text in rows:
        target = parse_iso(target_text)
        state = kept_status(target, parse_iso(back_text) if back_text else None, grace, now)
        tally[state] += 1
        if state == "pending":
            continue
        hour = target_text[:13] if target_text.endswith("Z") else ""
        local_day = day_of_hour.get(hour) if hour else None
        if local_day is None:
            local = target.astimezone(zone)
            local_day = local.date().isoformat()
            if hour and not (local.utcoffset() or timedelta()) % timedelta(hours=1):
                day_of_hour[hour] = local_day
        day = by_day.get(local_day)
        if day is None:
            day = by_day[local_day] = {"due": 0, "kept": 0}
        day["due"] += 1
        day["kept"] += state == "kept"
    due = tally["kept"] + tally["late"] + tally["missed"]
    marks = ", ".join("?" for _ in OPEN_REMINDER_STATUSES)
    overdue = conn.execute(
        dialect.sql(
            f"SELECT COUNT(*) FROM reminders r{agent_join} "
            f"WHERE r.status IN ({marks}) AND r.due_at < ?{agent_where}"
        ),
        [*OPEN_REMINDER_STATUSES, to_iso(now - grace), *agent_params],
    ).fetchone()[0]
    return {
        "due": due,
        "kept": tally["kept"],
        "late": tally["late"],
        "missed": tally["missed"],
        "pending": tally["pending"],
        "kept_rate": _rate(tally["kept"], due),
        "overdue": overdue,
        "by_day": by_day,
    }


# ---- complaints: time to first response and to resolution -----------------------------------


def complaint_cases(
    conn: Any,
    period: Period,
    *,
    agent: str | None = None,
    dialect: Dialect = SQLITE,
    agents: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Complaint cases opened in the period: see `_complaint_cases`."""
    scope = _Scope(period, agent, agents=agents)
    return _complaint_cases(conn, scope, dialect)


def _complaint_cases(conn: Any, scope: _Scope, dialect: Dialect) -> dict[str, dict[str, Any]]:
    """Complaint cases opened in the period (a completed complaint call not made for a
    reminder), each with its response and resolution times in seconds (None when not yet).
    A dialect with `complaint_cases` (the center's rollup, center schema 5) answers from its
    stored figures, which the center computes with `case_figures` below. In an agent's or
    lead's file (SQLite with call_facts) the period is walked once, in one statement."""
    if _has_facts(conn, dialect):
        return _case_times(_case_rows_at_once(conn, scope, dialect))
    rollup = getattr(dialect, "complaint_cases", None)
    if rollup is not None:
        found = rollup(conn, scope)
        if found is not None:
            return found
    where, params = scope.where()
    return case_figures(conn, where, params, dialect)


def case_figures(
    conn: Any, where: str, params: Sequence[Any], dialect: Dialect, *, with_call: bool = False
) -> dict[str, dict[str, Any]]:
    """The cases among the calls `c` that `where` (with `?` parameters) selects, and their
    figures; `with_call` adds each case call's stored `started_at` text and `agent` (what the
    center's rollup keeps beside the figures)."""
    params = list(params)
    # the period's case calls `c`: each query below walks them once (an index range) and
    # joins what belongs to them, instead of re-running them as an IN list
    opened = (
        f"{where} AND COALESCE(c.intent, '') = 'complaint' AND {COMPLETED} "
        "AND c.reminder_id IS NULL"
    )
    q = lambda sql, args: conn.execute(dialect.sql(sql), args).fetchall()  # noqa: E731
    cases: dict[str, dict[str, Any]] = {}
    for cid, started, ended, completed, outcome, agent in q(
        "SELECT c.id, c.started_at, c.ended_at, c.completed_at, c.outcome, c.agent FROM calls c "
        f"WHERE {opened}",
        params,
    ):
        cases[cid] = {
            "started_at": started,
            "agent": agent,
            "started": parse_iso(started),
            "ended": parse_iso(ended or completed),
            "responses": [],
            "resolutions": [parse_iso(completed)] if outcome == "resolved" else [],
            "first_call_resolved": outcome == "resolved",
        }
    if not cases:
        return {}
    for case_id, kind, status, done_at, callback_at in q(
        "SELECT r.case_id, r.kind, r.status, r.done_at, r.callback_at "
        f"FROM calls c JOIN reminders r ON r.case_id = c.id WHERE {opened}",
        params,
    ):
        case = cases.get(case_id)
        if case is None:
            continue
        if callback_at:
            case["responses"].append(parse_iso(callback_at))
        if kind == "first_response" and status == "done" and done_at:
            case["responses"].append(parse_iso(done_at))
    follow_ups = " UNION ALL ".join(
        "SELECT r.case_id, cc.completed_at, cc.outcome FROM calls c "
        f"JOIN reminders r ON r.case_id = c.id JOIN calls cc ON {link} WHERE {opened}"
        for link in ("cc.reminder_id = r.id", "cc.id = r.callback_call_id")
    )
    for case_id, completed, outcome in q(follow_ups, params + params):
        if case_id in cases and outcome == "resolved" and completed:
            cases[case_id]["resolutions"].append(parse_iso(completed))
    for case_id, at in q(  # the app records a closed case as entity 'case', id = the case call
        "SELECT a.entity_id, a.at FROM calls c JOIN audit_log a "
        "ON a.entity = 'case' AND a.entity_id = c.id "
        f"WHERE {opened} AND a.action = 'reminder.case_closed'",
        params,
    ):
        if case_id in cases:
            cases[case_id]["resolutions"].append(parse_iso(at))
    out = {}
    for cid, case in cases.items():
        responses = [t for t in case["responses"] if t >= case["ended"]]
        response = None
        if not case["first_call_resolved"] and responses:
            response = (min(responses) - case["ended"]).total_seconds()
        resolution = None
        if case["resolutions"]:
            resolution = (min(case["resolutions"]) - case["started"]).total_seconds()
        out[cid] = {
            "first_call_resolved": case["first_call_resolved"],
            "first_response_s": response,
            "resolution_s": resolution,
        }
        if with_call:
            out[cid]["started_at"] = case["started_at"]
            out[cid]["agent"] = case["agent"]
    return out


CaseRows = tuple[list[Sequence[Any]], list[Sequence[Any]], list[Sequence[Any]], list[Sequence[Any]]]


def _case_rows_at_once(conn: Any, scope: _Scope, dialect: Dialect) -> CaseRows:
    """The rows `_case_times` takes, in one statement: the period's complaint calls, walked
    once along `started_at` (their rows lie in that order: a lookup by the random call id,
    e.g. from call_facts, costs twice as much), then what belongs to them, each part tagged.
    CROSS JOIN keeps SQLite's planner on that order (it would otherwise walk every call-back
    call of the file, or every closed case)."""
    where, params = scope.where()
    sql = f"""WITH k AS MATERIALIZED (
            SELECT c.id, c.started_at, c.ended_at, c.completed_at, c.outcome FROM calls c
            WHERE {where} AND COALESCE(c.intent, '') = 'complaint' AND {COMPLETED}
              AND c.reminder_id IS NULL
        )
        SELECT 0, id, started_at, ended_at, completed_at, outcome FROM k
        UNION ALL
        SELECT 1, r.case_id, r.kind, r.status, r.done_at, r.callback_at
        FROM k CROSS JOIN reminders r ON r.case_id = k.id
        UNION ALL
        SELECT 2, r.case_id, cc.completed_at, cc.outcome, NULL, NULL
        FROM k CROSS JOIN reminders r ON r.case_id = k.id
        CROSS JOIN calls cc ON cc.reminder_id = r.id
        UNION ALL
        SELECT 2, r.case_id, cc.completed_at, cc.outcome, NULL, NULL
        FROM k CROSS JOIN reminders r ON r.case_id = k.id
        CROSS JOIN calls cc ON cc.id = r.callback_call_id
        UNION ALL
        SELECT 3, a.entity_id, a.at, NULL, NULL, NULL
        FROM k CROSS JOIN audit_log a ON a.entity = 'case' AND a.entity_id = k.id
        WHERE a.action = 'reminder.case_closed'"""
    parts: CaseRows = ([], [], [], [])
    widths = (6, 6, 4, 3)  # tag + the columns of each part
    for row in conn.execute(dialect.sql(sql), params).fetchall():
        tag = row[0]
        parts[tag].append(row[1 : widths[tag]])
    return parts


def _case_times(rows: CaseRows) -> dict[str, dict[str, Any]]:
    """Each case's first response and resolution, from its call (id, started, ended,
    completed, outcome), its reminders (case, kind, status, done, callback), its follow-up
    calls (case, completed, outcome) and its closings in the audit log (case, at). Times stay
    text until a figure needs them (most cases are resolved on the first call: two parses)."""
    opened, reminders, answers, closed = rows
    if not opened:
        return {}
    # call id -> [started, ended, responses, resolutions, resolved on the first call]
    cases: dict[str, list[Any]] = {}
    for cid, started, ended, completed, outcome in opened:
        first = outcome == "resolved"
        cases[cid] = [started, ended or completed, [], [completed] if first else [], first]
    for case_id, kind, status, done_at, callback_at in reminders:
        case = cases.get(case_id)
        if case is None:
            continue
        if callback_at:
            case[2].append(callback_at)
        if kind == "first_response" and status == "done" and done_at:
            case[2].append(done_at)
    for case_id, completed, outcome in answers:
        if case_id in cases and outcome == "resolved" and completed:
            cases[case_id][3].append(completed)
    for case_id, at in closed:
        if case_id in cases:
            cases[case_id][3].append(at)
    out = {}
    for cid, (started, ended, answered, resolutions, first) in cases.items():
        response = None
        if not first and answered:
            end = parse_iso(ended)
            responses = [t for t in map(parse_iso, answered) if t >= end]
            if responses:
                response = (min(responses) - end).total_seconds()
        resolution = None
        if resolutions:
            resolution = (min(map(parse_iso, resolutions)) - parse_iso(started)).total_seconds()
        out[cid] = {
            "first_call_resolved": first,
            "first_response_s": response,
            "resolution_s": resolution,
        }
    return out


def _complaints(conn: Any, scope: _Scope, dialect: Dialect) -> dict[str, Any]:
    """The period's complaint figures. A dialect with `complaint_totals` (the center's
    stored cases) gives (cases, followed up, response times, resolution times) directly."""
    totals = getattr(dialect, "complaint_totals", None)
    found = totals(conn, scope) if totals is not None else None
    if found is None:
        cases = _complaint_cases(conn, scope, dialect)
        follow_ups = [c for c in cases.values() if not c["first_call_resolved"]]
        found = (
            len(cases),
            len(follow_ups),
            [c["first_response_s"] for c in follow_ups if c["first_response_s"] is not None],
            [c["resolution_s"] for c in cases.values() if c["resolution_s"] is not None],
        )
    n_cases, n_follow_ups, responses, resolutions = found
    return {
        "cases": n_cases,
        "resolved_first_call": n_cases - n_follow_ups,
        "followed_up": n_follow_ups,
        "awaiting_response": n_follow_ups - len(responses),
        "unresolved": n_cases - len(resolutions),
        "first_response_median_s": median(responses),
        "first_response_p90_s": percentile(responses, 0.9),
        "resolution_median_s": median(resolutions),
        "resolution_p90_s": percentile(resolutions, 0.9),
    }


# ---- QA ---------------------------------------------------------------------------------


def _qa_by_agent(conn: Any, scope: _Scope, dialect: Dialect) -> dict[str, tuple[float, int]]:
    """agent -> (mean score, evaluated calls) over the current (not superseded) evaluations
    of the period's calls."""
    if not dialect.has_table(conn, "qa_evaluations"):
        return {}
    if conn.execute(dialect.sql("SELECT 1 FROM qa_evaluations LIMIT 1")).fetchone() is None:
        return {}  # no scorecards yet (most agents' files): skip the period's join
    where, params = scope.where()
    rows = conn.execute(
        dialect.sql(
            f"""SELECT c.agent, AVG(q.score), COUNT(*) FROM qa_evaluations q
            JOIN calls c ON c.id = q.call_id
            WHERE {where} AND q.score IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM qa_evaluations n WHERE n.supersedes_id = q.id)
            GROUP BY c.agent"""
        ),
        params,
    ).fetchall()
    return {(a or ""): (float(avg), n) for a, avg, n in rows}


def known_agents(conn: Any, dialect: Dialect = SQLITE) -> list[str]:
    """Every agent id in the file (an index walk over calls(agent, started_at))."""
    rows = conn.execute(dialect.sql("SELECT DISTINCT agent FROM calls ORDER BY agent")).fetchall()
    return [r[0] for r in rows if r[0] is not None]
