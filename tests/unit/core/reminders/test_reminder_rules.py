from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.core.reminders import OfficeHours, next_repeat, reminders_for_wrap_up
from tests.helpers.reminder_rules import RULES

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = OfficeHours(time(9), time(18), frozenset({1, 2, 3, 4, 5, 6}))

MONDAY_0900 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def plan(
    call_type: str, outcome: str, at: datetime = MONDAY_0900, promised: datetime | None = None
):
    return reminders_for_wrap_up(RULES, call_type, outcome, at, promised, HOURS, SHANGHAI)


def test_unresolved_complaint_gets_first_response_and_progress() -> None:
    planned = plan("complaint", "follow_up")
    assert [(p.kind, p.due_at - MONDAY_0900) for p in planned] == [
        ("first_response", timedelta(minutes=15)),
        ("progress", timedelta(hours=24)),
    ]
    assert planned[1].repeat_minutes == 1440
    assert planned[0].note == "首次响应"  # the label when the rule has no message


def test_resolved_complaint_gets_revisit_three_days_later() -> None:
    (revisit,) = plan("complaint", "resolved")
    assert revisit.kind == "revisit"
    assert revisit.due_at == MONDAY_0900 + timedelta(days=3)
    assert revisit.note == "三天后回访"


def test_other_call_types_get_nothing_without_a_promise() -> None:
    assert plan("inquiry", "resolved") == []


def test_promised_callback_is_kept_even_outside_office_hours() -> None:
    promised = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)  # 20:30 Shanghai, office closed
    (callback,) = plan("inquiry", "follow_up", promised=promised)
    assert callback.kind == "callback"
    assert callback.due_at == promised


def test_rule_made_reminder_after_closing_moves_to_next_opening() -> None:
    at_1755 = datetime(2026, 3, 2, 9, 55, tzinfo=UTC)  # Monday 17:55 Shanghai
    first, _progress = plan("complaint", "follow_up", at=at_1755)
    assert first.due_at == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # Tuesday 09:00


def test_saturday_evening_skips_closed_sunday() -> None:
    saturday_1755 = datetime(2026, 3, 7, 9, 55, tzinfo=UTC)
    first, progress = plan("complaint", "transferred", at=saturday_1755)
    monday_0900 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    assert first.due_at == monday_0900
    assert progress.due_at == monday_0900  # Sunday 17:55 is closed too


@pytest.mark.parametrize("shift", [True, False])
def test_next_progress_repeat(shift: bool) -> None:  # committed Saturday 18:30
    done_at = datetime(2026, 3, 7, 10, 30, tzinfo=UTC)  # Saturday 18:30
    due = next_repeat(done_at, 1440, shift, HOURS, SHANGHAI)
    expected = datetime(2026, 3, 9, 1, 0, tzinfo=UTC) if shift else done_at + timedelta(days=1)
    assert due == expected


def test_progress_repeats_keep_their_rhythm_however_late_one_is_done() -> None:
    committed = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 Shanghai
    on_time = next_repeat(committed, 1440, False, HOURS, SHANGHAI, now=committed)
    done_late = committed + timedelta(hours=5)
    assert next_repeat(committed, 1440, False, HOURS, SHANGHAI, now=done_late) == on_time
    assert on_time == committed + timedelta(days=1)
    # done two and a half days late: the next one is the first of the rhythm still ahead
    very_late = committed + timedelta(days=2, hours=12)
    assert next_repeat(committed, 1440, False, HOURS, SHANGHAI, now=very_late) == (
        committed + timedelta(days=3)
    )
