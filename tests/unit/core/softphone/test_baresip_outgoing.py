"""Outgoing calls from baresip (the agent's callbacks): outgoing → answered → ended."""

from __future__ import annotations

from datetime import UTC, datetime

from desktop.core.clock import FakeClock
from desktop.core.softphone.baresip_events import BaresipCallTracker


def _msg(kind: str, call_id: str = "o1") -> dict:
    return {
        "event": True,
        "class": "call",
        "type": kind,
        "direction": "outgoing",
        "id": call_id,
        "peeruri": "sip:13800138000@pbx",
    }


def test_outgoing_call_sequence_carries_direction() -> None:
    tracker = BaresipCallTracker(FakeClock(datetime(2026, 3, 2, tzinfo=UTC)))
    events = [
        e
        for kind in ("CALL_OUTGOING", "CALL_RINGING", "CALL_ESTABLISHED", "CALL_CLOSED")
        for e in tracker.handle(_msg(kind))
    ]
    assert [e.kind for e in events] == ["outgoing", "answered", "ended"]
    assert {e.direction for e in events} == {"outgoing"}
    assert events[0].number == "13800138000"


def test_outgoing_close_unseen_is_ignored_and_incoming_unchanged() -> None:
    tracker = BaresipCallTracker(FakeClock(datetime(2026, 3, 2, tzinfo=UTC)))
    assert tracker.handle(_msg("CALL_CLOSED", "never")) == []
    ring = dict(_msg("CALL_INCOMING", "i1"), direction="incoming")
    (event,) = tracker.handle(ring)
    assert event.kind == "incoming" and event.direction == "incoming"
