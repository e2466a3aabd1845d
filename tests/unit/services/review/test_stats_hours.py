"""Calls per local hour and day: the agent's-file shortcut (an index range per UTC hour of the
period) equals the portable grouping (by UTC hour, or by minute where a zone's offset is not
whole hours) across a daylight-saving change, a half-hour zone and one agent's calls."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from db import open_db
from desktop.core.clock import to_iso
from desktop.services.review.dialect import SQLiteDialect
from desktop.services.review.period import Period
from desktop.services.review.stats import _by_hour_and_day, _period_hours, _Scope


class PlainTables(SQLiteDialect):
    """The SQLite dialect as a file without call_facts sees it."""

    def has_table(self, conn, name: str) -> bool:
        return name != "call_facts" and super().has_table(conn, name)


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory):
    db = open_db(Path(tmp_path_factory.mktemp("hours")) / "h.sqlite3")
    start = datetime(2026, 3, 26, 22, 7, tzinfo=UTC)
    rows = [
        (f"c{n}", to_iso(start + timedelta(minutes=23 * n)), "A" if n % 3 else "B")
        for n in range(800)  # every 23 minutes over 12 days, both sides of 2026-03-29
    ]
    db.conn.executemany(
        "INSERT INTO calls (id, started_at, status, agent, notes) VALUES (?, ?, 'missed', ?, '')",
        rows,
    )
    yield db.conn
    db.close()


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "Asia/Shanghai", "Asia/Kolkata", "America/St_Johns", "UTC"]
)
@pytest.mark.parametrize("agent", [None, "B"])
def test_hours_by_range_equal_hours_by_grouping(conn, zone: str, agent: str | None) -> None:
    period = Period(date(2026, 3, 27), date(2026, 4, 3), zone)
    scope = _Scope(period, agent)
    fast = _by_hour_and_day(conn, scope, period, SQLiteDialect(), facts=True)
    plain = _by_hour_and_day(conn, scope, period, PlainTables(), facts=False)
    assert fast == plain
    assert sum(fast[0].values()) == sum(fast[1].values()) > 0


def test_only_whole_hour_zones_take_the_shortcut() -> None:
    berlin = _period_hours(Period(date(2026, 3, 29), date(2026, 3, 29), "Europe/Berlin"))
    assert berlin is not None and len(berlin) == 23  # the day the clocks go forward
    assert [local.hour for _s, _e, local in berlin][:4] == [0, 1, 3, 4]
    assert berlin[0][0] == "2026-03-28T23:00:00.000Z"
    assert _period_hours(Period(date(2026, 3, 29), date(2026, 3, 29), "Asia/Kolkata")) is None
