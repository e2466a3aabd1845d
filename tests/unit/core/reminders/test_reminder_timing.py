from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.core.reminders import (
    OfficeHours,
    ReminderTimeError,
    classify,
    count_kept,
    kept_status,
    local_time_text,
    quick_pick_due,
    relative_text,
    validate_due,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = OfficeHours(time(9), time(18), frozenset({1, 2, 3, 4, 5, 6}))
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai
GRACE = timedelta(minutes=15)


def test_quick_picks() -> None:
    assert quick_pick_due("15m", NOW, HOURS, SHANGHAI) == NOW + timedelta(minutes=15)
    assert quick_pick_due("2h", NOW, HOURS, SHANGHAI) == NOW + timedelta(hours=2)
    assert quick_pick_due("tomorrow", NOW, HOURS, SHANGHAI) == datetime(
        2026, 3, 3, 1, 0, tzinfo=UTC
    )
    custom = quick_pick_due("custom", NOW, HOURS, SHANGHAI, datetime(2026, 3, 3, 10, 0))
    assert custom == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # naive custom = local wall time


def test_tomorrow_morning_skips_closed_days_and_late_openings() -> None:
    saturday = datetime(2026, 3, 7, 4, 0, tzinfo=UTC)
    assert quick_pick_due("tomorrow", saturday, HOURS, SHANGHAI) == datetime(
        2026, 3, 9, 1, 0, tzinfo=UTC
    )
    late = OfficeHours(time(10), time(18), HOURS.days)
    assert quick_pick_due("tomorrow", NOW, late, SHANGHAI) == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def test_tomorrow_is_local_tomorrow_not_utc_tomorrow() -> None:
    late_evening = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # Monday 23:30 Shanghai = Mon UTC
    assert quick_pick_due("tomorrow", late_evening, HOURS, SHANGHAI) == datetime(
        2026, 3, 3, 1, 0, tzinfo=UTC
    )
    just_after_midnight = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # Tuesday 00:30 Shanghai
    assert quick_pick_due("tomorrow", just_after_midnight, HOURS, SHANGHAI) == datetime(
        2026, 3, 4, 1, 0, tzinfo=UTC
    )


def test_custom_pick_needs_a_time_and_unknown_picks_fail() -> None:
    with pytest.raises(ReminderTimeError):
        quick_pick_due("custom", NOW, HOURS, SHANGHAI)
    with pytest.raises(ValueError):
        quick_pick_due("someday", NOW, HOURS, SHANGHAI)


def test_custom_time_in_a_dst_gap_moves_forward() -> None:
    ny = ZoneInfo("America/New_York")
    due = quick_pick_due("custom", NOW, HOURS, ny, datetime(2026, 3, 8, 2, 30))
    assert due == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT


def test_validate_due() -> None:
    assert validate_due(NOW + timedelta(minutes=1), NOW) == NOW + timedelta(minutes=1)
    assert validate_due(NOW - timedelta(seconds=30), NOW)  # "now", saved a moment later
    five_years = NOW + timedelta(days=5 * 365)
    assert validate_due(five_years, NOW) == five_years
    with pytest.raises(ReminderTimeError, match="已经过去"):
        validate_due(NOW - timedelta(minutes=5), NOW)
    with pytest.raises(ReminderTimeError, match="太远"):
        validate_due(NOW + timedelta(days=11 * 366), NOW)
    with pytest.raises(ReminderTimeError, match="时区"):
        validate_due(datetime(2026, 3, 3, 9, 0), NOW)


def test_classify() -> None:
    assert classify(NOW + timedelta(seconds=1), NOW, GRACE) == "upcoming"
    assert classify(NOW, NOW, GRACE) == "due"
    assert classify(NOW - GRACE, NOW, GRACE) == "due"
    assert classify(NOW - GRACE - timedelta(seconds=1), NOW, GRACE) == "overdue"


def test_kept_status() -> None:
    target = NOW
    assert kept_status(target, target + GRACE, GRACE, NOW + timedelta(days=1)) == "kept"
    assert kept_status(target, target - timedelta(hours=1), GRACE, NOW) == "kept"
    assert kept_status(target, target + GRACE + timedelta(seconds=1), GRACE, NOW) == "late"
    assert kept_status(target, None, GRACE, NOW + GRACE) == "pending"
    assert kept_status(target, None, GRACE, NOW + GRACE + timedelta(seconds=1)) == "missed"


def test_count_kept() -> None:
    rows = [
        (NOW, NOW),
        (NOW, NOW + timedelta(hours=1)),
        (NOW, None),
        (NOW + timedelta(days=1), None),
    ]
    stats = count_kept(rows, GRACE, NOW + timedelta(hours=2))
    assert (stats.kept, stats.late, stats.missed, stats.pending) == (1, 1, 1, 1)
    assert stats.total == 4
    assert stats.kept_rate == pytest.approx(1 / 3)
    assert count_kept([], GRACE, NOW).kept_rate is None


def test_relative_and_local_text() -> None:
    assert relative_text(NOW + timedelta(minutes=15), NOW) == "15 分钟后"
    assert relative_text(NOW + timedelta(seconds=20), NOW) == "现在"
    assert relative_text(NOW - timedelta(minutes=5), NOW) == "逾期 5 分钟"
    assert relative_text(NOW + timedelta(hours=2, minutes=5), NOW) == "2 小时 5 分钟后"
    assert relative_text(NOW - timedelta(hours=3), NOW) == "逾期 3 小时"
    assert relative_text(NOW + timedelta(days=3, hours=1), NOW) == "3 天后"
    assert local_time_text(NOW + timedelta(minutes=15), NOW, SHANGHAI) == "今天 09:15"
    assert local_time_text(NOW + timedelta(days=1), NOW, SHANGHAI) == "明天 09:00"
    assert local_time_text(NOW - timedelta(days=1), NOW, SHANGHAI) == "昨天 09:00"
    assert local_time_text(NOW + timedelta(days=3), NOW, SHANGHAI) == "03-05 09:00"
    assert local_time_text(NOW + timedelta(days=5 * 365), NOW, SHANGHAI) == "2031-03-01 09:00"
