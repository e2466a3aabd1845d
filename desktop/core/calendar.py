"""The one time policy: the agent's zone, office hours and callback grace, from settings.

Every wall-clock time the agent sees or edits converts through an AgentCalendar, never
through the computer's zone: an agent on a UTC machine with settings on Asia/Shanghai who
promises a callback at 15:00 sees 15:00 everywhere and is reminded at 15:00 Shanghai time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from desktop.core.clock import parse_iso
from desktop.core.reminders.office_hours import OfficeHours, local_to_utc, utc_to_local

log = logging.getLogger(__name__)

DEFAULT_ZONE = "Asia/Shanghai"
DEFAULT_OFFICE_HOURS = OfficeHours(time(9), time(18), frozenset({1, 2, 3, 4, 5, 6}))
DEFAULT_GRACE = timedelta(minutes=15)


@lru_cache(maxsize=16)
def zone_named(name: str) -> tzinfo:
    """The zone called `name`; UTC (logged) for a name the machine does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.error("unknown time zone %r; using UTC", name)
        return UTC


def is_known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_choices() -> list[str]:
    """Zone names for the settings picker: the Chinese-speaking ones first, then the rest."""
    first = ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Macau", "Asia/Singapore"]
    rest = sorted(z for z in available_timezones() if "/" in z and z not in first)
    return [z for z in first if is_known_zone(z)] + rest + ["UTC"]


@dataclass(frozen=True, slots=True)
class AgentCalendar:
    zone_name: str = DEFAULT_ZONE
    office_hours: OfficeHours = DEFAULT_OFFICE_HOURS
    grace: timedelta = DEFAULT_GRACE

    @property
    def zone(self) -> tzinfo:
        return zone_named(self.zone_name)

    # ---- instants and local wall time -------------------------------------------------
    def to_local(self, when: datetime) -> datetime:
        """An aware instant as an aware datetime in the agent's zone (naive means UTC)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(self.zone)

    def to_wall(self, when: datetime) -> datetime:
        """An aware instant as naive local wall time, for date-time editors."""
        return utc_to_local(self.to_local(when), self.zone)

    def from_local(self, wall: datetime) -> datetime:
        """A naive local wall time (what an editor shows) as an aware UTC instant; an aware
        value is only converted."""
        return local_to_utc(wall, self.zone)

    def format(self, when: datetime, fmt: str = "%m-%d %H:%M") -> str:
        return self.to_local(when).strftime(fmt)

    def format_iso(self, iso: str | None, fmt: str = "%m-%d %H:%M") -> str:
        """A stored ISO timestamp in the agent's zone; "" for none."""
        if not iso:
            return ""
        return self.format(parse_iso(iso), fmt)

    def today(self, now: datetime) -> date:
        return self.to_local(now).date()

    # ---- periods --------------------------------------------------------------------
    def day_start(self, day: date) -> datetime:
        """The UTC instant the local date `day` begins (DST-safe)."""
        return local_to_utc(datetime.combine(day, time(0)), self.zone)

    def day_bounds(self, first: date, last: date) -> tuple[datetime, datetime]:
        """[start, end) in UTC covering the local dates first..last, both included."""
        if last < first:
            raise ValueError("结束日期早于开始日期")
        return self.day_start(first), self.day_start(last + timedelta(days=1))


def calendar_from_settings(settings: object) -> AgentCalendar:
    """Build the calendar from a Settings value (duck-typed so core stays free of services)."""
    start, end, days = settings.office_hours()  # type: ignore[attr-defined]
    return AgentCalendar(
        zone_name=str(settings.timezone),  # type: ignore[attr-defined]
        office_hours=OfficeHours(start, end, days),
        grace=timedelta(minutes=max(0, int(settings.grace_minutes))),  # type: ignore[attr-defined]
    )
