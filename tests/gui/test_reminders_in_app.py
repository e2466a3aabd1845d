"""Reminders through the whole app: wrap-up rules, a promised callback, call back now."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from desktop.app import App
from desktop.core.clock import parse_iso, to_iso


def _complaint_wrapped_up(app: App, qtbot, outcome: str) -> str:
    app.workspace.start_manual("13800138000", "")
    call_id = app.workspace.current.id
    app.workspace.choose_intent("complaint")
    for step in app.content.pack.steps("complaint"):
        app.workspace.tick(step.key, True)
    app.workspace.end()
    bar = app.window.view.wrap_up
    qtbot.mouseClick(bar._buttons[outcome], Qt.MouseButton.LeftButton)
    return call_id


def test_unresolved_complaint_gets_first_response_and_progress(app: App, qtbot, clock) -> None:
    call_id = _complaint_wrapped_up(app, qtbot, "follow_up")
    qtbot.keyClick(app.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    rows = {r["rule_key"]: r for r in app.db["reminders"].rows_where("call_id = ?", [call_id])}
    assert {rows[k]["kind"] for k in rows} >= {"first_response", "progress"}
    first = parse_iso(rows["complaint_first_response"]["due_at"]) - clock.now()
    assert timedelta(minutes=14) <= first <= timedelta(minutes=16)
    verify = parse_iso(rows["complaint_verify"]["due_at"]) - clock.now()  # 2-hour verification
    assert verify >= timedelta(minutes=119)
    assert app.reminder_panel.group_of(rows["complaint_first_response"]["id"]) is not None


def test_promised_callback_is_kept_as_promised_and_call_back_links_the_call(
    app: App, qtbot, clock
) -> None:
    call_id = _complaint_wrapped_up(app, qtbot, "follow_up")
    bar = app.window.view.wrap_up
    promised = clock.now() + timedelta(hours=20)  # 05:00 local: outside office hours
    bar.promise.setChecked(True)
    bar.set_promised_wall(app.calendar().to_wall(promised))
    qtbot.mouseClick(bar.complete, Qt.MouseButton.LeftButton)
    (callback,) = app.db["reminders"].rows_where("call_id = ? AND kind = 'callback'", [call_id])
    assert callback["due_at"] == to_iso(promised.replace(microsecond=0))
    app.reminder_panel.select_reminder(callback["id"])
    qtbot.mouseClick(app.reminder_panel.action_buttons["立即回电"], Qt.MouseButton.LeftButton)
    call = app.workspace.current
    assert call.id != call_id and call.reminder_id == callback["id"] and call.phone == "13800138000"
    assert call.source == "reminder"
    assert app.db["reminders"].get(callback["id"])["callback_call_id"] == call.id
