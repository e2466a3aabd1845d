"""Use cases that span calls and reminders, each one transaction with its audit rows.

The composition root used to hold these steps; here each is one method, one transaction,
and one change-bus message after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db import Database, transaction
from db.row_version import TOUCH
from desktop.core.calls import Call
from desktop.core.changes import OpChanges
from desktop.core.clock import to_iso
from desktop.core.reminders import Reminder
from desktop.services.audit import AuditLog
from desktop.services.calls import CallService
from desktop.services.reminders import ReminderService


@dataclass(frozen=True, slots=True)
class WrapUpResult:
    call: Call
    reminders: tuple[Reminder, ...]


class FollowUps:
    def __init__(
        self,
        db: Database,
        calls: CallService,
        reminders: ReminderService,
        audit: AuditLog | None = None,
    ) -> None:
        self._audit = audit
        self._db = db
        self._calls = calls
        self._reminders = reminders

    def wrap_up(
        self,
        call_id: str,
        outcome: str,
        skip_reason: str = "",
        promised_at: datetime | None = None,
    ) -> WrapUpResult:
        """Complete the call and create the pack's rule reminders for it, together: if the
        reminders cannot be made, the call stays in wrap-up (nothing half-done)."""
        with self._calls.bus.batch(), transaction(self._db):
            call = self._calls.complete(call_id, outcome, skip_reason)
            made = self._reminders.create_for_wrap_up(
                call.id, call.intent or "", outcome, promised_at
            )
            self._calls.bus.publish(OpChanges.for_calls(call.id, reminders=True))
        return WrapUpResult(call, tuple(made))

    def call_back_now(self, reminder_id: str) -> tuple[Call, Reminder]:
        """Start the (outgoing) call made for a reminder and link it, in one transaction."""
        with self._calls.bus.batch(), transaction(self._db):
            reminder = self._reminders.get(reminder_id)
            call = self._calls.insert_call(
                reminder.phone,
                reminder.customer_name,
                source="reminder",
                reminder_id=reminder_id,
                direction="outgoing",
            )
            linked = self._reminders.link_callback(reminder_id, call.id)
            self._calls.bus.publish(OpChanges.for_calls(call.id, reminders=True))
        return call, linked

    def dial_out(self, reminder_id: str, *, via: str) -> Reminder:
        """The agent is about to dial the reminder's full number (copied, or sent to the
        softphone as `via`): showing an unmasked number leaves an audit row."""
        with transaction(self._db):
            reminder = self._reminders.get(reminder_id)
            if self._audit is not None:
                self._audit.record(
                    "reminder.dial", "reminder", reminder_id, phone=reminder.phone, via=via
                )
        return reminder

    def outgoing_call(self, event_call: Call, reminder_id: str) -> Call:
        """An outgoing call the softphone reported for a reminder being called back: linked."""
        with self._calls.bus.batch(), transaction(self._db):
            self._db.execute(
                f"UPDATE calls SET reminder_id = ?, direction = 'outgoing', {TOUCH} WHERE id = ?",
                [reminder_id, to_iso(self._calls.clock.now()), event_call.id],
            )
            self._reminders.link_callback(reminder_id, event_call.id)
            self._calls.bus.publish(OpChanges.for_calls(event_call.id, reminders=True))
        return self._calls.get(event_call.id)
