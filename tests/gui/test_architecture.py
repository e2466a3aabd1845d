"""The architecture step's promises, through the real app: one time policy under any
computer zone, no stale screens after a change elsewhere, a softphone event in ≤ 10 SQL
statements end to end, and a locked database that delays start-up work but never stops it."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from desktop.app import App
from desktop.core.call_events import CallEvent
from desktop.core.clock import parse_iso


@pytest.fixture(params=["UTC", "America/New_York"])
def computer_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The computer's own zone, set unlike the agent's (Asia/Shanghai in settings)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_a_callback_promised_for_15_00_is_15_00_everywhere(
    computer_zone: str, app: App, qtbot, clock
) -> None:
    """Computer on UTC or New York, agent on Asia/Shanghai: the script, the reminder list
    and the firing time all say 15:00 Shanghai time (07:00 UTC)."""
    assert app.settings.current.timezone == "Asia/Shanghai"
    app.workspace.start_manual("13800138000", "")
    app.workspace.choose_intent("inquiry")
    for step in app.content.pack.steps("inquiry"):
        app.workspace.tick(step.key, True)
    app.workspace.end()
    bar = app.window.view.wrap_up
    bar.promise.setChecked(True)
    bar.set_promised_wall(datetime(2026, 3, 2, 15, 0))  # what the agent types
    assert app.workspace.fill_values()["promised_time"] == "03月02日 15:00"
    qtbot.mouseClick(bar._buttons["follow_up"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.complete, Qt.MouseButton.LeftButton)
    (due,) = app.db.execute("SELECT due_at FROM reminders WHERE kind = 'callback'").fetchone()
    assert parse_iso(due) == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    texts = app.reminder_panel.model.rows_text(1)
    assert any("15:00" in t for t in texts), texts
    # tick times in the checklist: the clock says 01:00 UTC = 09:00 in Shanghai
    app.workspace.start_manual("13900139000", "")
    app.workspace.choose_intent("inquiry")
    first = app.content.pack.steps("inquiry")[0]
    app.workspace.tick(first.key, True)
    assert "✓ 09:00:00" in app.window.view.checklist.list_widget.item(0).text()
    history_texts = [
        app.window.view.history.list.item(i).text()
        for i in range(app.window.view.history.list.count())
    ]
    assert all("01:00" not in t for t in history_texts)
    clock.set("2026-03-02T07:00:00Z")
    app.scheduler.sync()
    assert (
        app.db.execute("SELECT status FROM reminders WHERE kind = 'callback'").fetchone()[0]
        == "fired"
    )


def test_the_history_banner_follows_a_reminder_marked_done(app: App, qtbot, clock) -> None:
    """A reminder done in the panel used to leave "待办提醒 1 条" on the caller's banner."""
    earlier = app.calls.start_call("13800138000", "张伟")
    app.calls.wrap_up(earlier.id, "resolved", skip_reason="测试")
    reminder = app.reminders.create_manual(
        earlier.id, "callback", clock.now() + timedelta(hours=1), note="回电确认"
    )
    app.workspace.start_manual("13800138000", "")
    banner = app.window.view.history.banner
    assert "待办提醒 1 条" in banner.text()
    app.reminders.done(reminder.id, "已回电")  # as the panel's 提醒已办 does
    qtbot.waitUntil(lambda: "待办提醒" not in banner.text(), timeout=2000)


def test_one_softphone_event_costs_at_most_ten_sql_statements(app: App, qtbot) -> None:
    statements: list[str] = []
    app.db.conn.set_trace_callback(statements.append)
    try:
        for kind in ("incoming", "answered", "ended"):
            statements.clear()
            event = CallEvent(kind, "13800138000", "张伟", "sip-9", source="baresip", event_id=kind)
            app.softphone.apply(event)
            qtbot.wait(30)  # whatever the change hub queued runs too
            # SQLite reports a statement again as each trigger it fires starts: count once
            run = [s for i, s in enumerate(statements) if i == 0 or s != statements[i - 1]]
            assert len(run) <= 10, (kind, run)
    finally:
        app.db.conn.set_trace_callback(None)
    assert app.workspace.current is not None and app.workspace.current.status == "wrap_up"


@pytest.mark.expect_log(logging.WARNING, r"start-up part .*: database is locked; trying again")
def test_a_locked_database_at_start_delays_background_work_but_never_stops_it(
    qtbot, data_dir, clock, segmenter, monkeypatch
) -> None:
    """Another program holds the write lock for a while as the app starts: the scheduler
    part retries with back-off, the other parts run meanwhile, all finish once it lets go."""
    import desktop.ui.startup as startup
    from desktop.app import build_app

    monkeypatch.setattr(startup, "RETRY_DELAYS_MS", (50, 100, 200, 400))
    monkeypatch.setattr(startup, "SLOW_RETRY_MS", 300)
    app = build_app(data_dir, clock)
    qtbot.addWidget(app.window)
    app.db.execute("PRAGMA busy_timeout = 0")
    app.reminders.create_manual(None, "callback", clock.now() + timedelta(minutes=1), phone="1")
    clock.advance(minutes=2)  # so the scheduler's first sync must write (fire it)
    other = sqlite3.connect(app.paths.db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        app.start_background()
        qtbot.waitUntil(lambda: app.startup.state("jieba") == "done", timeout=30_000)
        assert app.startup.state("scheduler") in ("waiting", "running")
        qtbot.waitUntil(lambda: "提醒" in app.window.status_background.text(), timeout=10_000)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert app.wait_background(30)
    assert app.startup.state("scheduler") == "done"
    assert app.window.status_background.text() == ""
    assert app.db.execute("SELECT status FROM reminders").fetchone()[0] == "fired"
    app.close()
