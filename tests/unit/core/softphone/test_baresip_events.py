from __future__ import annotations

import itertools
import json
import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.clock import FakeClock
from desktop.core.softphone.baresip_events import (
    MAX_TRACKED_CALLS,
    BaresipCallTracker,
    parse_message,
)

FUZZ = settings(max_examples=100, deadline=None)


def call_event(kind: str, call_id: str = "c1", **extra: Any) -> dict[str, Any]:
    """A ctrl_tcp call event as baresip 1.0.0 sends it."""
    return {
        "event": True,
        "class": "call",
        "type": kind,
        "accountaor": "sip:agent@127.0.0.1:5062",
        "direction": "incoming",
        "peeruri": "sip:+15550000001@127.0.0.1:5070",
        "peerdisplayname": "Alice Anders",
        "id": call_id,
        "param": "sip:+15550000001@127.0.0.1:5070",
        **extra,
    }


def make_tracker() -> BaresipCallTracker:
    counter = itertools.count(1)
    return BaresipCallTracker(FakeClock("2026-03-02T01:00:00Z"), new_id=lambda: f"e{next(counter)}")


def test_answered_call() -> None:
    tracker = make_tracker()
    events = [
        *tracker.handle(call_event("CALL_INCOMING")),
        *tracker.handle(call_event("CALL_REMOTE_SDP", **{"class": "other"})),
        *tracker.handle(call_event("CALL_ESTABLISHED")),
        *tracker.handle(call_event("CALL_CLOSED", param="Connection reset by peer")),
    ]
    assert [e.kind for e in events] == ["incoming", "answered", "ended"]
    first = events[0]
    assert (first.number, first.name, first.call_id, first.source) == (
        "+15550000001",
        "Alice Anders",
        "c1",
        "baresip",
    )
    assert first.at == "2026-03-02T01:00:00.000Z"
    assert [e.event_id for e in events] == ["e1", "e2", "e3"]
    assert events[2].reason == "Connection reset by peer"
    assert events[0].reason == ""  # CALL_INCOMING's param is the peer uri, not a reason
    assert tracker.open_calls() == []


def test_caller_hangs_up_while_ringing_is_missed() -> None:
    tracker = make_tracker()
    caller = {"peerdisplayname": "王五", "peeruri": "sip:0086-139-0013-9000@127.0.0.1:5071"}
    tracker.handle(call_event("CALL_INCOMING", **caller))
    (missed,) = tracker.handle(call_event("CALL_CLOSED", param="Request Terminated", **caller))
    assert (missed.kind, missed.number, missed.name, missed.reason) == (
        "missed",
        "13900139000",
        "王五",
        "Request Terminated",
    )


def test_auto_answer_synthesises_the_incoming_event() -> None:
    tracker = make_tracker()
    events = tracker.handle(call_event("CALL_ESTABLISHED"))
    assert [e.kind for e in events] == ["incoming", "answered"]
    assert events[0].at == events[1].at
    assert events[0].event_id != events[1].event_id
    assert [e.kind for e in tracker.handle(call_event("CALL_CLOSED"))] == ["ended"]


def test_close_of_a_call_never_seen_is_ended_not_missed() -> None:
    assert [e.kind for e in make_tracker().handle(call_event("CALL_CLOSED"))] == ["ended"]


def test_repeated_events_do_not_repeat_call_events() -> None:
    tracker = make_tracker()
    assert len(tracker.handle(call_event("CALL_INCOMING"))) == 1
    assert tracker.handle(call_event("CALL_INCOMING")) == []
    assert len(tracker.handle(call_event("CALL_ESTABLISHED"))) == 1
    assert tracker.handle(call_event("CALL_ESTABLISHED")) == []


def test_two_calls_interleaved() -> None:
    tracker = make_tracker()
    tracker.handle(call_event("CALL_INCOMING", "a"))
    tracker.handle(call_event("CALL_INCOMING", "b"))
    tracker.handle(call_event("CALL_ESTABLISHED", "b"))
    assert [(e.kind, e.call_id) for e in tracker.handle(call_event("CALL_CLOSED", "a"))] == [
        ("missed", "a")
    ]
    assert [(e.kind, e.call_id) for e in tracker.handle(call_event("CALL_CLOSED", "b"))] == [
        ("ended", "b")
    ]


