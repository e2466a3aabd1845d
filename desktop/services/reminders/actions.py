"""The agent's actions on reminders: make one by hand, snooze, reschedule, done, cancel,
link the call made for it. Each is one transaction with its audit row."""

from __future__ import annotations

from datetime import datetime, timedelta

from db import Database, transaction
from db.row_version import TOUCH
from desktop.core.clock import Clock, to_iso
from desktop.core.content.model import REMINDER_KINDS
from desktop.core.ids import new_id
from desktop.core.reminders import (
    Reminder,
    ReminderError,
    ReminderTimeError,
    validate_due,
)
from desktop.core.softphone.numbers import national
from desktop.services.audit import AuditLog
from desktop.services.reminders.cases import CasePolicy
from desktop.services.reminders.store import (
    NOTE_LIMIT,
    ReminderStore,
)


class ReminderActions:
    def __init__(
        self,
        store: ReminderStore,
        cases: CasePolicy,
        db: Database,
        clock: Clock,
        audit: AuditLog,
    ) -> None:
        self._store = store
        self._cases = cases
        self._db = db
        self._clock = clock
        self._audit = audit

    def create_manual(
        self,
        call_id: str | None,
        kind: str,
        due_at: datetime,
        note: str = "",
        phone: str = "",
        customer_name: str = "",
    ) -> Reminder:
        """A reminder the agent sets by hand ("call back tomorrow 10:00"), kept exactly at
        `due_at`. A call that no longer exists is dropped from the link, not the reminder."""
        if kind not in REMINDER_KINDS:
            raise ReminderError(f"未知的提醒类型：{kind}")
        now = self._clock.now()
        due = validate_due(due_at, now)
        phone, customer_name = national(phone), customer_name.strip()[:100]
        with transaction(self._db):
            contact = self._store.call_contact(call_id) if call_id else None
            missing_call = call_id if call_id and contact is None else None
            if contact is None:
                call_id = None
                contact = (phone, customer_name)
            phone, customer_name = phone or contact[0], customer_name or contact[1]
            if not (call_id or phone or customer_name):
                raise ReminderError("请填写客户电话或姓名。")
            reminder_id = new_id()
            self._store.insert(
                reminder_id,
                call_id=call_id,
                case_id=self._store.case_of(call_id) if call_id else reminder_id,
                call_type="",
                phone=phone,
                customer_name=customer_name,
                kind=kind,
                rule_key="",
                due=due,
                note=note.strip()[:NOTE_LIMIT],
                now=now,
            )
            self._audit.record(
                "reminder.created",
                "reminder",
                reminder_id,
                source="manual",
                kind=kind,
                due_at=to_iso(due),
                call_id=call_id,
                missing_call=missing_call,
            )
        return self._store.get(reminder_id)

    def snooze(
        self, reminder_id: str, minutes: int | None = None, *, until: datetime | None = None
    ) -> Reminder:
        """Show it again later (fires once more then); the committed time stays, so a
        snoozed callback still counts against its original promise."""
        now = self._clock.now()
        if (minutes is None) == (until is None):
            raise ValueError("snooze needs exactly one of minutes or until")
        if until is None:
            if minutes is None or minutes <= 0:
                raise ReminderTimeError("稍后提醒的分钟数必须大于 0。")
            until = now + timedelta(minutes=minutes)
        due = validate_due(until, now)
        with transaction(self._db):
            row = self._store.open_row(reminder_id)
            self._store.set(reminder_id, status="snoozed", due_at=to_iso(due), fired_at=None)
            self._audit.record(
                "reminder.snoozed",
                "reminder",
                reminder_id,
                previous_due_at=row["due_at"],
                due_at=to_iso(due),
                minutes=minutes,
            )
        return self._store.get(reminder_id)

    def reschedule(self, reminder_id: str, due_at: datetime) -> Reminder:
        """A new time agreed with the customer: moves the commitment too."""
        now = self._clock.now()
        due = validate_due(due_at, now)
        with transaction(self._db):
            row = self._store.open_row(reminder_id)
            due_iso = to_iso(due)
            self._store.set(
                reminder_id, status="pending", due_at=due_iso, target_at=due_iso, fired_at=None
            )
            self._audit.record(
                "reminder.rescheduled",
                "reminder",
                reminder_id,
                previous_due_at=row["due_at"],
                due_at=due_iso,
            )
        return self._store.get(reminder_id)

    def done(self, reminder_id: str, result: str = "") -> Reminder:
        """Finished, with what came of it. A repeating reminder (progress updates) brings
        its next one while the case stays open."""
        now = self._clock.now()
        with transaction(self._db):
            row = self._store.open_row(reminder_id)
            self._cases.finish(row, result.strip()[:NOTE_LIMIT], True, now, via="agent")
        return self._store.get(reminder_id)

    def cancel(self, reminder_id: str, reason: str) -> Reminder:
        """Drop it, saying why (kept in `result` and the audit log)."""
        reason = reason.strip()[:NOTE_LIMIT]
        if not reason:
            raise ReminderError("请填写取消原因。")
        now = self._clock.now()
        with transaction(self._db):
            self._store.open_row(reminder_id)
            self._store.set(reminder_id, status="cancelled", done_at=to_iso(now), result=reason)
            self._audit.record("reminder.cancelled", "reminder", reminder_id, reason=reason)
        return self._store.get(reminder_id)

    def link_callback(self, reminder_id: str, call_id: str) -> Reminder:
        """The agent called the customer for this reminder: its call `call_id` (created with
        `reminder_id` set) is linked, and the first such call's start time is what counts
        for "kept". The call's wrap-up then completes the reminder."""
        with transaction(self._db):
            self._store.open_row(reminder_id)
            call = self._db.execute(
                "SELECT started_at FROM calls WHERE id = ?", [call_id]
            ).fetchone()
            if call is None:
                raise ReminderError("找不到回电的通话记录。")
            started = call[0] or to_iso(self._clock.now())
            self._db.execute(
                "UPDATE reminders SET callback_call_id = ?, "
                f"callback_at = COALESCE(callback_at, ?), {TOUCH} WHERE id = ?",
                [call_id, started, to_iso(self._clock.now()), reminder_id],
            )
            self._audit.record("reminder.call_back", "reminder", reminder_id, call_id=call_id)
        return self._store.get(reminder_id)
