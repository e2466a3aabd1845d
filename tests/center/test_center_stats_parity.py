"""The heart of issue 17: one statistics module, two engines, IDENTICAL results.

The review's hand-checked fixture (tests/helpers/review_fixture.py) is built as an agent's
SQLite file, exported as a bundle, imported into a real PostgreSQL center database, and every
figure of `compute()` (and the adherence grid and complaint cases) must be equal, to the bit.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from db import connect as sqlite_connect
from desktop.core.clock import parse_iso
from desktop.services.center.connection import connect
from desktop.services.center.dialect import POSTGRES
from desktop.services.center.importer import import_bundle
from desktop.services.center.schema import migrate
from desktop.services.center.teams import assign_team, team_agents
from desktop.services.review import stats
from desktop.services.review.period import Period
from tests.helpers.bundle_files import rows_from_db, write_bundle
from tests.helpers.review_fixture import CHECKLISTS, NOW, ZONE, build_review_db

NOW_DT: datetime = parse_iso(NOW)
PERIODS = [
    Period.parse("2026-03-01", "2026-03-07", ZONE),
    Period.parse("2026-03-01", "2026-03-31", ZONE),
    Period.parse("2026-03-02", "2026-03-02", "UTC"),
    Period.parse("2026-03-01", "2026-03-07", "Asia/Kolkata"),  # a half-hour zone
]


@pytest.fixture
def both(tmp_path: Path, pg_url: str):
    local = build_review_db(tmp_path / "review.sqlite3")
    bundle = write_bundle(tmp_path / "A.callassist-bundle", rows_from_db(local))
    db = sqlite_connect(local, readonly=True)
    with connect(pg_url) as pg:
        migrate(pg)
        import_bundle(pg, bundle, url=pg_url)
        try:
            yield db.conn, pg
        finally:
            db.close()


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.first}..{p.last}@{p.zone_name}")
@pytest.mark.parametrize("agent", [None, "A", "B"])
def test_compute_is_identical_on_sqlite_and_postgresql(both, period: Period, agent) -> None:
    lite, pg = both
    on_sqlite = stats.compute(lite, period, agent=agent, checklists=CHECKLISTS, now=NOW_DT)
    on_pg = stats.compute(
        pg, period, agent=agent, checklists=CHECKLISTS, now=NOW_DT, dialect=POSTGRES
    )
    assert on_pg == on_sqlite
    assert repr(on_pg) == repr(on_sqlite)  # same types too (int vs float, None)


def test_the_fixture_is_not_trivial(both) -> None:
    lite, _pg = both
    figures = stats.compute(lite, PERIODS[0], checklists=CHECKLISTS, now=NOW_DT)
    assert figures["calls"] == 7 and figures["missed"] == 1
    assert figures["aht_s"] is not None and figures["fcr"] is not None
    assert figures["callbacks"]["due"] > 0 and figures["adherence"]


def test_adherence_grid_and_complaints_are_identical(both) -> None:
    lite, pg = both
    period = PERIODS[0]
    for intent in CHECKLISTS:
        assert stats.adherence_by_agent(
            pg, period, intent, CHECKLISTS, dialect=POSTGRES
        ) == stats.adherence_by_agent(lite, period, intent, CHECKLISTS)
    assert stats.complaint_cases(pg, period, dialect=POSTGRES) == stats.complaint_cases(
        lite, period
    )
    assert stats.known_agents(pg, POSTGRES) == stats.known_agents(lite)


def test_a_team_is_its_agents(both) -> None:
    """Filter by team: the team's agents, on both engines the same as naming them."""
    lite, pg = both
    assign_team(pg, "B", "t-north", "北区")
    period = PERIODS[1]
    agents = team_agents(pg, "t-north")
    assert agents == ["B"]
    team = stats.compute(
        pg, period, agents=agents, checklists=CHECKLISTS, now=NOW_DT, dialect=POSTGRES
    )
    assert team == stats.compute(lite, period, agents=agents, checklists=CHECKLISTS, now=NOW_DT)
    only_b = stats.compute(lite, period, agent="B", checklists=CHECKLISTS, now=NOW_DT)
    for key in ("calls", "answered", "missed", "aht_s", "fcr", "by_hour", "callbacks"):
        assert team[key] == only_b[key], key
    assert set(team["by_agent"]) == {"B"}
    empty = stats.compute(
        pg, period, agents=[], checklists=CHECKLISTS, now=NOW_DT, dialect=POSTGRES
    )
    assert empty["calls"] == 0


def test_the_center_is_partitioned_by_month(both) -> None:
    _lite, pg = both
    parts = [
        r[0]
        for r in pg.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'calls'::regclass ORDER BY 1"
        )
    ]
    assert parts == ["calls_y2026m03"]
    plan = "\n".join(
        r[0]
        for r in pg.execute(
            "EXPLAIN SELECT count(*) FROM calls WHERE started_at >= '2026-03-01' "
            "AND started_at < '2026-03-08'"
        )
    )
    assert "calls_y2026m03" in plan
    with pytest.raises(psycopg.errors.CheckViolation):
        pg.execute("INSERT INTO calls (id, started_at) VALUES ('x', 'not a time')")
    pg.rollback()


def test_the_handbook_read_a_day_at_a_time_is_the_same_on_both_engines(both, segmenter) -> None:
    """The whole center's handbook (`progress` given: a local day at a time, newest first)
    equals the one read at once, on PostgreSQL and on the agent's own file; cancelling
    stops it between days."""
    from desktop.core.progress import Cancelled, Progress
    from desktop.services.review import handbook

    lite, pg = both
    period = PERIODS[1]
    reports: list[tuple[int, int]] = []
    by_day = handbook.build(
        pg, period, now=NOW_DT, segmenter=segmenter, dialect=POSTGRES,
        progress=Progress(lambda done, total, _text: reports.append((done, total))),
    )  # fmt: skip
    at_once = handbook.build(pg, period, now=NOW_DT, segmenter=segmenter, dialect=POSTGRES)
    on_file = handbook.build(lite, period, now=NOW_DT, segmenter=segmenter)
    assert by_day and by_day == at_once == on_file
    assert (
        handbook.build(lite, period, now=NOW_DT, segmenter=segmenter, progress=Progress())
        == on_file
    )
    assert reports[0] == (0, 31) and reports[-1] == (31, 31)
    stop = Progress()
    stop.cancel()
    with pytest.raises(Cancelled):
        handbook.build(pg, period, now=NOW_DT, segmenter=segmenter, dialect=POSTGRES, progress=stop)
