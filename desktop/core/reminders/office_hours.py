"""Office hours in the agent's local time zone, so rule-made reminders never ring at night.

All instants are aware UTC datetimes; opening and closing are computed per local date from
wall-clock times, which keeps "09:00" at 09:00 across DST changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

# How far ahead to look for an opening before giving up (a calendar with no open days).
_SEARCH_DAYS = 400


@dataclass(frozen=True, slots=True)
class OfficeHours:
    start: time
    end: time  # an end at or before start means the shift runs past midnight
    days: frozenset[int]  # ISO weekdays the office opens, Monday = 1
    closed_dates: frozenset[date] = frozenset()  # holidays, in local dates

    def intervals(self, first: date, tz: tzinfo) -> Iterator[tuple[datetime, datetime]]:
        """Open periods as UTC (start, end), for local dates from `first` onwards."""
        for offset in range(_SEARCH_DAYS):
            day = first + timedelta(days=offset)
            if day.isoweekday() not in self.days or day in self.closed_dates:
                continue
            end_day = day if self.end > self.start else day + timedelta(days=1)
            yield (
                local_to_utc(datetime.combine(day, self.start), tz),
                local_to_utc(datetime.combine(end_day, self.end), tz),
            )


def local_to_utc(wall: datetime, tz: tzinfo) -> datetime:
    """A naive local wall time as UTC: a time in a DST gap moves forward by the gap's length,
    an ambiguous one (clocks going back) means its first occurrence."""
    if wall.tzinfo is not None:
        return wall.astimezone(UTC)
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def utc_to_local(when: datetime, tz: tzinfo) -> datetime:
    """An aware instant as naive local wall time (what a date-time editor shows)."""
    return when.astimezone(tz).replace(tzinfo=None)


def next_opening(at: datetime, hours: OfficeHours, tz: tzinfo) -> datetime:
    """`at` itself if the office is open then, else the next opening; unchanged if the
    calendar never opens (a misconfiguration must not lose reminders)."""
    at = at.astimezone(UTC)
    first = at.astimezone(tz).date() - timedelta(days=1)  # yesterday's shift may run past midnight
    for start, end in hours.intervals(first, tz):
        if at < start:
            return start
        if at < end:
            return at
    return at
