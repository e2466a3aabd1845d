"""The center's rollups (schema 2) against the plain path on the same data: after every
import of a sequence of bundles (new calls, updated calls, calls of another agent that turn
an earlier call into a repeat call), `compute()` from the rollups must equal `compute()`
from the calls alone (types included), and the rollup rows must equal a fresh recompute."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.clock import parse_iso
from desktop.services.center.connection import connect
from desktop.services.center.dialect import POSTGRES, POSTGRES_PLAIN
from desktop.services.center.importer import import_bundle
from desktop.services.center.rollups import DAY_ZONE, SUMS, _coalesced, _local_day
from desktop.services.center.schema import migrate
from desktop.services.review import stats
from desktop.services.review.period import Period
from tests.helpers.bundle_files import write_bundle
from tests.helpers.review_fixture import CHECKLISTS

NOW = datetime(2026, 5, 1, tzinfo=UTC)
PERIODS = [
    Period.parse("2026-03-02", "2026-03-08", "Asia/Shanghai"),
    Period.parse("2026-03-01", "2026-03-31", "Asia/Shanghai"),
    Period.parse("2026-03-10", "2026-03-10", "UTC"),
    Period.parse("2026-03-09", "2026-03-15", "America/New_York"),
    Period.parse("2026-03-01", "2026-03-20", "Asia/Kolkata"),  # half-hour zone: plain hours
]
INTENTS = ["inquiry", "complaint", "help", "order", "status", "fault", "unrelated", None]


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def make_calls(rng: random.Random, agent: str, n: int, first: datetime, days: int) -> list[dict]:
    calls = []
    for k in range(n):
        start = first + timedelta(
            seconds=rng.randrange(days * 86400), milliseconds=rng.randrange(1000)
        )
        missed = rng.random() < 0.1
        answered = None if missed else start + timedelta(seconds=rng.randrange(1, 30))
        ended = start + timedelta(seconds=rng.randrange(40, 900))
        completed = (
            None
            if missed or rng.random() < 0.05
            else ended + timedelta(seconds=rng.randrange(0, 300))
        )
        calls.append(
            {
                "id": f"{agent}-{k:04d}",
                "phone": rng.choice(["", *(f"1380000{p:04d}" for p in range(12))]),
                "caller_name": "",
                "started_at": iso(start),
                "answered_at": iso(answered) if answered else None,
                "ended_at": iso(ended),
                "completed_at": iso(completed) if completed else None,
                "intent": None if missed else rng.choice(INTENTS),
                "priority": "normal",
                "status": "missed" if missed else ("completed" if completed else "open"),
                "outcome": rng.choice(["resolved", "resolved", "follow_up", None]),
                "notes": "",
                "agent": agent,
                "source": "softphone",
                "reminder_id": "R1" if rng.random() < 0.05 else None,
                "updated_at": "2026-04-01T00:00:00.000Z",
            }
        )  # fmt: skip
    return calls


STEPS = ["accept", "calm", "thank", "greeting", "answer", "extra"]


def make_ticks(rng: random.Random, calls: list[dict], prefix: str) -> list[dict]:
    """Ticks of some of the calls: before completion (counted), after it (not), unticked
    before it (not) or after it (counted)."""
    ticks = []
    for call in calls:
        if rng.random() < 0.3:
            continue
        base = parse_iso(call["started_at"])
        for step in rng.sample(STEPS, rng.randrange(1, 4)):
            ticked = base + timedelta(seconds=rng.randrange(0, 1200))
            unticked = None
            if rng.random() < 0.2:
                unticked = ticked + timedelta(seconds=rng.randrange(1, 600))
            ticks.append(
                {"uid": f"{prefix}-{len(ticks):05d}", "call_id": call["id"], "step_key": step,
                 "ticked_at": iso(ticked), "unticked_at": iso(unticked) if unticked else None}
            )  # fmt: skip
    return ticks


def assert_steps_fresh(pg: Any) -> None:
    """The stored step rollup (schema 5) equals a fresh recompute over every call."""
    from desktop.services.center.rollups import _steps_rows

    stored = pg.execute(
        "SELECT day, agent, intent, steps, calls FROM call_day_steps ORDER BY 1, 2, 3, 4"
    ).fetchall()
    fresh = pg.execute(
        f"SELECT * FROM ({_steps_rows('FROM calls c', DAY_ZONE)}) f ORDER BY 1, 2, 3, 4"
    ).fetchall()
    assert stored == fresh


def assert_same_figures(pg: Any) -> None:
    for period in PERIODS:
        for agent, agents in ((None, None), ("X", None), (None, ["X", "Y"]), (None, [])):
            fast = stats.compute(
                pg, period, agent=agent, agents=agents, checklists=CHECKLISTS, now=NOW,
                dialect=POSTGRES,
            )  # fmt: skip
            plain = stats.compute(
                pg, period, agent=agent, agents=agents, checklists=CHECKLISTS, now=NOW,
                dialect=POSTGRES_PLAIN,
            )  # fmt: skip
            assert repr(fast) == repr(plain), (period, agent, agents)
    stored = pg.execute(
        f"SELECT day, agent, intent, {', '.join(SUMS)} FROM call_day_sums ORDER BY 1, 2, 3"
    ).fetchall()
    fresh = pg.execute(
        f"SELECT {_local_day('c.started_at', DAY_ZONE)}, c.agent, c.intent, "
        f"{_coalesced(stats.call_sums_columns(POSTGRES))} FROM calls c GROUP BY 1, 2, 3 "
        "ORDER BY 1, 2, 3"
    ).fetchall()
    assert stored == fresh
    assert_cases_fresh(pg)
    assert_steps_fresh(pg)
    hours = pg.execute("SELECT hour, calls FROM call_hour_counts WHERE calls > 0 ORDER BY 1")
    assert (
        hours.fetchall()
        == pg.execute(
            "SELECT substr(started_at, 1, 13), COUNT(*) FROM calls GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    pg.rollback()


def assert_cases_fresh(pg: Any) -> None:
    """The stored complaint cases (schema 5) equal the plain path's over every call."""
    kept = {
        cid: {"first_call_resolved": f, "first_response_s": r, "resolution_s": s,
              "started_at": at, "agent": a}
        for cid, at, a, f, r, s in pg.execute(
            "SELECT case_id, started_at, agent, first_call_resolved, first_response_s, "
            "resolution_s FROM complaint_cases"
        ).fetchall()
    }  # fmt: skip
    fresh = stats.case_figures(pg, "1 = 1", [], POSTGRES_PLAIN, with_call=True)
    assert kept == fresh


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_equal_the_plain_path_after_every_import(tmp_path: Path, pg_url: str, seed) -> None:
    rng = random.Random(seed)
    march = datetime(2026, 3, 1, tzinfo=UTC)
    x_early = make_calls(rng, "X", 150, march, 12)
    y_calls = make_calls(rng, "Y", 150, march + timedelta(days=5), 12)
    x_late = make_calls(rng, "X", 150, march + timedelta(days=10), 12)
    for k, call in enumerate(x_late):
        call["id"] = f"X-late-{k:04d}"
    changed = [
        {**c, "phone": "13800009999", "intent": "complaint", "outcome": "resolved",
         "updated_at": "2026-04-02T00:00:00.000Z"}
        for c in rng.sample(x_early, 20)
    ]  # fmt: skip
    early_ticks = make_ticks(rng, x_early, "xe")
    unticked = [
        {**t, "unticked_at": iso(parse_iso(t["ticked_at"]) + timedelta(seconds=1))}
        for t in early_ticks[:30]
        if t["unticked_at"] is None
    ]
    bundles = [
        ("X", {"calls": x_early, "checklist_ticks": early_ticks[40:]}),
        # repeat calls within 7 days of X's (X's FCR changes); X's other ticks arrive late
        ("Y", {"calls": y_calls, "checklist_ticks": make_ticks(rng, y_calls, "y")}),
        ("X", {"checklist_ticks": early_ticks[:40]}),
        # new calls and updated ones (phone, type, outcome), ticks unticked
        ("X", {"calls": x_late + changed, "checklist_ticks": unticked}),
        ("X", {"calls": x_late}),  # the same again: unchanged
    ]
    with connect(pg_url) as pg:
        migrate(pg)
        for n, (agent, tables) in enumerate(bundles):
            path = write_bundle(tmp_path / f"{n}.bundle", tables, agent_id=agent)
            import_bundle(pg, path, url=pg_url)
            assert_same_figures(pg)
        assert pg.execute("SELECT COUNT(*) FROM call_day_sums").fetchone()[0] > 0
        assert pg.execute("SELECT COUNT(*) FROM call_day_steps").fetchone()[0] > 0


