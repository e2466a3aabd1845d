"""Reminder use cases over the `reminders` table: the only code that writes reminders.

The table is the source of truth. Schedulers ask `next_due_at()` and claim what is due with
`fire_due()`, whose conditional UPDATE lets exactly one process or thread show each firing,
across restarts and second instances. Every agent action is one transaction with its audit row.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

import sqlite_utils

from db import transaction
from desktop.core.calendar import AgentCalendar
from desktop.core.calls import OUTCOME_LABELS
from desktop.core.changes import ChangeBus, OpChanges
from desktop.core.clock import Clock, parse_iso, to_iso
from desktop.core.content.model import OUTCOMES, REMINDER_KINDS, ReminderRule
from desktop.core.reminders import (
    ARMED_STATUSES,
    OPEN_STATUSES,
    KeptStats,
    OfficeHours,
    PlannedReminder,
    Reminder,
    ReminderError,
    ReminderListing,
    ReminderNotFound,
    ReminderStateError,
    ReminderTimeError,
    classify,
    count_kept,
    next_repeat,
    quick_pick_due,
    reminders_for_wrap_up,
    validate_due,
)
from desktop.core.softphone.numbers import national
from desktop.services.audit import AuditLog
from desktop.services.settings import SettingsStore

log = logging.getLogger(__name__)

NOTE_LIMIT = 500  # characters kept for a reminder's note or result
CASE_CLOSED_REASON = "案件已解决"
# Kinds that exist only while a case is open; resolving the case cancels them.
CASE_KINDS = ("first_response", "progress")

_OPEN = ",".join(f"'{s}'" for s in OPEN_STATUSES)
_ARMED = ",".join(f"'{s}'" for s in ARMED_STATUSES)
_SELECT = """
    SELECT r.id, r.kind, r.status, r.due_at, r.target_at, r.created_at, r.call_id, r.case_id,
           COALESCE(NULLIF(r.phone, ''), c.phone, ''),
           COALESCE(NULLIF(r.customer_name, ''), NULLIF(cu.name, ''), c.caller_name, ''),
           r.note, r.rule_key, r.fired_at, r.done_at, COALESCE(r.result, ''), r.repeat_minutes,
           r.callback_call_id, r.callback_at, COALESCE(substr(c.notes, 1, 120), '')
    FROM reminders r
    LEFT JOIN calls c ON c.id = r.call_id
    LEFT JOIN customers cu ON cu.id = c.customer_id
