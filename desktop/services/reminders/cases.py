"""Case policy: what the pack's rules make at wrap-up, how a case closes, and how a
repeating reminder brings its next one. Callers hold the transaction or get one here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from db import Database, transaction
from desktop.core.calls import OUTCOME_LABELS
from desktop.core.clock import Clock, parse_iso, to_iso
from desktop.core.content.model import OUTCOMES, ReminderRule
from desktop.core.ids import new_id
from desktop.core.reminders import (
    OPEN_STATUSES,
    PlannedReminder,
    Reminder,
    ReminderError,
    ReminderTimeError,
    next_repeat,
    reminders_for_wrap_up,
)
from desktop.services.audit import AuditLog
from desktop.services.reminders.store import (
    _OPEN,
    CASE_CLOSED_REASON,
    CASE_KINDS,
    NOTE_LIMIT,
    ReminderStore,
)


class CasePolicy:
    def __init__(
        self,
        store: ReminderStore,
        db: Database,
        clock: Clock,
        audit: AuditLog,
        rules: Callable[[], Sequence[ReminderRule]],
    ) -> None:
        self._store = store
        self._db = db
        self._clock = clock
        self._audit = audit
        self._rules = rules

    def create_for_wrap_up(
        self, call_id: str, call_type: str, outcome: str, promised_at: datetime | None = None
    ) -> list[Reminder]:
        """Apply the pack's rules to a wrapped-up call; returns the reminders created.

        A call made for a reminder ("call back now") belongs to that reminder's case: unless
        the customer could not be reached (abandoned), its wrap-up completes the reminder
        with the outcome. A resolved outcome closes the case (open first-response and
        progress reminders are cancelled) and the rules add the revisit. Each non-callback
        rule fires once per case, so a second wrap-up never duplicates reminders.
        """
        if outcome not in OUTCOMES:
            raise ReminderError(f"未知的处理结果：{outcome}")
        if promised_at is not None and promised_at.tzinfo is None:
            raise ReminderTimeError("约定回电时间缺少时区。")
        now = self._clock.now()
        with transaction(self._db):
            contact = self._store.call_contact(call_id)
            if contact is None:
                raise ReminderError("找不到该通话，无法创建提醒。")
            linked = self._store.linked(call_id)
            case_id = self._store.case_of(call_id)
            case_type = self._store.case_call_type(case_id)
            resolved = outcome == "resolved"
            if outcome != "abandoned":
                for row in linked:
                    if row["status"] in OPEN_STATUSES:
                        self.finish(
                            row,
                            OUTCOME_LABELS.get(outcome, outcome),
                            not resolved,
                            now,
                            via="wrap_up",
                        )
            if resolved:
                self._cancel_case_reminders(case_id, now)
            planned = reminders_for_wrap_up(
                self._rules(),
                call_type or case_type,
                outcome,
                now,
                promised_at,
                self._store.office_hours(),
                self._store.timezone(),
            )
            created = self._insert_planned(
                planned, call_id, case_id, call_type or case_type, contact, now
            )
        return [self._store.get(i) for i in created]

    def close_case(self, call_id: str) -> list[Reminder]:
        """The customer's problem is resolved outside a wrap-up: stop first-response and
        progress reminders of the call's case and add the rules' revisit. Returns the revisits."""
        now = self._clock.now()
        with transaction(self._db):
            case_id = self._store.case_of(call_id)
            case_type = self._store.case_call_type(case_id)
            contact = self._store.call_contact(case_id) or self._store.case_contact(case_id)
            cancelled = self._cancel_case_reminders(case_id, now)
            planned = reminders_for_wrap_up(
                self._rules(),
                case_type,
                "resolved",
                now,
                None,
                self._store.office_hours(),
                self._store.timezone(),
            )
            created = self._insert_planned(planned, case_id, case_id, case_type, contact, now)
            self._audit.record(
                "reminder.case_closed", "case", case_id, cancelled=cancelled, created=created
            )
        return [self._store.get(i) for i in created]

    def finish(
        self, row: dict[str, Any], result: str, repeat: bool, now: datetime, via: str
    ) -> None:
        self._store.set(row["id"], status="done", done_at=to_iso(now), result=result)
        self._audit.record("reminder.done", "reminder", row["id"], result=result, via=via)
        if not (repeat and row["repeat_minutes"] > 0):
            return
        due = next_repeat(
            parse_iso(row["target_at"]) if row["target_at"] else now,  # the rhythm, not `now`
            row["repeat_minutes"],
            bool(row["shift_office_hours"]),
            self._store.office_hours(),
            self._store.timezone(),
            now=now,
        )
        next_id = new_id()
        self._store.insert(
            next_id,
            call_id=row["call_id"],
            case_id=row["case_id"],
            call_type=row["call_type"],
            phone=row["phone"],
            customer_name=row["customer_name"],
            kind=row["kind"],
            rule_key=row["rule_key"],
            due=due,
            note=row["note"],
            now=now,
            repeat_minutes=row["repeat_minutes"],
            shift=bool(row["shift_office_hours"]),
        )
        self._audit.record(
            "reminder.created",
            "reminder",
            next_id,
            source="repeat",
            previous=row["id"],
            kind=row["kind"],
            due_at=to_iso(due),
        )

    def _insert_planned(
        self,
        planned: Sequence[PlannedReminder],
        call_id: str,
        case_id: str,
        call_type: str,
        contact: tuple[str, str],
        now: datetime,
    ) -> list[str]:
        call_exists = self._store.call_contact(call_id) is not None
        created: list[str] = []
        for plan in planned:
            if self._already_planned(plan, call_id, case_id):
                continue
            reminder_id = new_id()
            self._store.insert(
                reminder_id,
                call_id=call_id if call_exists else None,
                case_id=case_id,
                call_type=call_type,
                phone=contact[0],
                customer_name=contact[1],
                kind=plan.kind,
                rule_key=plan.rule_key,
                due=plan.due_at,
                note=plan.note[:NOTE_LIMIT],
                now=now,
                repeat_minutes=plan.repeat_minutes,
                shift=plan.shift_office_hours,
            )
            self._audit.record(
                "reminder.created",
                "reminder",
                reminder_id,
                source="rule",
                rule=plan.rule_key,
                kind=plan.kind,
                due_at=to_iso(plan.due_at),
                call_id=call_id,
            )
            created.append(reminder_id)
        return created

    def _already_planned(self, plan: PlannedReminder, call_id: str, case_id: str) -> bool:
        """A callback is a duplicate only for the same call and promised time; any other
        rule runs once per case."""
        if plan.kind == "callback":
            sql = "SELECT 1 FROM reminders WHERE call_id = ? AND rule_key = ? AND target_at = ?"
            params: list[Any] = [call_id, plan.rule_key, to_iso(plan.due_at)]
        else:
            sql = "SELECT 1 FROM reminders WHERE case_id = ? AND rule_key = ?"
            params = [case_id, plan.rule_key]
        return self._db.execute(sql + " LIMIT 1", params).fetchone() is not None

    def _cancel_case_reminders(self, case_id: str, now: datetime) -> list[str]:
        ids = [
            r[0]
            for r in self._db.execute(
                f"SELECT id FROM reminders WHERE case_id = ? AND status IN ({_OPEN}) "
                f"AND kind IN ({','.join(repr(k) for k in CASE_KINDS)})",
                [case_id],
            )
        ]
        for reminder_id in ids:
            self._store.set(
                reminder_id, status="cancelled", done_at=to_iso(now), result=CASE_CLOSED_REASON
            )
            self._audit.record(
                "reminder.cancelled", "reminder", reminder_id, reason=CASE_CLOSED_REASON
            )
        return ids
