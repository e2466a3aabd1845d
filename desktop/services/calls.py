"""The call life cycle: start, answer, classify, tick, note, wrap up — the only code that
writes calls. Each agent action is one transaction with its audit row; hot paths are plain
SQL (no table introspection) and every write says what it changed on the change bus.

Reading for the screen lives in `call_screen`, softphone events in `softphone.events`,
script usage in `script_usage`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from db import Database, transaction
from db.row_version import TOUCH
from desktop.core.calls import (
    OPEN_STATUSES,
    Call,
    OpenCall,
    can_move,
    missing_required_steps,
)
from desktop.core.changes import ChangeBus, OpChanges
from desktop.core.clock import Clock, to_iso
from desktop.core.content.model import OUTCOMES, ContentPack
from desktop.core.ids import new_id
from desktop.core.softphone.numbers import national
from desktop.services.audit import AuditLog

PRIORITIES = ("urgent", "important", "normal")
NOTES_LIMIT = 200_000  # characters; more is kept out of the database and reported
NAME_LIMIT = 100

CALL_COLUMNS = Call.__slots__
_SELECT_CALL = f"SELECT {', '.join(CALL_COLUMNS)} FROM calls"
_OPEN = ",".join(f"'{s}'" for s in sorted(OPEN_STATUSES))


class CallError(ValueError):
    """A request the workspace cannot carry out; the message is shown to the agent."""


def call_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Call:
    return Call(*row)


class CallService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        audit: AuditLog,
        pack: Callable[[], ContentPack],
        agent: Callable[[], str] = lambda: "",
        bus: ChangeBus | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._audit = audit
        self._pack = pack
        self._agent = agent
        self.bus = bus or ChangeBus()

    @property
    def clock(self) -> Clock:
        """The clock this service writes its times by (callers stamping the same rows)."""
        return self._clock

    def _now(self) -> str:
        return to_iso(self._clock.now())

    def _publish(self, *call_ids: str, reminders: bool = False) -> None:
        self.bus.publish(OpChanges.for_calls(*call_ids, reminders=reminders))

    # ---- reading ---------------------------------------------------------------------
    def get(self, call_id: str) -> Call:
        row = self._db.execute(_SELECT_CALL + " WHERE id = ?", [call_id]).fetchone()
        if row is None:
            raise CallError(f"找不到通话 {call_id}")
        return call_from_row(row)

    def find(self, where: str, params: list[Any], order: str = "started_at DESC") -> Call | None:
        """The first call matching a plain-SQL condition (for the event and callback paths)."""
        row = self._db.execute(
            f"{_SELECT_CALL} WHERE {where} ORDER BY {order} LIMIT 1", params
        ).fetchone()
        return call_from_row(row) if row else None

    def open_calls(self) -> list[Call]:
        """Calls not finished yet: restored into the workspace after a crash or restart."""
        rows = self._db.execute(
            f"{_SELECT_CALL} WHERE status IN ({_OPEN}) ORDER BY started_at"
        ).fetchall()
        return [call_from_row(r) for r in rows]

    def open_call_list(self) -> list[OpenCall]:
        """The unfinished calls as the call bar lists them (id, status, phone), oldest first."""
        rows = self._db.execute(
            f"SELECT id, status, phone FROM calls WHERE status IN ({_OPEN}) ORDER BY started_at"
        ).fetchall()
        return [OpenCall._make(r) for r in rows]

    def ticked_steps(self, call_id: str) -> dict[str, str]:
        """step_key → ticked_at for steps currently ticked (unticked rows stay for the audit)."""
        rows = self._db.execute(
            "SELECT step_key, ticked_at FROM checklist_ticks "
            "WHERE call_id = ? AND unticked_at IS NULL ORDER BY id",
            [call_id],
        ).fetchall()
        return {key: at for key, at in rows}

    def intent_history(self, call_id: str) -> list[tuple[str, str]]:
        return self._db.execute(
            "SELECT intent, set_at FROM call_intents WHERE call_id = ? ORDER BY id", [call_id]
        ).fetchall()

    def missing_required(self, call_id: str) -> list[str]:
        call = self.get(call_id)
        return missing_required_steps(self._pack(), call.intent, set(self.ticked_steps(call_id)))

    # ---- life cycle ------------------------------------------------------------------
    def start_call(
        self,
        phone: str = "",
        caller_name: str = "",
        *,
        source: str = "manual",
        ringing: bool = False,
        softphone_call_id: str = "",
        reminder_id: str = "",
        at: str = "",
    ) -> Call:
        """A new call; a number that is garbage is kept as "" and the call still starts."""
        with transaction(self._db):
            call = self.insert_call(
                phone,
                caller_name,
                source=source,
                ringing=ringing,
                softphone_call_id=softphone_call_id,
                reminder_id=reminder_id,
                at=at,
            )
        self._publish(call.id)
        return call

    def insert_call(
        self,
        phone: str,
        caller_name: str,
        *,
        source: str,
        ringing: bool = False,
        softphone_call_id: str = "",
        reminder_id: str = "",
        at: str = "",
        direction: str = "incoming",
    ) -> Call:
        """The insert itself, for use cases that hold the transaction (and publish)."""
        now = at or self._now()
        phone = national(phone)
        name = caller_name.strip()[:NAME_LIMIT]
        customer_id = self._touch_customer(phone, name, now) if phone else None
        call = Call(
            id=new_id(),
            phone=phone,
            caller_name=name,
            status="ringing" if ringing else "active",
            started_at=now,
            answered_at=None if ringing else now,
            ended_at=None,
            completed_at=None,
            intent=None,
            priority="normal",
            outcome=None,
            notes="",
            skip_reason=None,
            source=source,
            softphone_call_id=softphone_call_id or None,
            reminder_id=reminder_id or None,
            direction=direction,
        )
        self._db.execute(
            "INSERT INTO calls (id, phone, caller_name, customer_id, started_at, answered_at, "
            "status, priority, notes, agent, source, softphone_call_id, reminder_id, direction, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                call.id,
                phone,
                name,
                customer_id,
                now,
                call.answered_at,
                call.status,
                call.priority,
                "",
                self._agent(),
                source,
                call.softphone_call_id,
                call.reminder_id,
                direction,
                self._now(),  # written now, whenever the call began
            ],
        )
        self._audit.record(
            "call.start", "call", call.id, phone=phone, source=source, direction=direction
        )
        return call

    def _touch_customer(self, phone: str, name: str, now: str) -> int:
        """One upsert: a known number counts one more call and keeps its name."""
        row = self._db.execute(
            "INSERT INTO customers (phone, name, first_seen_at, last_call_at, call_count) "
            "VALUES (?, ?, ?, ?, 1) ON CONFLICT(phone) DO UPDATE SET "
            "last_call_at = excluded.last_call_at, call_count = call_count + 1, "
            "name = CASE WHEN name = '' THEN excluded.name ELSE name END RETURNING id",
            [phone, name, now, now],
        ).fetchone()
        return int(row[0])

    def move(self, call: Call, status: str, **columns: Any) -> Call:
        """Change a call's status inside the caller's transaction; returns the new value
        without reading it back."""
        if call.status == status:
            return call
        if not can_move(call.status, status):
            raise CallError(f"通话当前为「{call.status}」，不能改为「{status}」")
        values = {"status": status, **columns}
        assignments = ", ".join(f"{name} = ?" for name in values)
        self._db.execute(
            f"UPDATE calls SET {assignments}, {TOUCH} WHERE id = ?",
            [*values.values(), self._now(), call.id],
        )
        self._audit.record(f"call.{status}", "call", call.id, previous=call.status)
        return replace(call, **{k: v for k, v in values.items() if k in CALL_COLUMNS})

    def _move(self, call_id: str, status: str, **columns: Any) -> Call:
        with transaction(self._db):
            call = self.move(self.get(call_id), status, **columns)
        self._publish(call_id)
        return call

    def answer(self, call_id: str, at: str = "") -> Call:
        return self._move(call_id, "active", answered_at=at or self._now())

    def end(self, call_id: str, at: str = "") -> Call:
        """The conversation is over: after-call work (wrap-up) begins."""
        return self._move(call_id, "wrap_up", ended_at=at or self._now())

    def mark_missed(self, call_id: str, at: str = "") -> Call:
        return self._move(call_id, "missed", ended_at=at or self._now())

    def wrap_up(self, call_id: str, outcome: str, skip_reason: str = "") -> Call:
        """Complete the call. Unticked required steps need a reason, which is saved.
        Use `FollowUps.wrap_up` to complete it together with its rule reminders."""
        with transaction(self._db):
            call = self.complete(call_id, outcome, skip_reason)
        self._publish(call_id)
        return call

    def complete(self, call_id: str, outcome: str, skip_reason: str = "") -> Call:
        """The wrap-up inside the caller's transaction."""
        if outcome not in OUTCOMES:
            raise CallError(f"未知的处理结果：{outcome}")
        call = self.get(call_id)
        now = self._now()
        if call.status in ("ringing", "active"):
            call = self.move(call, "wrap_up", ended_at=now)
        missing = missing_required_steps(self._pack(), call.intent, set(self.ticked_steps(call_id)))
        if missing and not skip_reason.strip():
            raise CallError("有必做步骤未完成，请填写原因：" + "、".join(missing))
        return self.move(
            call,
            "completed",
            outcome=outcome,
            completed_at=now,
            skip_reason=skip_reason.strip() or None,
        )

    # ---- classification --------------------------------------------------------------
    def set_intent(self, call_id: str, intent: str) -> Call:
        if self._pack().call_type(intent) is None:
            raise CallError(f"内容包中没有来电类型「{intent}」")
        now = self._now()
        with transaction(self._db):
            call = self.get(call_id)
            if call.intent == intent:
                return call
            self._db.execute(
                f"UPDATE calls SET intent = ?, {TOUCH} WHERE id = ?", [intent, now, call_id]
            )
            self._db.execute(
                "INSERT INTO call_intents (call_id, intent, set_at) VALUES (?, ?, ?)",
                [call_id, intent, now],
            )
            self._audit.record("call.intent", "call", call_id, intent=intent, previous=call.intent)
        self._publish(call_id)
        return replace(call, intent=intent)

    def set_priority(self, call_id: str, priority: str) -> Call:
        if priority not in PRIORITIES:
            raise CallError(f"未知的优先级：{priority}")
        with transaction(self._db):
            call = self.get(call_id)
            if call.priority == priority:
                return call
            self._db.execute(
                f"UPDATE calls SET priority = ?, {TOUCH} WHERE id = ?",
                [priority, self._now(), call_id],
            )
            self._audit.record(
                "call.priority", "call", call_id, priority=priority, previous=call.priority
            )
        self._publish(call_id)
        return replace(call, priority=priority)

    # ---- checklist -------------------------------------------------------------------
    def tick(self, call_id: str, step_key: str) -> str:
        """Tick a step (idempotent); returns its timestamp."""
        now = self._now()
        with transaction(self._db):
            row = self._db.execute(
                "SELECT ticked_at FROM checklist_ticks "
                "WHERE call_id = ? AND step_key = ? AND unticked_at IS NULL",
                [call_id, step_key],
            ).fetchone()
            if row:
                return str(row[0])
            self._db.execute(
                "INSERT INTO checklist_ticks (call_id, step_key, ticked_at) VALUES (?, ?, ?)",
                [call_id, step_key, now],
            )
            self._audit.record("checklist.tick", "call", call_id, step=step_key)
        self._publish(call_id)
        return now

    def untick(self, call_id: str, step_key: str) -> None:
        """Untick keeps the row (unticked_at set) so the audit trail shows both."""
        with transaction(self._db):
            cur = self._db.execute(
                "UPDATE checklist_ticks SET unticked_at = ? "
                "WHERE call_id = ? AND step_key = ? AND unticked_at IS NULL",
                [self._now(), call_id, step_key],
            )
            if not cur.rowcount:
                return
            self._audit.record("checklist.untick", "call", call_id, step=step_key)
        self._publish(call_id)

    # ---- notes -----------------------------------------------------------------------
    def save_notes(self, call_id: str, text: str) -> bool:
        """Store the notes as typed; returns False when the text was too long to keep whole.
        Raises sqlite3.Error when the database cannot take them (the caller keeps the text)."""
        whole = len(text) <= NOTES_LIMIT
        now = self._now()
        self._db.execute(
            f"UPDATE calls SET notes = ?, notes_saved_at = ?, {TOUCH} WHERE id = ?",
            [text[:NOTES_LIMIT], now, now, call_id],
        )
        return whole
