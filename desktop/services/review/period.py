"""A report period: local dates `first`..`last` (both included) in a report zone, and the
UTC instants that bound it. The one place review code turns dates into stored-time bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.core.calendar import AgentCalendar
from desktop.core.clock import to_iso
from desktop.core.reminders.office_hours import local_to_utc


class PeriodError(ValueError):
    """A bad period or zone; the message is for the user (Chinese)."""


def zone_of(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PeriodError(f"未知的时区：{name}") from exc


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise PeriodError(f"日期格式不对（应为 YYYY-MM-DD）：{text}") from exc


def day_start_utc(day: date, zone: tzinfo) -> datetime:
    """The UTC instant the local date `day` begins (DST-safe), by the app's time policy."""
    return local_to_utc(datetime.combine(day, time(0)), zone)


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date
    zone_name: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError("结束日期早于开始日期")
        zone_of(self.zone_name)

    @classmethod
    def parse(cls, first: str, last: str, zone_name: str = "Asia/Shanghai") -> Period:
        return cls(parse_day(first), parse_day(last), zone_name)

    @property
    def zone(self) -> tzinfo:
        return zone_of(self.zone_name)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: a call is in the period when started_at falls inside."""
        return AgentCalendar(zone_name=self.zone_name).day_bounds(self.first, self.last)

    def iso_bounds(self) -> tuple[str, str]:
        start, end = self.bounds()
        return to_iso(start), to_iso(end)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)
