"""Reminder use cases over the `reminders` table: the only code that writes reminders.

The table is the source of truth, split by responsibility: `store` reads and holds the row
helpers, `firing` claims what is due (exactly once across processes), `cases` applies the
pack's rules and closes cases, `actions` carries out the agent's actions. ReminderService
composes them for the app and says on the change bus what each write changed, after its
commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo

import sqlite_utils

from desktop.core.calendar import AgentCalendar
from desktop.core.changes import ChangeBus, OpChanges
from desktop.core.clock import Clock
from desktop.core.content.model import REMINDER_KINDS, ReminderRule
from desktop.core.reminders import KeptStats, OfficeHours, Reminder, ReminderListing
from desktop.services.audit import AuditLog
from desktop.services.reminders.actions import ReminderActions
from desktop.services.reminders.cases import CasePolicy
from desktop.services.reminders.firing import ReminderFiring
from desktop.services.reminders.store import (
    CASE_CLOSED_REASON,
    CASE_KINDS,
    NOTE_LIMIT,
    ReminderStore,
)
from desktop.services.settings import SettingsStore

__all__ = ["CASE_CLOSED_REASON", "CASE_KINDS", "NOTE_LIMIT", "ReminderService"]


class ReminderService:
    """The four parts behind one face; every write publishes `OpChanges(reminders=True)`."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Clock,
        audit: AuditLog,
        settings_store: SettingsStore,
        rules_provider: Callable[[], Sequence[ReminderRule]],
        bus: ChangeBus | None = None,
    ) -> None:
        self.bus = bus or ChangeBus()
        self.store = ReminderStore(db, clock, settings_store)
        self.firing = ReminderFiring(db, clock, audit)
        self.cases = CasePolicy(self.store, db, clock, audit, rules_provider)
        self.actions = ReminderActions(self.store, self.cases, db, clock, audit)

    def _changed(self) -> None:
        self.bus.publish(OpChanges(reminders=True))

    # ---- the time policy and reading -------------------------------------------------
    def calendar(self) -> AgentCalendar:
        return self.store.calendar()

    def timezone(self) -> tzinfo:
        return self.store.timezone()

    def office_hours(self) -> OfficeHours:
        return self.store.office_hours()

    def grace(self) -> timedelta:
        return self.store.grace()

    def quick_pick_due(self, pick: str, custom: datetime | None = None) -> datetime:
        return self.store.quick_pick_due(pick, custom)

    def get(self, reminder_id: str) -> Reminder:
        return self.store.get(reminder_id)

    def due_now(self) -> list[Reminder]:
        return self.store.due_now()

    def next_due_at(self) -> datetime | None:
        return self.store.next_due_at()

    def list_view(self, upcoming_limit: int = 200) -> ReminderListing:
        return self.store.list_view(upcoming_limit)

    def callback_kept_stats(
        self, since: datetime, until: datetime, kinds: Sequence[str] = REMINDER_KINDS
    ) -> KeptStats:
        return self.store.callback_kept_stats(since, until, kinds)

    # ---- writing: each publishes after its commit ----------------------------------------
    def create_for_wrap_up(
        self, call_id: str, call_type: str, outcome: str, promised_at: datetime | None = None
    ) -> list[Reminder]:
        made = self.cases.create_for_wrap_up(call_id, call_type, outcome, promised_at)
        self._changed()
        return made

    def close_case(self, call_id: str) -> list[Reminder]:
        made = self.cases.close_case(call_id)
        self._changed()
        return made

    def create_manual(
        self,
        call_id: str | None,
        kind: str,
        due_at: datetime,
        note: str = "",
        phone: str = "",
        customer_name: str = "",
    ) -> Reminder:
        made = self.actions.create_manual(call_id, kind, due_at, note, phone, customer_name)
        self._changed()
        return made

    def fire_due(self) -> list[str]:
        fired = self.firing.fire_due()
        if fired:
            self._changed()
        return fired

    def mark_fired(self, reminder_id: str) -> bool:
        won = self.firing.mark_fired(reminder_id)
        if won:
            self._changed()
        return won

    def snooze(
        self, reminder_id: str, minutes: int | None = None, *, until: datetime | None = None
    ) -> Reminder:
        done = self.actions.snooze(reminder_id, minutes, until=until)
        self._changed()
        return done

    def reschedule(self, reminder_id: str, due_at: datetime) -> Reminder:
        done = self.actions.reschedule(reminder_id, due_at)
        self._changed()
        return done

    def done(self, reminder_id: str, result: str = "") -> Reminder:
        finished = self.actions.done(reminder_id, result)
        self._changed()
        return finished

    def cancel(self, reminder_id: str, reason: str) -> Reminder:
        cancelled = self.actions.cancel(reminder_id, reason)
        self._changed()
        return cancelled

    def link_callback(self, reminder_id: str, call_id: str) -> Reminder:
        linked = self.actions.link_callback(reminder_id, call_id)
        self._changed()
        return linked
