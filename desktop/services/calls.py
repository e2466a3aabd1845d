"""Call use cases: start, answer, classify, tick, note, wrap up; the only code that writes calls."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from db import transaction
from desktop.core.call_events import CallEvent, clean_event
from desktop.core.calls import OPEN_STATUSES, Call, can_move, missing_required_steps
from desktop.core.clock import Clock, to_iso
from desktop.core.content.model import OUTCOMES, ContentPack
from desktop.core.softphone.numbers import national
from desktop.services.audit import AuditLog

PRIORITIES = ("urgent", "important", "normal")
NOTES_LIMIT = 200_000  # characters; more is kept out of the database and reported


class CallError(ValueError):
    """A request the workspace cannot carry out; the message is shown to the agent."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    call_id: str
    started_at: str
    intent: str | None
    outcome: str | None
    status: str
    notes_preview: str


@dataclass(frozen=True, slots=True)
class CallerHistory:
    phone: str
    customer_name: str
    calls: tuple[HistoryEntry, ...]
    open_reminders: tuple[dict[str, Any], ...]
    repeat_caller: bool
    open_complaint: bool


class CallService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        clock: Clock,
        audit: AuditLog,
        pack: Callable[[], ContentPack],
        agent: Callable[[], str] = lambda: "",
    ) -> None:
        self._db = db
        self._clock = clock
        self._audit = audit
        self._pack = pack
        self._agent = agent
        self._listeners: list[Callable[[str], None]] = []

    # ---- listeners -------------------------------------------------------------------
    def subscribe(self, listener: Callable[[str], None]) -> None:
        """`listener(call_id)` runs after every change to that call, on the caller's thread."""
        self._listeners.append(listener)

    def _changed(self, call_id: str) -> None:
        for listener in list(self._listeners):
            listener(call_id)

    def _now(self) -> str:
        return to_iso(self._clock.now())

    # ---- reading ---------------------------------------------------------------------
    def get(self, call_id: str) -> Call:
        rows = list(self._db["calls"].rows_where("id = ?", [call_id]))
        if not rows:
            raise CallError(f"找不到通话 {call_id}")
        return Call.from_row(rows[0])

    def open_calls(self) -> list[Call]:
        """Calls not finished yet: restored into the workspace after a crash or restart."""
        placeholders = ",".join("?" for _ in OPEN_STATUSES)
        rows = self._db["calls"].rows_where(
            f"status IN ({placeholders})", sorted(OPEN_STATUSES), order_by="started_at"
        )
        return [Call.from_row(r) for r in rows]

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

    def used_scripts(self, call_id: str) -> list[str]:
        rows = self._db.execute(
            "SELECT script_id FROM script_uses WHERE call_id = ? ORDER BY id", [call_id]
        )
        return [r[0] for r in rows]

    def script_usage_counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT script_id, count(*) FROM script_uses GROUP BY script_id")
        return dict(rows.fetchall())

    def missing_required(self, call_id: str) -> list[str]:
        call = self.get(call_id)
        return missing_required_steps(self._pack(), call.intent, set(self.ticked_steps(call_id)))

    def caller_history(
        self, phone: str, exclude_call_id: str = "", limit: int = 20
    ) -> CallerHistory:
        """The screen pop: this number's earlier calls and open reminders, newest first."""
        phone = national(phone)
        if not phone:
            return CallerHistory("", "", (), (), False, False)
        rows = self._db.execute(
            "SELECT id, started_at, intent, outcome, status, substr(notes, 1, 80), caller_name "
            "FROM calls WHERE phone = ? AND id != ? ORDER BY started_at DESC LIMIT ?",
            [phone, exclude_call_id, limit],
        ).fetchall()
        entries = tuple(HistoryEntry(r[0], r[1], r[2], r[3], r[4], r[5] or "") for r in rows)
        reminders = tuple(
            self._db["reminders"].rows_where(
                "phone = ? AND status IN ('pending', 'fired', 'snoozed')",
                [phone],
                order_by="due_at",
            )
        )
        customer = self._db.execute(
            "SELECT name FROM customers WHERE phone = ?", [phone]
        ).fetchone()
        name = (customer[0] if customer else "") or next((r[6] for r in rows if r[6]), "")
        open_complaint = any(
            e.intent == "complaint" and (e.outcome in (None, "follow_up", "transferred"))
            for e in entries
        )
        return CallerHistory(phone, name, entries, reminders, len(entries) >= 1, open_complaint)

    # ---- lifecycle -------------------------------------------------------------------
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
        now = at or self._now()
        phone = national(phone)
        call_id = str(uuid.uuid4())
        with transaction(self._db):
            customer_id = self._touch_customer(phone, caller_name, now) if phone else None
            self._db["calls"].insert(
                {
                    "id": call_id,
                    "phone": phone,
                    "caller_name": caller_name.strip()[:100],
                    "customer_id": customer_id,
                    "started_at": now,
                    "answered_at": None if ringing else now,
                    "status": "ringing" if ringing else "active",
                    "priority": "normal",
                    "notes": "",
                    "agent": self._agent(),
                    "source": source,
                    "softphone_call_id": softphone_call_id or None,
                    "reminder_id": reminder_id or None,
                }
            )
            self._audit.record("call.start", "call", call_id, phone=phone, source=source)
        self._changed(call_id)
        return self.get(call_id)

    def _touch_customer(self, phone: str, name: str, now: str) -> int:
        existing = self._db.execute(
            "SELECT id, name FROM customers WHERE phone = ?", [phone]
        ).fetchone()
        if existing:
            self._db.execute(
                "UPDATE customers SET last_call_at = ?, call_count = call_count + 1, "
                "name = CASE WHEN name = '' THEN ? ELSE name END WHERE id = ?",
                [now, name.strip()[:100], existing[0]],
            )
            return int(existing[0])
        return int(
            self._db["customers"]
            .insert(
                {
                    "phone": phone,
                    "name": name.strip()[:100],
                    "first_seen_at": now,
                    "last_call_at": now,
                    "call_count": 1,
                }
            )
            .last_pk
        )

    def _move(self, call_id: str, status: str, **columns: Any) -> Call:
        call = self.get(call_id)
        if call.status == status:
            return call
        if not can_move(call.status, status):
            raise CallError(f"通话当前为「{call.status}」，不能改为「{status}」")
        self._db["calls"].update(call_id, {"status": status, **columns})
        self._audit.record(f"call.{status}", "call", call_id, previous=call.status)
        self._changed(call_id)
        return self.get(call_id)

    def answer(self, call_id: str, at: str = "") -> Call:
        return self._move(call_id, "active", answered_at=at or self._now())

    def end(self, call_id: str, at: str = "") -> Call:
        """The conversation is over: after-call work (wrap-up) begins."""
        return self._move(call_id, "wrap_up", ended_at=at or self._now())

    def mark_missed(self, call_id: str, at: str = "") -> Call:
        return self._move(call_id, "missed", ended_at=at or self._now())

    def wrap_up(self, call_id: str, outcome: str, skip_reason: str = "") -> Call:
        """Complete the call. Unticked required steps need a reason, which is saved."""
        if outcome not in OUTCOMES:
            raise CallError(f"未知的处理结果：{outcome}")
        call = self.get(call_id)
        if call.status in ("ringing", "active"):
            call = self.end(call_id)
        missing = self.missing_required(call_id)
        if missing and not skip_reason.strip():
            raise CallError("有必做步骤未完成，请填写原因：" + "、".join(missing))
        return self._move(
            call_id,
            "completed",
            outcome=outcome,
            completed_at=self._now(),
            skip_reason=skip_reason.strip() or None,
        )

    # ---- classification --------------------------------------------------------------
    def set_intent(self, call_id: str, intent: str) -> Call:
        if self._pack().call_type(intent) is None:
            raise CallError(f"内容包中没有来电类型「{intent}」")
        call = self.get(call_id)
        if call.intent == intent:
            return call
        now = self._now()
        with transaction(self._db):
            self._db["calls"].update(call_id, {"intent": intent})
            self._db["call_intents"].insert({"call_id": call_id, "intent": intent, "set_at": now})
            self._audit.record("call.intent", "call", call_id, intent=intent, previous=call.intent)
        self._changed(call_id)
        return self.get(call_id)

    def set_priority(self, call_id: str, priority: str) -> Call:
        if priority not in PRIORITIES:
            raise CallError(f"未知的优先级：{priority}")
        self._db["calls"].update(call_id, {"priority": priority})
        self._audit.record("call.priority", "call", call_id, priority=priority)
        self._changed(call_id)
        return self.get(call_id)

    # ---- checklist -------------------------------------------------------------------
    def tick(self, call_id: str, step_key: str) -> str:
        """Tick a step (idempotent); returns its timestamp."""
        current = self.ticked_steps(call_id)
        if step_key in current:
            return current[step_key]
        now = self._now()
        with transaction(self._db):
            self._db["checklist_ticks"].insert(
                {"call_id": call_id, "step_key": step_key, "ticked_at": now}
            )
            self._audit.record("checklist.tick", "call", call_id, step=step_key)
        self._changed(call_id)
        return now

    def untick(self, call_id: str, step_key: str) -> None:
        """Untick keeps the row (unticked_at set) so the audit trail shows both."""
        with transaction(self._db):
            cur = self._db.execute(
                "UPDATE checklist_ticks SET unticked_at = ? "
                "WHERE call_id = ? AND step_key = ? AND unticked_at IS NULL",
                [self._now(), call_id, step_key],
            )
            if cur.rowcount:
                self._audit.record("checklist.untick", "call", call_id, step=step_key)
        self._changed(call_id)

    # ---- notes and scripts -----------------------------------------------------------
    def save_notes(self, call_id: str, text: str) -> bool:
        """Store the notes as typed; returns False when the text was too long to keep whole."""
        whole = len(text) <= NOTES_LIMIT
        self._db.execute(
            "UPDATE calls SET notes = ?, notes_saved_at = ? WHERE id = ?",
            [text[:NOTES_LIMIT], self._now(), call_id],
        )
        return whole

    def mark_script_used(self, call_id: str | None, script_id: str) -> None:
        self._db["script_uses"].insert(
            {"call_id": call_id, "script_id": script_id, "used_at": self._now()}
        )

    def favourites(self) -> list[str]:
        rows = self._db.execute(
            "SELECT script_id FROM favourites WHERE agent = ? ORDER BY pinned_at", [self._agent()]
        )
        return [r[0] for r in rows]

    def set_favourite(self, script_id: str, pinned: bool) -> None:
        if pinned:
            self._db["favourites"].upsert(
                {"agent": self._agent(), "script_id": script_id, "pinned_at": self._now()},
                pk=("agent", "script_id"),
            )
        else:
            self._db.execute(
                "DELETE FROM favourites WHERE agent = ? AND script_id = ?",
                [self._agent(), script_id],
            )

    # ---- softphone events ------------------------------------------------------------
    def handle_event(self, event: CallEvent) -> Call | None:
        """Apply a softphone event once; duplicates (same event_id) and stale events are ignored.

        The "already seen" row and the call's change are one transaction: if recording the
        call fails, the event is not marked seen, so the replay tries it again.
        """
        event = clean_event(event)
        with transaction(self._db):
            if event.event_id:
                seen = self._db.execute(
                    "SELECT 1 FROM softphone_events WHERE event_id = ?", [event.event_id]
                ).fetchone()
                if seen:
                    return None
                self._db.execute(
                    "INSERT INTO softphone_events (event_id, received_at, kind, call_id) "
                    "VALUES (?, ?, ?, ?)",
                    [event.event_id, self._now(), event.kind, event.call_id],
                )
            return self._apply_event(event)

    def _apply_event(self, event: CallEvent) -> Call | None:
        at = event.at or ""
        call = self._find_softphone_call(event)
        if call is None:
            if event.kind in ("ended", "missed"):
                return None  # a hang-up for a call never seen (connected mid-call)
            # a ring, or an answer with no ring seen (auto answer, a hook without ring)
            return self.start_call(
                event.number,
                event.name,
                source=event.source or "softphone",
                ringing=event.kind == "incoming",
                softphone_call_id=event.call_id,
                at=at,
            )
        if event.kind == "incoming":
            return call
        try:
            if event.kind == "answered":
                return self.answer(call.id, at)
            if event.kind == "missed" or (event.kind == "ended" and call.status == "ringing"):
                return self.mark_missed(call.id, at)
            if event.kind == "ended":
                return self.end(call.id, at)
        except CallError:
            return None  # a late or duplicate event never moves a call backwards
        return call

    def close_stale_ringing(self, older_than: str, note: str) -> list[Call]:
        """Ringing softphone calls that started before ``older_than`` (ISO UTC) and heard
        nothing since: the hang-up was lost, so they are closed as missed, ``note`` added."""
        rows = self._db.execute(
            "SELECT id FROM calls WHERE status = 'ringing' AND source != 'manual' "
            "AND started_at < ? ORDER BY started_at",
            [older_than],
        ).fetchall()
        closed = []
        for (call_id,) in rows:
            with transaction(self._db):
                self._db.execute(
                    "UPDATE calls SET notes = CASE WHEN notes = '' THEN ? "
                    "ELSE notes || char(10) || ? END WHERE id = ?",
                    [note, note, call_id],
                )
                closed.append(self.mark_missed(call_id))
        return closed

    def _find_softphone_call(self, event: CallEvent) -> Call | None:
        """The open call this event belongs to: by softphone id, else the newest open call
        from that number (hooks such as MicroSIP's do not pass an id)."""
        if event.call_id:
            rows = list(
                self._db["calls"].rows_where(
                    "softphone_call_id = ?", [event.call_id], order_by="started_at desc", limit=1
                )
            )
            return Call.from_row(rows[0]) if rows else None
        number = national(event.number)
        if not number:
            return None
        rows = list(
            self._db["calls"].rows_where(
                "phone = ? AND status IN ('ringing', 'active') AND source != 'manual'",
                [number],
                order_by="started_at desc",
                limit=1,
            )
        )
        return Call.from_row(rows[0]) if rows else None
