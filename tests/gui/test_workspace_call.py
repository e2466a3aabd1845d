"""An agent takes a complaint call from start to wrap-up, by keyboard and mouse."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop import paths
from desktop.app import App
from tests.helpers.typing import ime_type

COMPLAINT_STEPS = ["accept", "calm", "clarify", "solutions", "act", "thank"]


def _step_keys(app: App) -> list[str]:
    lw = app.window.view.checklist.list_widget
    return [lw.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lw.count())]


def test_full_complaint_call_is_saved(app: App, qtbot, clock) -> None:
    v = app.window.view
    qtbot.keyClick(app.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert v.new_call.isVisible()
    qtbot.keyClicks(v.new_call.number, "138 0013 8000")
    qtbot.keyClick(v.new_call.number, Qt.Key.Key_Return)
    call = app.workspace.current
    assert call is not None and call.phone == "13800138000" and call.status == "active"
    assert v.call_bar.number.text() == "138****8000"

    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    keys = _step_keys(app)
    assert keys[0] == "greeting" and keys[-1] == "close"
    assert [k for k in keys if k in COMPLAINT_STEPS] == COMPLAINT_STEPS

    lw = v.checklist.list_widget
    for key in ["greeting", *COMPLAINT_STEPS]:
        clock.advance(seconds=20)
        lw.setCurrentRow(keys.index(key))
        lw.setFocus()
        qtbot.keyClick(lw, Qt.Key.Key_Space)
    assert "7/8" in v.checklist.progress_text()

    items = v.scripts.script_items()
    assert items, "scripts shown for the complaint type"
    v.scripts.list_widget.setCurrentItem(items[0])
    v.scripts.list_widget.setFocus()
    qtbot.keyClick(v.scripts.list_widget, Qt.Key.Key_Return)
    copied = QGuiApplication.clipboard().text()
    assert copied and "{" not in copied

    qtbot.keyClick(app.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    ime_type(v.notes.editor, "客户投诉快递延误，已道歉并承诺今天回电。")
    qtbot.waitUntil(lambda: app.calls.get(call.id).notes.endswith("今天回电。"), timeout=2000)

    qtbot.keyClick(app.window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert app.calls.get(call.id).status == "wrap_up"
    # "close" is required and unticked: completing needs a reason
    qtbot.mouseClick(v.wrap_up._buttons["follow_up"], Qt.MouseButton.LeftButton)
    assert v.wrap_up.warning.isVisible() and not v.wrap_up.complete.isEnabled()
    ime_type(v.wrap_up.reason, "客户急着挂电话")
    qtbot.keyClick(app.window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    raw = sqlite3.connect(paths.DataDir.at(app.data_dir).db)
    row = raw.execute(
        "SELECT status, intent, outcome, skip_reason, notes, phone FROM calls WHERE id = ?",
        [call.id],
    ).fetchone()
    assert row == (
        "completed",
        "complaint",
        "follow_up",
        "客户急着挂电话",
        "客户投诉快递延误，已道歉并承诺今天回电。",
        "13800138000",
    )
    ticks = raw.execute(
        "SELECT step_key, ticked_at FROM checklist_ticks WHERE call_id = ? ORDER BY id", [call.id]
    ).fetchall()
    assert [t[0] for t in ticks] == ["greeting", *COMPLAINT_STEPS]
    assert ticks[0][1] < ticks[-1][1]
    assert (
        raw.execute("SELECT count(*) FROM script_uses WHERE call_id = ?", [call.id]).fetchone()[0]
        == 1
    )
    raw.close()


def test_f_keys_choose_intent_and_intent_history_is_kept(app: App, qtbot) -> None:
    qtbot.keyClick(app.window, Qt.Key.Key_F1)  # no call yet: a manual call starts
    call = app.workspace.current
    assert call is not None and app.calls.get(call.id).intent == "inquiry"
    qtbot.keyClick(app.window, Qt.Key.Key_F2)
    assert [i for i, _ in app.calls.intent_history(call.id)] == ["inquiry", "complaint"]
    assert app.window.view.intent_bar.button("complaint").isChecked()


def test_untick_keeps_audit_trail(app: App, qtbot) -> None:
    qtbot.keyClick(app.window, Qt.Key.Key_F1)
    call = app.workspace.current
    lw = app.window.view.checklist.list_widget
    lw.setCurrentRow(0)
    lw.setFocus()
    qtbot.keyClick(lw, Qt.Key.Key_Space)
    lw.setCurrentRow(0)
    qtbot.keyClick(lw, Qt.Key.Key_Space)  # Space never unticks
    assert set(app.calls.ticked_steps(call.id)) == {lw.item(0).data(Qt.ItemDataRole.UserRole)}
    qtbot.keyClick(lw, Qt.Key.Key_Delete)  # Delete does, visibly
    assert app.calls.ticked_steps(call.id) == {}
    actions = [r["action"] for r in app.audit.for_entity("call", call.id)]
    assert actions.count("checklist.tick") == 1 and actions.count("checklist.untick") == 1


def test_new_call_while_one_is_active_keeps_both(app: App, qtbot) -> None:
    v = app.window.view
    app.workspace.start_manual("13912345678", "")
    first = app.workspace.current
    qtbot.keyClick(app.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert v.new_call.keep_both.isVisible()
    qtbot.keyClicks(v.new_call.number, "13787654321")
    qtbot.mouseClick(v.new_call.keep_both, Qt.MouseButton.LeftButton)
    second = app.workspace.current
    assert second.id != first.id
    assert app.calls.get(first.id).status == "active"
    assert {c.id for c in app.calls.open_calls()} == {first.id, second.id}
    assert v.call_bar.open_calls.isVisibleTo(app.window)


def test_garbage_number_and_huge_notes_keep_working(app: App, qtbot) -> None:
    app.workspace.start_manual("!!!??", "")
    call = app.workspace.current
    assert call.phone == ""
    assert "无法识别" in app.window.statusBar().currentMessage()
    v = app.window.view
    v.notes.editor.setPlainText("投诉" * 50_000)
    v.notes.flush()
    assert len(app.calls.get(call.id).notes) == 100_000


def test_open_call_and_notes_are_restored_after_restart(qtbot, data_dir, clock) -> None:
    from desktop.app import build_app

    first = build_app(data_dir, clock)
    qtbot.addWidget(first.window)
    first.workspace.start_manual("13800138000", "")
    call_id = first.workspace.current.id
    first.window.view.notes.editor.setPlainText("还没说完的记录")
    first.window.view.notes.flush()
    first.softphone.stop()  # as if the process died: the OS drops its socket,
    first._closed = True  # nothing of it runs any more,
    first.db.close()  # and nothing is closed in order
    second = build_app(data_dir, clock)
    qtbot.addWidget(second.window)
    assert second.workspace.current.id == call_id
    assert second.window.view.notes.editor.toPlainText() == "还没说完的记录"
    second.close()


def test_history_entry_opens_the_past_call_only_between_calls(app: App, qtbot) -> None:
    past = app.calls.start_call("13800138000", "张伟")
    app.calls.save_notes(past.id, "上次报修的路由器")
    app.calls.wrap_up(past.id, "resolved")
    app.workspace.start_manual("13800138000", "")
    live = app.workspace.current
    history = app.window.view.history
    item = history.list.item(0)
    history.list.itemActivated.emit(item)
    assert app.workspace.current.id == live.id
    assert "上次报修的路由器" in app.window.statusBar().currentMessage()
    app.workspace.end()
    history.list.itemActivated.emit(history.list.item(0))
    assert app.workspace.current.id == past.id
