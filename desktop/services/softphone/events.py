"""Softphone events applied to calls: each event once, in one transaction with its call.

The "already seen" row and the call change commit together, so an event whose call could
not be written is not marked handled and is tried again (issue 14.3). Every event is cleaned first (names
decoded, lengths capped: issue 14.4, 14.8), and a ringing call whose hang-up never came is
closed as missed (14.8).
"""

from __future__ import annotations

from db import Database, transaction
from desktop.core.call_events import CallEvent, clean_event
from desktop.core.calls import Call
from desktop.core.changes import OpChanges
from desktop.core.clock import Clock, to_iso
from desktop.core.softphone.numbers import national
from desktop.services.calls import CallError, CallService


class SoftphoneEvents:
    def __init__(self, db: Database, calls: CallService, clock: Clock) -> None:
        self._db = db
        self._calls = calls
        self._clock = clock

    def handle_event(self, event: CallEvent) -> Call | None:
        """Apply a softphone event once; duplicates (same event_id) and stale events are
        ignored (None). Raises sqlite3.Error when it could not be stored: nothing is kept."""
        event = clean_event(event)
        with transaction(self._db):
            if event.event_id and not self._first_sight(event):
                return None
            call = self._apply(event)
        if call is not None:
            self._calls.bus.publish(OpChanges.for_calls(call.id))
        return call

    def close_stale_ringing(self, older_than: str, note: str) -> list[Call]:
        """Ringing softphone calls that started before ``older_than`` (ISO UTC) and heard
        nothing since: their hang-up was lost, so they are closed as missed with ``note``."""
        rows = self._db.execute(
            "SELECT id FROM calls WHERE status = 'ringing' AND source != 'manual' "
            "AND started_at < ? ORDER BY started_at",
            [older_than],
        ).fetchall()
        closed = []
        for (call_id,) in rows:
            with transaction(self._db):
                call = self._calls.get(call_id)
                notes = f"{call.notes}\n{note}" if call.notes else note
                closed.append(
                    self._calls.move(
                        call, "missed", ended_at=to_iso(self._clock.now()), notes=notes
                    )
                )
        if closed:
            self._calls.bus.publish(OpChanges.for_calls(*(c.id for c in closed)))
        return closed

    def _first_sight(self, event: CallEvent) -> bool:
        cur = self._db.execute(
            "INSERT OR IGNORE INTO softphone_events (event_id, received_at, kind, call_id) "
            "VALUES (?, ?, ?, ?)",
            [event.event_id, to_iso(self._clock.now()), event.kind, event.call_id],
        )
        return cur.rowcount == 1

    def _apply(self, event: CallEvent) -> Call | None:
        at = event.at or ""
        call = self._find_call(event)
        if call is None:
            if event.kind in ("ended", "missed"):
                return None  # a hang-up for a call never seen (connected mid-call)
            # a ring, or an answer with no ring seen (auto answer, a hook without ring)
            outgoing = event.direction == "outgoing" or event.kind == "outgoing"
            return self._calls.insert_call(
                event.number,
                event.name,
                source=event.source or "softphone",
                ringing=event.kind in ("incoming", "outgoing"),  # an outgoing one is dialling
                softphone_call_id=event.call_id,
                at=at,
                direction="outgoing" if outgoing else "incoming",
            )
        if event.kind in ("incoming", "outgoing"):
            return None  # a repeated ring changes nothing
        now = at or to_iso(self._clock.now())
        try:
            if event.kind == "answered":
                return self._calls.move(call, "active", answered_at=now)
            if call.direction == "outgoing" and call.status == "ringing":
                # nobody picked up: the agent still wraps it up (no answer), never "missed"
                return self._calls.move(call, "wrap_up", ended_at=now)
            if event.kind == "missed" or (event.kind == "ended" and call.status == "ringing"):
                return self._calls.move(call, "missed", ended_at=now)
            if event.kind == "ended":
                return self._calls.move(call, "wrap_up", ended_at=now)
        except CallError:
            return None  # a late or duplicate event never moves a call backwards
        return None

    def _find_call(self, event: CallEvent) -> Call | None:
        """The call this event belongs to: by softphone id, else the newest open call from
        that number (hooks such as MicroSIP's do not pass an id)."""
        if event.call_id:
            return self._calls.find("softphone_call_id = ?", [event.call_id])
        number = national(event.number)
        if not number:
            return None
        return self._calls.find(
            "phone = ? AND status IN ('ringing', 'active') AND source != 'manual'", [number]
        )
