"""The softphone bridge against faults: an event whose insert fails once is retried; one
that fails every time is set aside (kept, logged, shown once) and the events behind it are
recorded; a locked database is waited out; a burst is applied in batches."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from datetime import timedelta

import pytest

from desktop.app import App
from desktop.core.call_events import CallEvent
from desktop.services.softphone.spool import EventSpool
from desktop.ui import softphone_bridge


class FailingInserts:
    """A real SQLite failure: a trigger on `calls` calls this, which raises `times` times."""

    def __init__(self, app: App, times: int) -> None:
        self.left = times
        app.db.conn.create_function("fail_insert", 0, self)
        app.db.execute(
            "CREATE TEMP TRIGGER fail_call_insert BEFORE INSERT ON calls "
            "BEGIN SELECT fail_insert(); END"
        )

    def __call__(self) -> int:
        if self.left > 0:
            self.left -= 1
            raise RuntimeError("simulated failure")
        return 0


def phones(app: App) -> list[str]:
    return [r[0] for r in app.db.execute("SELECT phone FROM calls ORDER BY started_at")]


def spool_event(app: App, number: str, event_id: str) -> None:
    EventSpool.in_dir(app.data_dir).append(
        CallEvent("incoming", number, source="hook", event_id=event_id)
    )


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(softphone_bridge, "RETRY_FIRST_MS", 10)
    monkeypatch.setattr(softphone_bridge, "RETRY_MAX_MS", 40)


def test_an_event_whose_insert_fails_once_is_retried(
    app: App, qtbot, fast_retries: None, caplog: pytest.LogCaptureFixture
) -> None:
    FailingInserts(app, times=1)
    spool_event(app, "13800138000", "e1")
    with caplog.at_level(logging.WARNING):
        app.softphone._schedule()
        qtbot.waitUntil(lambda: phones(app) == ["13800138000"], timeout=3000)
    assert "try 1" in caplog.text
    assert not EventSpool.in_dir(app.data_dir).set_aside_path.exists()
    assert not EventSpool.in_dir(app.data_dir).has_pending()


def test_an_event_that_always_fails_is_set_aside_and_the_next_is_recorded(
    app: App, qtbot, fast_retries: None, caplog: pytest.LogCaptureFixture
) -> None:
    failing = FailingInserts(app, times=10**6)
    shown: list[str] = []
    app.softphone.problem.connect(shown.append)
    spool_event(app, "13800138000", "bad")
    spool_event(app, "13900139000", "good")
    original = app.softphone._events.handle_event

    def handle(event: CallEvent):
        failing.left = 10**6 if event.event_id == "bad" else 0
        return original(event)

    app.softphone._events.handle_event = handle  # the trigger fails only the first event
    with caplog.at_level(logging.WARNING):
        app.softphone._schedule()
        qtbot.waitUntil(lambda: phones(app) == ["13900139000"], timeout=5000)
    kept = EventSpool.in_dir(app.data_dir).set_aside_path.read_text(encoding="utf-8")
    [record] = [json.loads(line) for line in kept.splitlines()]
    assert record["event_id"] == "bad" and "raised exception" in record["set_aside_because"]
    assert len(shown) == 1 and "13800138000" in shown[0] and "无法记录" in shown[0]
    assert "set aside a softphone event (incoming)" in caplog.text
    assert not EventSpool.in_dir(app.data_dir).has_pending()
    qtbot.wait(100)
    assert len(shown) == 1  # shown once, not on every poll


def test_a_locked_database_is_waited_out(
    app: App, qtbot, fast_retries: None, caplog: pytest.LogCaptureFixture
) -> None:
    app.db.execute("PRAGMA busy_timeout = 20")  # the GUI thread must not wait seconds here
    other = sqlite3.connect(app.data_dir / "callassist.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    spool_event(app, "13800138000", "e1")
    with caplog.at_level(logging.WARNING):
        app.softphone._schedule()
        qtbot.waitUntil(lambda: "locked" in caplog.text, timeout=3000)
        other.execute("COMMIT")
        other.close()
        qtbot.waitUntil(lambda: phones(app) == ["13800138000"], timeout=5000)
    assert not EventSpool.in_dir(app.data_dir).set_aside_path.exists()


def test_a_burst_is_applied_in_batches_within_the_budget(app: App, qtbot) -> None:
    spool = EventSpool.in_dir(app.data_dir)
    for n in range(300):
        spool.append(CallEvent("incoming", f"1380013{n:04d}", call_id=f"c{n}", event_id=f"b{n}"))
    batches: list[float] = []
    process = app.softphone._process

    def timed() -> None:
        started = time.perf_counter()
        process()
        batches.append(time.perf_counter() - started)

    app.softphone._batch.timeout.disconnect()
    app.softphone._batch.timeout.connect(timed)
    app.softphone._schedule()
    qtbot.waitUntil(
        lambda: not spool.has_pending() and not app.softphone._batch.isActive(), timeout=30_000
    )
    assert len(phones(app)) == 300
    assert len(batches) > 1  # the event loop ran between batches
    print(f"\n{len(batches)} batches, longest {max(batches) * 1000:.1f} ms")


def test_baresip_events_are_queued_and_applied_in_order(app: App, qtbot) -> None:
    for n in range(50):
        app.softphone._from_thread.emit(
            CallEvent(
                "incoming", f"1390013{n:04d}", call_id=f"q{n}", source="baresip", event_id=f"q{n}"
            )
        )
    qtbot.waitUntil(lambda: len(phones(app)) == 50, timeout=10_000)
    assert phones(app) == [f"1390013{n:04d}" for n in range(50)]


def test_a_ringing_call_whose_hang_up_was_lost_becomes_missed(app: App, qtbot, clock) -> None:
    app.softphone.apply(CallEvent("incoming", "13800138000", call_id="z", event_id="z1"))
    assert app.workspace.current.status == "ringing"
    clock.advance((softphone_bridge.RINGING_TIMEOUT + timedelta(seconds=1)).total_seconds())
    [closed] = app.softphone.close_stale_ringing()
    assert closed.status == "missed" and "自动记为未接" in closed.notes
    assert app.workspace.current is None or app.workspace.current.status != "ringing"


@pytest.mark.expect_log(logging.WARNING, r"was empty \(0 bytes\)", logger="db")
@pytest.mark.expect_log(logging.WARNING, r"数据库文件是空的", logger="desktop.app")
def test_a_zero_byte_database_is_announced(qtbot, data_dir, clock) -> None:
    from desktop.app import build_app

    (data_dir / "callassist.sqlite3").write_bytes(b"")
    app = build_app(data_dir, clock)
    qtbot.addWidget(app.window)
    try:
        assert "0 字节" in app.window.statusBar().currentMessage()
        assert list((data_dir / "backups").glob("callassist-empty-*"))
    finally:
        app.close()
