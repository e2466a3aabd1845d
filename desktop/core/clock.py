"""Injected time: everything that asks "what time is it" asks a Clock, so tests use FakeClock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to; thread-safe so scheduler threads can read it."""

    def __init__(self, start: datetime | str = "2026-03-02T01:00:00Z") -> None:
        self._now = parse_iso(start) if isinstance(start, str) else start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0, **kwargs: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds, **kwargs)
            return self._now

    def set(self, when: datetime | str) -> None:
        with self._lock:
            self._now = parse_iso(when) if isinstance(when, str) else when.astimezone(UTC)


def to_iso(when: datetime) -> str:
    """ISO-8601 UTC text with millisecond precision, the one format the database stores."""
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """Parse stored timestamps (and any ISO-8601 text with an offset); naive means UTC."""
    if text.endswith("Z"):  # the stored form: read as UTC by fromisoformat (3.11) directly
        value = datetime.fromisoformat(text)
        if value.tzinfo is UTC:
            return value
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
