from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db import open_db
from desktop.core.call_events import CallEvent
from desktop.core.clock import FakeClock
from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.services.audit import AuditLog
from desktop.services.call_screen import CallScreenReader
from desktop.services.calls import CallError, CallService
from desktop.services.script_usage import ScriptUsage
from desktop.services.softphone.events import SoftphoneEvents

PACK = load_pack(bundled_pack_dir())


@pytest.fixture
def db(tmp_path: Path):
    database = open_db(tmp_path / "c.sqlite3")
    yield database
    database.close()


@pytest.fixture
def calls(db, clock: FakeClock) -> CallService:
    return CallService(db, clock, AuditLog(db, clock), lambda: PACK, agent=lambda: "1001")


@pytest.fixture
def events(db, calls: CallService, clock: FakeClock) -> SoftphoneEvents:
    return SoftphoneEvents(db, calls, clock)


def test_lifecycle_ringing_active_wrap_up_completed(calls: CallService, clock: FakeClock) -> None:
    call = calls.start_call("+86 138-0013-8000", "张伟", ringing=True, source="hook")
    assert (call.status, call.phone, call.answered_at) == ("ringing", "13800138000", None)
    clock.advance(5)
    call = calls.answer(call.id)
    assert call.status == "active" and call.answered_at == "2026-03-02T01:00:05.000Z"
    calls.set_intent(call.id, "inquiry")
    for step in PACK.steps("inquiry"):
        calls.tick(call.id, step.key)
    clock.advance(60)
    call = calls.end(call.id)
    assert call.status == "wrap_up" and call.ended_at == "2026-03-02T01:01:05.000Z"
    call = calls.wrap_up(call.id, "resolved")
    assert call.status == "completed" and call.outcome == "resolved" and call.skip_reason is None


def test_wrap_up_with_missing_required_step_needs_a_reason(calls: CallService) -> None:
    call = calls.start_call("13800138000")
    calls.set_intent(call.id, "complaint")
    calls.tick(call.id, "greeting")
    with pytest.raises(CallError, match="原因"):
        calls.wrap_up(call.id, "follow_up")
    done = calls.wrap_up(call.id, "follow_up", skip_reason="客户挂断")
    assert done.skip_reason == "客户挂断" and done.status == "completed"


def test_finished_call_never_moves_backwards(calls: CallService) -> None:
    call = calls.start_call("13800138000")
    calls.wrap_up(call.id, "resolved", skip_reason="x")
    with pytest.raises(CallError):
        calls.answer(call.id)


def test_unknown_intent_and_outcome_are_refused(calls: CallService) -> None:
    call = calls.start_call()
    with pytest.raises(CallError, match="来电类型"):
        calls.set_intent(call.id, "teleport")
    with pytest.raises(CallError, match="处理结果"):
        calls.wrap_up(call.id, "whatever")


def test_caller_history_marks_repeat_callers_and_open_complaints(db, calls: CallService) -> None:
    screen = CallScreenReader(db, calls, lambda: PACK)
    first = calls.start_call("13800138000", "张伟")
    calls.set_intent(first.id, "complaint")
    calls.save_notes(first.id, "快递延误")
    calls.wrap_up(first.id, "follow_up", skip_reason="x")
    second = calls.start_call("138 0013 8000")
    history = screen.caller_history(second.phone, second.id)
    assert history.customer_name == "张伟"
    assert history.repeat_caller and history.open_complaint
    assert [e.notes_preview for e in history.calls] == ["快递延误"]
    assert screen.caller_history("", "").calls == ()


def test_softphone_events_make_one_call_and_duplicates_are_ignored(
    calls: CallService, events: SoftphoneEvents
) -> None:
    sequence = [
        CallEvent("incoming", "+8613800138000", "张伟", "sip-1", source="baresip", event_id="e1"),
        CallEvent("incoming", "+8613800138000", "张伟", "sip-1", source="baresip", event_id="e1"),
        CallEvent("answered", "+8613800138000", "", "sip-1", source="baresip", event_id="e2"),
        CallEvent("ended", "+8613800138000", "", "sip-1", source="baresip", event_id="e3"),
        CallEvent("answered", "+8613800138000", "", "sip-1", source="baresip", event_id="e4"),
    ]
    for event in sequence:
        events.handle_event(event)
    (call,) = calls.open_calls()
    assert (call.status, call.phone, call.caller_name) == ("wrap_up", "13800138000", "张伟")