def test_migration_2_fills_the_rollups_from_calls_already_there(tmp_path: Path, pg_url: str):
    """A center made by schema 1 and filled, then migrated: the rollups start complete."""
    from desktop.services.center import schema

    rng = random.Random(7)
    calls = make_calls(rng, "X", 200, datetime(2026, 3, 1, tzinfo=UTC), 20)
    with connect(pg_url) as pg:
        with pg.transaction():
            pg.execute("CREATE TABLE schema_version (version integer PRIMARY KEY, "
                       "applied_at timestamptz NOT NULL DEFAULT now())")  # fmt: skip
            with pg.cursor() as cur:
                schema.MIGRATIONS[0](cur)
                cur.execute("INSERT INTO schema_version (version) VALUES (1)")
        for month in ("2026-03",):
            schema.month_partition(pg, month)
        with (
            pg.cursor() as cur,
            cur.copy(
                "COPY calls (id, phone, started_at, answered_at, ended_at, completed_at, intent, "
                "status, outcome, agent, reminder_id) FROM STDIN"
            ) as copy,
        ):
            for c in calls:
                copy.write_row([c[k] for k in ("id", "phone", "started_at", "answered_at",
                                               "ended_at", "completed_at", "intent", "status",
                                               "outcome", "agent", "reminder_id")])  # fmt: skip
        pg.commit()
        assert schema.migrate(pg) == (1, schema.SCHEMA_VERSION)
        assert_same_figures(pg)