"""


def _dt(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None


def _to_reminder(row: Sequence[Any]) -> Reminder:
    return Reminder(
        id=row[0],
        kind=row[1],
        status=row[2],
        due_at=parse_iso(row[3]),
        target_at=parse_iso(row[4]),
        created_at=parse_iso(row[5]),
        call_id=row[6],
        case_id=row[7],
        phone=row[8],
        customer_name=row[9],
        note=row[10],
        rule_key=row[11],
        fired_at=_dt(row[12]),
        done_at=_dt(row[13]),
        result=row[14],
        repeat_minutes=row[15],
        callback_call_id=row[16],
        callback_at=_dt(row[17]),
        call_notes=row[18],
    )


class ReminderService:
    """Creates, fires and closes reminders; `subscribe` to hear about every change."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Clock,
        audit: AuditLog,
        settings_store: SettingsStore,
        rules_provider: Callable[[], Sequence[ReminderRule]],
        bus: ChangeBus | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._audit = audit
        self._settings = settings_store
        self._rules = rules_provider
        self.bus = bus or ChangeBus()

    def _changed(self, *call_ids: str) -> None:
        """Say on the bus that reminders (and maybe calls) changed; after the commit."""
        self.bus.publish(
            OpChanges(reminders=True, calls=bool(call_ids), call_ids=frozenset(call_ids))
        )

    # ---- the time policy -------------------------------------------------------------
    def calendar(self) -> AgentCalendar:
        return self._settings.calendar()

    def timezone(self) -> tzinfo:
        """The agent's local zone (settings), for showing and picking times."""
        return self._settings.calendar().zone

    def office_hours(self) -> OfficeHours:
        return self._settings.calendar().office_hours

    def grace(self) -> timedelta:
        return self._settings.calendar().grace

    def quick_pick_due(self, pick: str, custom: datetime | None = None) -> datetime:
        """A quick pick ("15m", "2h", "tomorrow", "custom") as a UTC due time; a naive
        `custom` is local wall time in the agent's zone."""
        return quick_pick_due(pick, self._clock.now(), self.office_hours(), self.timezone(), custom)

    # ---- reading ---------------------------------------------------------------------
    def get(self, reminder_id: str) -> Reminder:
        row = self._db.execute(_SELECT + " WHERE r.id = ?", [reminder_id]).fetchone()
        if row is None:
            raise ReminderNotFound("找不到该提醒，可能已被删除。")
        return _to_reminder(row)

    def _query(self, where: str, params: Sequence[Any]) -> list[Reminder]:
        return [_to_reminder(r) for r in self._db.execute(_SELECT + where, params).fetchall()]

    def due_now(self) -> list[Reminder]:
        """Open reminders whose time has come (shown or not), earliest first."""
        now = to_iso(self._clock.now())
        return self._query(
            f" WHERE r.status IN ({_OPEN}) AND r.due_at <= ? ORDER BY r.due_at", [now]
        )

    def next_due_at(self) -> datetime | None:
        """The earliest due time not shown yet (possibly in the past), or None."""
        row = self._db.execute(
            f"SELECT MIN(due_at) FROM reminders WHERE fired_at IS NULL AND status IN ({_ARMED})"
        ).fetchone()
        return _dt(row[0])

    def list_view(self, upcoming_limit: int = 200) -> ReminderListing:
        """Open reminders grouped for the list; every due or overdue one, and the first
        `upcoming_limit` upcoming ones (the rest are only counted)."""
        now = self._clock.now()
        now_iso, grace = to_iso(now), self.grace()
        past = self._query(
            f" WHERE r.status IN ({_OPEN}) AND r.due_at <= ? ORDER BY r.due_at, r.created_at",
            [now_iso],
        )
        upcoming = self._query(
            f" WHERE r.status IN ({_OPEN}) AND r.due_at > ? ORDER BY r.due_at, r.created_at LIMIT ?",
            [now_iso, upcoming_limit],
        )
        total_upcoming = self._db.execute(
            f"SELECT count(*) FROM reminders WHERE status IN ({_OPEN}) AND due_at > ?", [now_iso]
        ).fetchone()[0]
        overdue = tuple(r for r in past if classify(r.due_at, now, grace) == "overdue")
        due = tuple(r for r in past if classify(r.due_at, now, grace) == "due")
        return ReminderListing(now, overdue, due, tuple(upcoming), total_upcoming - len(upcoming))

    def callback_kept_stats(
        self, since: datetime, until: datetime, kinds: Sequence[str] = REMINDER_KINDS
    ) -> KeptStats:
        """Kept / late / missed / pending among reminders whose committed time falls in
        [since, until); cancelled ones do not count. Feeds the team lead's statistics."""
        marks = ",".join("?" for _ in kinds)
        rows = self._db.execute(
            "SELECT target_at, callback_at FROM reminders WHERE status != 'cancelled' "
            f"AND target_at >= ? AND target_at < ? AND kind IN ({marks})",
            [to_iso(since), to_iso(until), *kinds],
        ).fetchall()
        return count_kept(
            ((parse_iso(t), _dt(c)) for t, c in rows), self.grace(), self._clock.now()
        )

    # ---- creating --------------------------------------------------------------------
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
            contact = self._call_contact(call_id)
            if contact is None:
                raise ReminderError("找不到该通话，无法创建提醒。")
            linked = self._linked_reminders(call_id)
            case_id = self._case_of(call_id)
            case_type = self._case_call_type(case_id)
            resolved = outcome == "resolved"
            if outcome != "abandoned":
                for row in linked:
                    if row["status"] in OPEN_STATUSES:
                        self._finish(
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
                self.office_hours(),
                self.timezone(),
            )
            created = self._insert_planned(
                planned, call_id, case_id, call_type or case_type, contact, now
            )
        self._changed()
        return [self.get(i) for i in created]

    def close_case(self, call_id: str) -> list[Reminder]:
        """The customer's problem is resolved outside a wrap-up: stop first-response and
        progress reminders of the call's case and add the rules' revisit. Returns the revisits."""
        now = self._clock.now()
        with transaction(self._db):
            case_id = self._case_of(call_id)
            case_type = self._case_call_type(case_id)
            contact = self._call_contact(case_id) or self._case_contact(case_id)
            cancelled = self._cancel_case_reminders(case_id, now)
            planned = reminders_for_wrap_up(
                self._rules(),
                case_type,
                "resolved",
                now,
                None,
                self.office_hours(),
                self.timezone(),
            )
            created = self._insert_planned(planned, case_id, case_id, case_type, contact, now)
            self._audit.record(
                "reminder.case_closed", "case", case_id, cancelled=cancelled, created=created
            )
        self._changed()
        return [self.get(i) for i in created]

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
            contact = self._call_contact(call_id) if call_id else None
            missing_call = call_id if call_id and contact is None else None
            if contact is None:
                call_id = None
                contact = (phone, customer_name)
            phone, customer_name = phone or contact[0], customer_name or contact[1]
            if not (call_id or phone or customer_name):
                raise ReminderError("请填写客户电话或姓名。")
            reminder_id = str(uuid.uuid4())
            self._insert(
                reminder_id,
                call_id=call_id,
                case_id=self._case_of(call_id) if call_id else reminder_id,
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
        self._changed()
        return self.get(reminder_id)

    # ---- firing ----------------------------------------------------------------------
    def fire_due(self) -> list[str]:
        """Claim every reminder whose time has come and that nobody has shown yet; returns
        the ids this caller must show, earliest first. Safe to call from any number of
        processes: each firing is won exactly once."""
        now = self._clock.now()
        now_iso = to_iso(now)
        with transaction(self._db):
            rows = self._db.execute(
                f"SELECT id, due_at FROM reminders WHERE fired_at IS NULL "
                f"AND status IN ({_ARMED}) AND due_at <= ? ORDER BY due_at",
                [now_iso],
            ).fetchall()
            if not rows:
                return []
            self._db.execute(
                f"UPDATE reminders SET status = 'fired', fired_at = ? WHERE fired_at IS NULL "
                f"AND status IN ({_ARMED}) AND due_at <= ?",
                [now_iso, now_iso],
            )
            for reminder_id, due_at in rows:
                late = int((now - parse_iso(due_at)).total_seconds())
                self._audit.record("reminder.fired", "reminder", reminder_id, late_seconds=late)
        self._changed()
        return [r[0] for r in rows]

    def mark_fired(self, reminder_id: str) -> bool:
        """Record that this reminder is being shown; False if someone already showed it."""
        now_iso = to_iso(self._clock.now())
        with transaction(self._db):
            won = (
                self._db.execute(
                    f"UPDATE reminders SET status = 'fired', fired_at = ? "
                    f"WHERE id = ? AND fired_at IS NULL AND status IN ({_ARMED})",
                    [now_iso, reminder_id],
                ).rowcount
                == 1
            )
            if won:
                self._audit.record("reminder.fired", "reminder", reminder_id)
        if won:
            self._changed()
        return won

    # ---- agent actions ---------------------------------------------------------------
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
            row = self._open_row(reminder_id)
            self._set(reminder_id, status="snoozed", due_at=to_iso(due), fired_at=None)
            self._audit.record(
                "reminder.snoozed",
                "reminder",
                reminder_id,
                previous_due_at=row["due_at"],
                due_at=to_iso(due),
                minutes=minutes,
            )
        self._changed()
        return self.get(reminder_id)

    def reschedule(self, reminder_id: str, due_at: datetime) -> Reminder:
        """A new time agreed with the customer: moves the commitment too."""
        now = self._clock.now()
        due = validate_due(due_at, now)
        with transaction(self._db):
            row = self._open_row(reminder_id)
            due_iso = to_iso(due)
            self._set(
                reminder_id, status="pending", due_at=due_iso, target_at=due_iso, fired_at=None
            )
            self._audit.record(
                "reminder.rescheduled",
                "reminder",
                reminder_id,
                previous_due_at=row["due_at"],
                due_at=due_iso,
            )
        self._changed()
        return self.get(reminder_id)

    def done(self, reminder_id: str, result: str = "") -> Reminder:
        """Finished, with what came of it. A repeating reminder (progress updates) brings
        its next one while the case stays open."""
        now = self._clock.now()
        with transaction(self._db):
            row = self._open_row(reminder_id)
            self._finish(row, result.strip()[:NOTE_LIMIT], True, now, via="agent")
        self._changed()
        return self.get(reminder_id)

    def cancel(self, reminder_id: str, reason: str) -> Reminder:
        """Drop it, saying why (kept in `result` and the audit log)."""
        reason = reason.strip()[:NOTE_LIMIT]
        if not reason:
            raise ReminderError("请填写取消原因。")
        now = self._clock.now()
        with transaction(self._db):
            self._open_row(reminder_id)
            self._set(reminder_id, status="cancelled", done_at=to_iso(now), result=reason)
            self._audit.record("reminder.cancelled", "reminder", reminder_id, reason=reason)
        self._changed()
        return self.get(reminder_id)

    def link_callback(self, reminder_id: str, call_id: str) -> Reminder:
        """The agent called the customer for this reminder: its call `call_id` (created with
        `reminder_id` set) is linked, and the first such call's start time is what counts
        for "kept". The call's wrap-up then completes the reminder."""
        with transaction(self._db):
            self._open_row(reminder_id)
            call = self._db.execute(
                "SELECT started_at FROM calls WHERE id = ?", [call_id]
            ).fetchone()
            if call is None:
                raise ReminderError("找不到回电的通话记录。")
            started = call[0] or to_iso(self._clock.now())
            self._db.execute(
                "UPDATE reminders SET callback_call_id = ?, "
                "callback_at = COALESCE(callback_at, ?) WHERE id = ?",
                [call_id, started, reminder_id],
            )
            self._audit.record("reminder.call_back", "reminder", reminder_id, call_id=call_id)
        self._changed()
        return self.get(reminder_id)

    # ---- internals (callers hold the transaction) ------------------------------------
    def _row(self, reminder_id: str) -> dict[str, Any]:
        rows = list(self._db["reminders"].rows_where("id = ?", [reminder_id]))
        if not rows:
            raise ReminderNotFound("找不到该提醒，可能已被删除。")
        return rows[0]

    def _open_row(self, reminder_id: str) -> dict[str, Any]:
        row = self._row(reminder_id)
        if row["status"] not in OPEN_STATUSES:
            word = "已完成" if row["status"] == "done" else "已取消"
            raise ReminderStateError(f"该提醒{word}，不能再操作。")
        return row

    def _set(self, reminder_id: str, **columns: Any) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self._db.execute(
            f"UPDATE reminders SET {assignments} WHERE id = ?", [*columns.values(), reminder_id]
        )

    def _finish(
        self, row: dict[str, Any], result: str, repeat: bool, now: datetime, via: str
    ) -> None:
        self._set(row["id"], status="done", done_at=to_iso(now), result=result)
        self._audit.record("reminder.done", "reminder", row["id"], result=result, via=via)
        if not (repeat and row["repeat_minutes"] > 0):
            return
        due = next_repeat(
            now,
            row["repeat_minutes"],
            bool(row["shift_office_hours"]),
            self.office_hours(),
            self.timezone(),
        )
        next_id = str(uuid.uuid4())
        self._insert(
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

    def _insert(
        self,
        reminder_id: str,
        *,
        call_id: str | None,
        case_id: str,
        call_type: str,
        phone: str,
        customer_name: str,
        kind: str,
        rule_key: str,
        due: datetime,
        note: str,
        now: datetime,
        repeat_minutes: int = 0,
        shift: bool = False,
    ) -> None:
        due_iso = to_iso(due)
        self._db.execute(
            "INSERT INTO reminders (id, call_id, case_id, call_type, phone, customer_name, kind, "
            "rule_key, due_at, target_at, status, created_at, note, repeat_minutes, "
            "shift_office_hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
            [
                reminder_id,
                call_id,
                case_id,
                call_type,
                phone,
                customer_name,
                kind,
                rule_key,
                due_iso,
                due_iso,
                to_iso(now),
                note,
                repeat_minutes,
                int(shift),
            ],
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
        call_exists = self._call_contact(call_id) is not None
        created: list[str] = []
        for plan in planned:
            if self._already_planned(plan, call_id, case_id):
                continue
            reminder_id = str(uuid.uuid4())
            self._insert(
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
            self._set(
                reminder_id, status="cancelled", done_at=to_iso(now), result=CASE_CLOSED_REASON
            )
            self._audit.record(
                "reminder.cancelled", "reminder", reminder_id, reason=CASE_CLOSED_REASON
            )
        return ids

    def _call_contact(self, call_id: str | None) -> tuple[str, str] | None:
        """(phone, customer name) of a stored call, or None if there is no such call."""
        row = self._db.execute(
            "SELECT c.phone, COALESCE(NULLIF(cu.name, ''), c.caller_name, '') FROM calls c "
            "LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?",
            [call_id],
        ).fetchone()
        return (row[0] or "", row[1] or "") if row else None

    def _case_contact(self, case_id: str) -> tuple[str, str]:
        row = self._db.execute(
            "SELECT phone, customer_name FROM reminders WHERE case_id = ? "
            "ORDER BY created_at LIMIT 1",
            [case_id],
        ).fetchone()
        return (row[0], row[1]) if row else ("", "")

    def _linked_reminders(self, call_id: str) -> list[dict[str, Any]]:
        """Reminders this call was made for: linked by `link_callback` or by the call's
        own `reminder_id`."""
        return list(
            self._db["reminders"].rows_where(
                "callback_call_id = ? OR id = (SELECT reminder_id FROM calls WHERE id = ?)",
                [call_id, call_id],
                order_by="created_at",
            )
        )

    def _case_of(self, call_id: str) -> str:
        """The case a call belongs to: that of the reminder it was made for, else its own.
        A call made for a revisit starts a new case (the problem came back)."""
        linked = self._linked_reminders(call_id)
        if linked and linked[0]["kind"] != "revisit" and linked[0]["case_id"]:
            return str(linked[0]["case_id"])
        return call_id

    def _case_call_type(self, case_id: str) -> str:
        row = self._db.execute(
            "SELECT call_type FROM reminders WHERE case_id = ? AND call_type != '' "
            "ORDER BY created_at LIMIT 1",
            [case_id],
        ).fetchone()
        if row:
            return str(row[0])
        call = self._db.execute("SELECT intent FROM calls WHERE id = ?", [case_id]).fetchone()
        return str(call[0] or "") if call else ""