def test_ringing_call_that_ends_is_missed_and_auto_answer_creates_the_call(
    events: SoftphoneEvents,
) -> None:
    events.handle_event(CallEvent("incoming", "13912345678", call_id="a"))
    missed = events.handle_event(CallEvent("ended", "13912345678", call_id="a"))
    assert missed is not None and missed.status == "missed"
    auto = events.handle_event(CallEvent("answered", "13787654321", "李娜", call_id="b"))
    assert auto is not None and auto.status == "active" and auto.caller_name == "李娜"


def test_hook_events_without_call_id_match_by_number(
    calls: CallService, events: SoftphoneEvents
) -> None:
    events.handle_event(CallEvent("incoming", "13800138000", source="hook"))
    events.handle_event(CallEvent("answered", "13800138000", source="hook"))
    events.handle_event(CallEvent("ended", "13800138000", source="hook"))
    (call,) = calls.open_calls()
    assert call.status == "wrap_up"


def test_notes_are_capped_not_lost(calls: CallService) -> None:
    call = calls.start_call()
    assert calls.save_notes(call.id, "字" * 100_000)
    assert not calls.save_notes(call.id, "字" * 300_000)
    assert len(calls.get(call.id).notes) == 200_000


def test_favourites_per_agent(db, clock: FakeClock) -> None:
    agent = ["1001"]
    usage = ScriptUsage(db, clock, lambda: agent[0])
    script = PACK.scripts[0].id
    usage.set_favourite(script, True)
    usage.set_favourite(script, True)  # pinning twice keeps one row
    assert usage.favourites() == [script]
    agent[0] = "1002"
    assert usage.favourites() == []
    agent[0] = "1001"
    usage.set_favourite(script, False)
    assert usage.favourites() == []


def test_every_write_is_one_transaction_with_its_audit_row(db, calls: CallService) -> None:
    """Priority and status changes used to write without a transaction: each write path now
    commits its row and its audit row together (a failing audit insert rolls back both)."""
    call = calls.start_call("13800138000")
    db.execute(
        "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END"
    )
    for write in (
        lambda: calls.set_priority(call.id, "urgent"),
        lambda: calls.set_intent(call.id, "inquiry"),
        lambda: calls.tick(call.id, "greeting"),
        lambda: calls.end(call.id),
    ):
        with pytest.raises(sqlite3.IntegrityError):
            write()
    stored = calls.get(call.id)
    assert (stored.priority, stored.intent, stored.status) == ("normal", None, "active")
    assert calls.ticked_steps(call.id) == {}


def test_the_audit_actor_is_read_live(db, clock: FakeClock) -> None:
    agent = ["1001"]
    audit = AuditLog(db, clock, actor=lambda: agent[0])
    service = CallService(db, clock, audit, lambda: PACK, agent=lambda: agent[0])
    first = service.start_call()
    agent[0] = "2002"
    second = service.start_call()
    actors = [
        a["actor"] for a in audit.for_entity("call", first.id) + audit.for_entity("call", second.id)
    ]
    assert actors == ["1001", "2002"]
    assert [service.get(c.id) for c in (first, second)] and db.execute(
        "SELECT agent FROM calls ORDER BY rowid"
    ).fetchall() == [("1001",), ("2002",)]


def test_a_failed_call_insert_leaves_the_event_unhandled(db, events: SoftphoneEvents) -> None:
    """The seen-row and the call commit together: a replay after a failure applies it."""
    db.execute("CREATE TRIGGER no_calls BEFORE INSERT ON calls BEGIN SELECT RAISE(ABORT, 'x'); END")
    event = CallEvent("incoming", "13800138000", call_id="s1", source="baresip", event_id="e1")
    with pytest.raises(sqlite3.IntegrityError):
        events.handle_event(event)
    db.execute("DROP TRIGGER no_calls")
    call = events.handle_event(event)
    assert call is not None and call.status == "ringing"
    assert events.handle_event(event) is None  # now it is handled, once
