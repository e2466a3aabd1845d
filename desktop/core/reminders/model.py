"""Reminder data as plain values: what rules plan, what the list shows, and what can go wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Statuses (db column `reminders.status`) in which a reminder still asks something of the agent.
OPEN_STATUSES: tuple[str, ...] = ("pending", "fired", "snoozed")
# Statuses that may still fire: not shown yet for their current due time.
ARMED_STATUSES: tuple[str, ...] = ("pending", "snoozed")


class ReminderError(ValueError):
    """A reminder request that cannot be carried out; `str(error)` is shown to the agent."""


class ReminderNotFound(ReminderError):
    """The reminder does not exist (deleted, or a stale id from another window)."""


class ReminderStateError(ReminderError):
    """The action does not fit the reminder's status (e.g. finishing a cancelled one)."""


class ReminderTimeError(ReminderError):
    """The requested due time is unusable: in the past, naive, or absurdly far ahead."""


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """A reminder a rule asks for at wrap-up, before it is stored."""

    rule_key: str
    kind: str
    due_at: datetime
    note: str = ""
    repeat_minutes: int = 0  # >0: the next one follows this long after this one is done
    shift_office_hours: bool = True  # later repeats move into office hours too


@dataclass(frozen=True, slots=True)
class Reminder:
    """One stored reminder as the UI sees it, with the customer and call notes joined in."""

    id: str
    kind: str
    status: str
    due_at: datetime
    target_at: datetime  # the committed time; snoozing moves due_at but not this
    created_at: datetime
    call_id: str | None  # None when there was no call, or the call was deleted
    case_id: str
    phone: str
    customer_name: str
    note: str
    rule_key: str = ""
    fired_at: datetime | None = None
    done_at: datetime | None = None
    result: str = ""  # the outcome when done, the reason when cancelled
    repeat_minutes: int = 0
    callback_call_id: str | None = None
    callback_at: datetime | None = None
    call_notes: str = ""  # a preview of the originating call's notes

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class ReminderListing:
    """The reminders list at one moment: each group in due order."""

    now: datetime
    overdue: tuple[Reminder, ...] = ()
    due: tuple[Reminder, ...] = ()
    upcoming: tuple[Reminder, ...] = ()
    more_upcoming: int = 0  # upcoming ones beyond the listed window

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due) + len(self.upcoming) + self.more_upcoming
