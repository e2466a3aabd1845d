from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from desktop.core.calendar import AgentCalendar, calendar_from_settings, zone_named
from desktop.core.changes import ChangeBus, OpChanges, merge
from desktop.services.settings import Settings


def test_changes_merge_and_touch() -> None:
    a = OpChanges.for_calls("c1")
    b = OpChanges(reminders=True)
    both = a | b
    assert both.calls and both.reminders and both.call_ids == {"c1"}
    assert both.touches_call("c1") and not both.touches_call("c2")
    assert (a | OpChanges(calls=True)).touches_call("c2")  # "any call" wins over ids
    assert merge([]).empty and not merge([a, b]).empty


@pytest.mark.expect_log(logging.ERROR, "change subscriber failed")
def test_bus_delivers_and_survives_a_bad_subscriber(caplog: pytest.LogCaptureFixture) -> None:
    bus, seen = ChangeBus(), []

    def bad(_c: OpChanges, _o: object) -> None:
        raise RuntimeError("boom")

    bus.subscribe(bad)
    unsubscribe = bus.subscribe(lambda c, o: seen.append((c, o)))
    bus.publish(OpChanges(settings=True), origin="me")
    bus.publish(OpChanges())  # empty changes are not published
    unsubscribe()
    bus.publish(OpChanges(settings=True))
    assert seen == [(OpChanges(settings=True), "me")]
    assert "change subscriber failed" in caplog.text


def test_calendar_converts_through_the_agents_zone_not_the_computers() -> None:
    cal = AgentCalendar("Asia/Shanghai")
    at = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert cal.format(at, "%H:%M") == "15:00"
    assert cal.from_local(datetime(2026, 3, 2, 15, 0)) == at
    assert cal.to_wall(at) == datetime(2026, 3, 2, 15, 0)
    assert cal.format_iso("2026-03-02T07:00:00.000Z", "%H:%M") == "15:00"
    assert cal.format_iso(None) == ""


def test_day_bounds_cover_local_dates_and_dst() -> None:
    shanghai = AgentCalendar("Asia/Shanghai")
    start, end = shanghai.day_bounds(date(2026, 3, 2), date(2026, 3, 2))
    assert start == datetime(2026, 3, 1, 16, tzinfo=UTC)
    assert end == datetime(2026, 3, 2, 16, tzinfo=UTC)
    new_york = AgentCalendar("America/New_York")
    start, end = new_york.day_bounds(date(2026, 3, 8), date(2026, 3, 8))  # 23-hour day
    assert (end - start).total_seconds() == 23 * 3600
    with pytest.raises(ValueError):
        shanghai.day_bounds(date(2026, 3, 2), date(2026, 3, 1))


@pytest.mark.expect_log(logging.ERROR, "unknown time zone 'Mars/Olympus'")
def test_calendar_from_settings_and_unknown_zone(caplog: pytest.LogCaptureFixture) -> None:
    cal = calendar_from_settings(Settings(timezone="Asia/Taipei", grace_minutes=5))
    assert cal.zone_name == "Asia/Taipei" and cal.grace.total_seconds() == 300
    assert zone_named("Mars/Olympus") is UTC
    assert "unknown time zone" in caplog.text


def test_batch_publishes_once_after_the_block_and_nothing_on_error() -> None:
    bus, seen = ChangeBus(), []
    bus.subscribe(lambda c, o: seen.append((c, o)))
    with bus.batch(origin="wrap-up"):
        bus.publish(OpChanges.for_calls("c1"))
        bus.publish(OpChanges(reminders=True))
        assert seen == []
    assert seen == [(OpChanges(calls=True, reminders=True, call_ids=frozenset({"c1"})), "wrap-up")]
    seen.clear()
    with pytest.raises(RuntimeError), bus.batch():
        bus.publish(OpChanges(reminders=True))
        raise RuntimeError("rolled back")
    assert seen == []
