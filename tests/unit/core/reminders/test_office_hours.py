from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from desktop.core.reminders import OfficeHours, local_to_utc, next_opening, utc_to_local

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
MON_SAT = OfficeHours(time(9), time(18), frozenset({1, 2, 3, 4, 5, 6}))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_inside_office_hours_is_kept() -> None:
    at = utc("2026-03-02T02:00:00")  # Monday 10:00 Shanghai
    assert next_opening(at, MON_SAT, SHANGHAI) == at


def test_after_closing_moves_to_next_morning() -> None:
    at = utc("2026-03-02T10:10:00")  # Monday 18:10
    assert next_opening(at, MON_SAT, SHANGHAI) == utc("2026-03-03T01:00:00")  # Tue 09:00


def test_closing_time_itself_is_closed_and_opening_time_open() -> None:
    assert next_opening(utc("2026-03-02T10:00:00"), MON_SAT, SHANGHAI) == utc("2026-03-03T01:00:00")
    assert next_opening(utc("2026-03-03T01:00:00"), MON_SAT, SHANGHAI) == utc("2026-03-03T01:00:00")


def test_before_opening_moves_to_same_morning() -> None:
    at = utc("2026-03-02T22:30:00")  # Tuesday 06:30 Shanghai
    assert next_opening(at, MON_SAT, SHANGHAI) == utc("2026-03-03T01:00:00")


def test_closed_weekday_is_skipped() -> None:
    saturday_evening = utc("2026-03-07T10:30:00")  # Saturday 18:30; Sunday closed
    assert next_opening(saturday_evening, MON_SAT, SHANGHAI) == utc("2026-03-09T01:00:00")


def test_holidays_are_skipped() -> None:
    hours = OfficeHours(time(9), time(18), MON_SAT.days, frozenset({date(2026, 3, 3)}))
    at = utc("2026-03-02T10:30:00")  # Monday 18:30; Tuesday is a holiday
    assert next_opening(at, hours, SHANGHAI) == utc("2026-03-04T01:00:00")


def test_overnight_shift_runs_past_midnight() -> None:
    night = OfficeHours(time(22), time(6), frozenset(range(1, 8)))
    at = utc("2026-03-02T18:00:00")  # Tuesday 02:00 local, inside Monday's night shift
    assert next_opening(at, night, SHANGHAI) == at
    noon = utc("2026-03-02T04:00:00")  # Monday 12:00 local
    assert next_opening(noon, night, SHANGHAI) == utc("2026-03-02T14:00:00")  # 22:00


def test_same_start_and_end_means_open_all_day() -> None:
    always = OfficeHours(time(0), time(0), frozenset(range(1, 8)))
    at = utc("2026-03-02T19:59:00")
    assert next_opening(at, always, SHANGHAI) == at


def test_no_office_days_never_loses_the_time() -> None:
    closed = OfficeHours(time(9), time(18), frozenset())
    at = utc("2026-03-02T12:00:00")
    assert next_opening(at, closed, SHANGHAI) == at


def test_opening_keeps_local_nine_across_dst_change() -> None:
    hours = OfficeHours(time(9), time(17), frozenset({1, 2, 3, 4, 5}))
    friday_evening = utc("2026-03-06T23:00:00")  # Fri 18:00 EST; DST starts Sun 8 March
    assert next_opening(friday_evening, hours, NEW_YORK) == utc("2026-03-09T13:00:00")  # 09:00 EDT


def test_opening_inside_a_dst_gap_moves_forward_by_the_gap() -> None:
    hours = OfficeHours(time(2, 30), time(17), frozenset(range(1, 8)))
    saturday_evening = utc("2026-03-07T23:00:00")  # Sat 18:00 EST
    # 02:30 on 8 March does not exist in New York; the office opens at 03:30 EDT = 07:30 UTC.
    assert next_opening(saturday_evening, hours, NEW_YORK) == utc("2026-03-08T07:30:00")


def test_local_to_utc_gap_and_fold() -> None:
    assert local_to_utc(datetime(2026, 3, 8, 2, 30), NEW_YORK) == utc("2026-03-08T07:30:00")
    # 01:30 on 1 November happens twice; the first (EDT) is meant.
    assert local_to_utc(datetime(2026, 11, 1, 1, 30), NEW_YORK) == utc("2026-11-01T05:30:00")
    assert utc_to_local(utc("2026-03-02T01:00:00"), SHANGHAI) == datetime(2026, 3, 2, 9, 0)


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
    st.sampled_from([SHANGHAI, NEW_YORK, ZoneInfo("Europe/London")]),
)
def test_next_opening_is_never_earlier_and_is_stable(naive: datetime, tz: ZoneInfo) -> None:
    at = naive.replace(tzinfo=UTC)
    opened = next_opening(at, MON_SAT, tz)
    assert at <= opened <= at + timedelta(days=3)
    assert next_opening(opened, MON_SAT, tz) == opened
    local = opened.astimezone(tz)
    assert local.isoweekday() in MON_SAT.days
    assert time(9) <= local.time() < time(18)
