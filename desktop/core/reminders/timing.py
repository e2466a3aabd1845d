"""Time rules for reminders: quick picks, what due times are acceptable, where a reminder sits
in the list (overdue / due / upcoming), and whether a callback was kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Literal

from desktop.core.reminders.model import ReminderTimeError
from desktop.core.reminders.office_hours import OfficeHours, local_to_utc, next_opening

# Manual quick picks, in the order the UI offers them.
QUICK_PICKS: tuple[tuple[str, str], ...] = (
    ("15m", "+15 分钟"),
    ("2h", "+2 小时"),
    ("tomorrow", "明早"),
    ("custom", "自定义…"),
)
TOMORROW_MORNING = time(9, 0)
# Typing slips ("2062" for "2026") are refused; anything nearer is stored and armed.
MAX_AHEAD = timedelta(days=3653)
# A time picked "now" is a few seconds old by the time it is saved; that is not the past.
PAST_TOLERANCE = timedelta(seconds=60)

Bucket = Literal["overdue", "due", "upcoming"]
KeptStatus = Literal["kept", "late", "missed", "pending"]


def quick_pick_due(
    pick: str,
    now: datetime,
    office_hours: OfficeHours,
    tz: tzinfo,
    custom: datetime | None = None,
) -> datetime:
    """The due time (UTC) for a quick pick. "明早" is the first office opening at or after
    09:00 tomorrow, local time; a naive `custom` is local wall time in `tz`."""
    if pick == "15m":
        return now + timedelta(minutes=15)
    if pick == "2h":
        return now + timedelta(hours=2)
    if pick == "tomorrow":
        tomorrow = now.astimezone(tz).date() + timedelta(days=1)
        return next_opening(
            local_to_utc(datetime.combine(tomorrow, TOMORROW_MORNING), tz), office_hours, tz
        )
    if pick == "custom":
        if custom is None:
            raise ReminderTimeError("请选择提醒时间。")
        return local_to_utc(custom, tz)
    raise ValueError(f"unknown quick pick {pick!r}")


def validate_due(due: datetime, now: datetime) -> datetime:
    """`due` in UTC if an agent may set it; refuses naive times, the past and typing slips."""
    if due.tzinfo is None:
        raise ReminderTimeError("提醒时间缺少时区。")
    due = due.astimezone(UTC)
    if due < now - PAST_TOLERANCE:
        raise ReminderTimeError("提醒时间已经过去，请选择以后的时间。")
    if due > now + MAX_AHEAD:
        raise ReminderTimeError("提醒时间太远（超过 10 年），请检查年份。")
    return due


def classify(due_at: datetime, now: datetime, grace: timedelta) -> Bucket:
    """Upcoming until due; "due" while within the grace period; overdue after that."""
    if due_at > now:
        return "upcoming"
    return "due" if now - due_at <= grace else "overdue"


def kept_status(
    target_at: datetime, callback_at: datetime | None, grace: timedelta, now: datetime
) -> KeptStatus:
    """Kept when the linked call started before the reminder was overdue by more than the
    grace period; without a call it is missed once that point has passed."""
    deadline = target_at + grace
    if callback_at is not None:
        return "kept" if callback_at <= deadline else "late"
    return "missed" if now > deadline else "pending"


@dataclass(frozen=True, slots=True)
class KeptStats:
    kept: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0  # not overdue beyond grace yet, no call yet

    @property
    def total(self) -> int:
        return self.kept + self.late + self.missed + self.pending

    @property
    def kept_rate(self) -> float | None:
        """Kept share of the decided ones (pending excluded); None when none are decided."""
        decided = self.kept + self.late + self.missed
        return self.kept / decided if decided else None


def count_kept(
    rows: Iterable[tuple[datetime, datetime | None]], grace: timedelta, now: datetime
) -> KeptStats:
    """Tally (target_at, callback_at) pairs into KeptStats."""
    counts = {"kept": 0, "late": 0, "missed": 0, "pending": 0}
    for target_at, callback_at in rows:
        counts[kept_status(target_at, callback_at, grace, now)] += 1
    return KeptStats(**counts)
