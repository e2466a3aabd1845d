from __future__ import annotations

from pathlib import Path

import pytest

from db import open_db
from desktop.core.call_events import CallEvent
from desktop.core.clock import FakeClock
from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.services.audit import AuditLog
from desktop.services.calls import CallError, CallService

PACK = load_pack(bundled_pack_dir())


@pytest.fixture
def calls(tmp_path: Path, clock: FakeClock) -> CallService:
    db = open_db(tmp_path / "c.sqlite3")
    yield CallService(db, clock, AuditLog(db, clock), lambda: PACK, agent=lambda: "1001")
    db.close()


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


def test_caller_history_marks_repeat_callers_and_open_complaints(calls: CallService) -> None:
    first = calls.start_call("13800138000", "张伟")
    calls.set_intent(first.id, "complaint")
    calls.save_notes(first.id, "快递延误")
    calls.wrap_up(first.id, "follow_up", skip_reason="x")
    second = calls.start_call("138 0013 8000")
    history = calls.caller_history(second.phone, second.id)
    assert history.customer_name == "张伟"
    assert history.repeat_caller and history.open_complaint
    assert [e.notes_preview for e in history.calls] == ["快递延误"]
    assert calls.caller_history("", "").calls == ()


def test_softphone_events_make_one_call_and_duplicates_are_ignored(calls: CallService) -> None:
    events = [
        CallEvent("incoming", "+8613800138000", "张伟", "sip-1", source="baresip", event_id="e1"),
        CallEvent("incoming", "+8613800138000", "张伟", "sip-1", source="baresip", event_id="e1"),
        CallEvent("answered", "+8613800138000", "", "sip-1", source="baresip", event_id="e2"),
        CallEvent("ended", "+8613800138000", "", "sip-1", source="baresip", event_id="e3"),
        CallEvent("answered", "+8613800138000", "", "sip-1", source="baresip", event_id="e4"),
    ]
    for event in events:
        calls.handle_event(event)
    (call,) = calls.open_calls()
    assert (call.status, call.phone, call.caller_name) == ("wrap_up", "13800138000", "张伟")


def test_ringing_call_that_ends_is_missed_and_auto_answer_creates_the_call(
    calls: CallService,
) -> None:
    calls.handle_event(CallEvent("incoming", "13912345678", call_id="a"))
    missed = calls.handle_event(CallEvent("ended", "13912345678", call_id="a"))
    assert missed is not None and missed.status == "missed"
    auto = calls.handle_event(CallEvent("answered", "13787654321", "李娜", call_id="b"))
    assert auto is not None and auto.status == "active" and auto.caller_name == "李娜"


def test_hook_events_without_call_id_match_by_number(calls: CallService) -> None:
    calls.handle_event(CallEvent("incoming", "13800138000", source="hook"))
    calls.handle_event(CallEvent("answered", "13800138000", source="hook"))
    calls.handle_event(CallEvent("ended", "13800138000", source="hook"))
    (call,) = calls.open_calls()
    assert call.status == "wrap_up"


def test_notes_are_capped_not_lost(calls: CallService) -> None:
    call = calls.start_call()
    assert calls.save_notes(call.id, "字" * 100_000)
    assert not calls.save_notes(call.id, "字" * 300_000)
    assert len(calls.get(call.id).notes) == 200_000


def test_favourites_per_agent(calls: CallService) -> None:
    script = PACK.scripts[0].id
    calls.set_favourite(script, True)
    assert calls.favourites() == [script]
    calls.set_favourite(script, False)
    assert calls.favourites() == []