@pytest.mark.parametrize(
    "message",
    [
        {"response": True, "ok": True, "data": "", "token": "t1"},
        call_event("CALL_RINGING"),
        call_event("CALL_LOCAL_SDP", **{"class": "other"}),
        call_event("CALL_INCOMING", direction="outgoing"),
        {"event": True, "class": "register", "type": "REGISTER_OK"},
        {},
    ],
)
def test_ignored_messages(message: dict[str, Any]) -> None:
    assert make_tracker().handle(message) == []


def test_call_event_without_id_is_ignored_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    message = call_event("CALL_INCOMING")
    del message["id"]
    with caplog.at_level(logging.WARNING):
        assert make_tracker().handle(message) == []
    assert "without a call id" in caplog.text


def test_missing_peer_fields_give_empty_strings() -> None:
    message = call_event("CALL_INCOMING", peerdisplayname=None)
    del message["peeruri"]
    (event,) = make_tracker().handle(message)
    assert (event.number, event.name) == ("", "")


def test_memory_is_bounded_when_closes_are_lost() -> None:
    tracker = make_tracker()
    for i in range(MAX_TRACKED_CALLS + 50):
        tracker.handle(call_event("CALL_INCOMING", f"c{i}"))
    assert len(tracker.open_calls()) == MAX_TRACKED_CALLS
    assert tracker.open_calls()[-1] == f"c{MAX_TRACKED_CALLS + 49}"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b'{"event": true}', {"event": True}),
        ('{"name": "张三"}'.encode(), {"name": "张三"}),
        (b"not json", None),
        (b"[1, 2]", None),
        (b"\xff\xfe{", None),
        (b"", None),
    ],
)
def test_parse_message(
    payload: bytes, expected: dict | None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert parse_message(payload) == expected
    assert ("ignoring" in caplog.text) == (expected is None)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
messages = st.fixed_dictionaries(
    {},
    optional={
        "event": st.sampled_from([True, False, 1]),
        "class": st.sampled_from(["call", "other", 3]),
        "type": st.sampled_from(
            [
                "CALL_INCOMING",
                "CALL_OUTGOING",
                "CALL_RINGING",
                "CALL_PROGRESS",
                "CALL_ESTABLISHED",
                "CALL_CLOSED",
                "X",
            ]
        ),
        "direction": st.sampled_from(["incoming", "outgoing", None]),
        "peeruri": json_values,
        "peerdisplayname": json_values,
        "id": st.sampled_from(["a", "b", "", None, 7]),
        "param": json_values,
    },
)


@FUZZ
@given(st.lists(messages, max_size=30))
def test_any_message_sequence_keeps_every_call_consistent(batch: list[dict[str, Any]]) -> None:
    """Per call: incoming (or, dialled by the agent, outgoing) first, answered at most once
    after it, missed only if an incoming call was never answered."""
    tracker = make_tracker()
    state: dict[str, str] = {}  # call id → "ringing" | "dialling" | "answered"
    logging.disable(logging.WARNING)
    try:
        events = [e for message in batch for e in tracker.handle(message)]
    finally:
        logging.disable(logging.NOTSET)
    for event in events:
        assert isinstance(event.number, str) and isinstance(event.name, str)
        current = state.get(event.call_id)
        if event.kind == "incoming":
            assert current is None
            state[event.call_id] = "ringing"
        elif event.kind == "outgoing":
            assert current is None and event.direction == "outgoing"
            state[event.call_id] = "dialling"
        elif event.kind == "answered":
            assert current in ("ringing", "dialling")
            state[event.call_id] = "answered"
        else:
            assert event.kind == ("missed" if current == "ringing" else "ended")
            state.pop(event.call_id, None)


@FUZZ
@given(json_values)
def test_parse_message_never_raises(value: Any) -> None:
    logging.disable(logging.WARNING)
    try:
        result = parse_message(json.dumps(value).encode())
    finally:
        logging.disable(logging.NOTSET)
    assert result == (value if isinstance(value, dict) else None)
