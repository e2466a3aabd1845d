"""Softphone events against faults: a call insert that fails, names that are not UTF-8,
numbers and names of absurd length, a ringing call whose hang-up never came."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from db import open_db
from desktop.core.call_events import MAX_NAME, MAX_NUMBER, CallEvent, repair_text
from desktop.core.clock import FakeClock, to_iso
from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.services.audit import AuditLog
from desktop.services.calls import CallService
from desktop.services.softphone.events import SoftphoneEvents

PACK = load_pack(bundled_pack_dir())


class FailingInserts:
    """A real SQLite failure: a trigger on `calls` calls this, which raises `times` times."""

    def __init__(self, db, times: int) -> None:
        self.left = times
        db.conn.create_function("fail_insert", 0, self)
        db.execute(
            "CREATE TEMP TRIGGER fail_call_insert BEFORE INSERT ON calls "
            "BEGIN SELECT fail_insert(); END"
        )

    def __call__(self) -> int:
        if self.left > 0:
            self.left -= 1
            raise RuntimeError("simulated failure")
        return 0


@pytest.fixture
def db(tmp_path: Path) -> Iterator:
    database = open_db(tmp_path / "c.sqlite3")
    yield database
    database.close()


@pytest.fixture
def calls(db, clock: FakeClock) -> CallService:
    return CallService(db, clock, AuditLog(db, clock), lambda: PACK, agent=lambda: "1001")


@pytest.fixture
def events(db, calls: CallService, clock: FakeClock) -> SoftphoneEvents:
    return SoftphoneEvents(db, calls, clock)


def seen(db, event_id: str) -> bool:
    return bool(
        db.execute("SELECT 1 FROM softphone_events WHERE event_id = ?", [event_id]).fetchone()
    )


def test_a_failed_call_insert_leaves_the_event_unseen_so_the_replay_records_it(
    events: SoftphoneEvents, db
) -> None:
    FailingInserts(db, times=1)
    event = CallEvent("incoming", "13800138000", "张伟", source="hook", event_id="e1")
    with pytest.raises(sqlite3.OperationalError):
        events.handle_event(event)
    assert not seen(db, "e1")  # before: marked seen in its own transaction, call lost
    assert db.execute("SELECT count(*) FROM calls").fetchone()[0] == 0
    call = events.handle_event(event)  # the replay
    assert call is not None and call.phone == "13800138000" and seen(db, "e1")
    assert events.handle_event(event) is None  # and only once


def test_gbk_name_from_argv_is_decoded() -> None:
    """What Python makes of GBK bytes in argv on a UTF-8 Linux (surrogateescape)."""
    argv_name = "王五".encode("gbk").decode("utf-8", "surrogateescape")
    assert repair_text(argv_name) == "王五"
    utf8 = "李四".encode().decode("utf-8", "surrogateescape")
    assert repair_text(utf8) == "李四"
    assert repair_text("\udcff\udcfe") == "\ufffd\ufffd"  # neither UTF-8 nor GB18030


def test_lone_surrogates_from_baresip_json_are_replaced_and_the_call_recorded(
    events: SoftphoneEvents,
) -> None:
    event = CallEvent("incoming", "13800138000", "张\ud800三", call_id="c\udcc1", event_id="e2")
    call = events.handle_event(event)
    assert call is not None
    assert call.caller_name == "张\ufffd三"
    assert call.softphone_call_id == "c\ufffd"
    call.caller_name.encode("utf-8")  # storable, displayable


def test_numbers_and_names_are_capped(events: SoftphoneEvents) -> None:
    event = CallEvent("incoming", "1" * 30_000, "名" * 5_000, source="baresip", event_id="e3")
    call = events.handle_event(event)
    assert call is not None
    assert len(call.phone) <= MAX_NUMBER and len(call.caller_name) <= MAX_NAME


def test_a_ringing_call_with_no_news_is_closed_as_missed_with_a_note(
    calls: CallService, events: SoftphoneEvents, clock: FakeClock
) -> None:
    old = events.handle_event(CallEvent("incoming", "13800138000", call_id="a", event_id="x1"))
    clock.advance(9 * 60)
    fresh = events.handle_event(CallEvent("incoming", "13900139000", call_id="b", event_id="x2"))
    manual = calls.start_call("13700137000", ringing=True)  # the agent's own: never closed
    clock.advance(2 * 60)
    cutoff = to_iso(clock.now() - timedelta(minutes=10))
    closed = events.close_stale_ringing(cutoff, "【系统】自动记为未接")
    assert [c.id for c in closed] == [old.id]
    assert calls.get(old.id).status == "missed" and "自动记为未接" in calls.get(old.id).notes
    assert calls.get(fresh.id).status == "ringing" and calls.get(manual.id).status == "ringing"
    assert events.close_stale_ringing(cutoff, "x") == []
