"""Issue 13, the points the first tests left thin: every call key from every one-line field,
a checklist longer than nine steps, Esc's order, the ring's flash and tray message, the
unfilled-variable warning, 立即回电 dialled through baresip and linked to its reminder, the
通话 menu and --help, the first-run set-up at start and the storage dialog."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton

from desktop import paths
from desktop.app import App, build_app
from desktop.core.call_events import CallEvent
from desktop.core.softphone.netstring import encode_netstring
from desktop.ui.first_run import FirstRunDialog
from desktop.ui.qt_translation import install_qt_translation
from desktop.ui.workspace.wrap_up_bar import OUTCOME_KEYS
from tests.helpers.ctrl_tcp import FakeCtrlTcp
from tests.helpers.notifier import RecordingNotifier

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _fields(app: App) -> list[QLineEdit]:
    fields = [f for f in app.window.findChildren(QLineEdit) if f.isVisible() and f.isEnabled()]
    return [f for f in fields if not f.isReadOnly()]


def test_every_call_key_works_from_every_one_line_field(app: App, qtbot) -> None:
    """Answer, intent, tick, outcome, hang up and complete, each pressed with the caret in
    the field: the field never swallows the key."""
    fields = _fields(app)
    assert {"搜索话术"} <= {f.accessibleName() for f in fields} and len(fields) >= 2
    for n, field in enumerate(fields):
        app.softphone.apply(CallEvent("incoming", "13800138000", "张三", f"k{n}", source="hook"))
        call = app.workspace.current
        assert call.status == "ringing"

        before = field.text()

        def press(
            key: Qt.Key,
            mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
            field: QLineEdit = field,
        ) -> None:
            field.setFocus()
            qtbot.keyClick(field, key, mods)

        press(Qt.Key.Key_A, CTRL | SHIFT)
        assert app.calls.get(call.id).status == "active", field.accessibleName()
        press(Qt.Key.Key_F1)
        assert app.calls.get(call.id).intent == "inquiry", field.accessibleName()
        for _step in app.content.pack.steps("inquiry"):
            press(Qt.Key.Key_T, CTRL)
        assert len(app.calls.ticked_steps(call.id)) == len(app.content.pack.steps("inquiry"))
        press(Qt.Key.Key_F1, SHIFT)
        assert app.window.view.wrap_up.selected_outcome() == "resolved", field.accessibleName()
        press(Qt.Key.Key_E, CTRL)
        assert app.calls.get(call.id).status == "wrap_up", field.accessibleName()
        press(Qt.Key.Key_Return, CTRL)
        assert app.calls.get(call.id).status == "completed", field.accessibleName()
        assert field.text() == before  # the keys acted on the call, none went into the field
    fields[0].setFocus()
    qtbot.keyClick(fields[0], Qt.Key.Key_N, CTRL)
    assert app.window.view.new_call.isVisible()


def test_every_outcome_key_picks_its_outcome_and_focus_is_drawn(app: App, qtbot) -> None:
    qtbot.keyClick(app.window, Qt.Key.Key_F1)
    bar = app.window.view.wrap_up
    for n, outcome in enumerate(OUTCOME_KEYS):
        qtbot.keyClick(app.window, getattr(Qt.Key, f"Key_F{n + 1}"), SHIFT)
        assert bar.selected_outcome() == outcome
        assert bar.outcome_button(outcome).isChecked()
    assert ":focus" in bar.styleSheet()  # a visible focus frame as Tab walks the bar


def _long_checklist(app: App) -> int:
    """The lead's pack gives 咨询 a checklist of twelve steps; it is reloaded."""
    target = app.data_dir / "content" / "zh_CN"
    shutil.copytree(paths.content_pack_dir(), target)
    checklists = target / "checklists.toml"
    text = checklists.read_text(encoding="utf-8")
    extra = "".join(
        f'\n[[checklist.inquiry]]\nkey = "extra_{i}"\nlabel = "补充步骤{i}"\n'
        f'required = false\nhint = "提示{i}"\n'
        for i in range(1, 6)
    )
    start = text.index("[[checklist.inquiry]]")
    nxt = text.find("\n[[checklist.", start + 1)
    while nxt != -1 and text.startswith("\n[[checklist.inquiry]]", nxt):
        last = nxt
        nxt = text.find("\n[[checklist.", nxt + 1)
    text = text[:last] + extra + text[last:]  # before the last step ("close")
    checklists.write_text(text, encoding="utf-8")
    assert app.content.reload() == []
    steps = len(app.content.pack.steps("inquiry"))
    assert steps >= 10
    return steps


def test_a_twelve_step_checklist_is_finished_from_the_keyboard(app: App, qtbot) -> None:
    steps = _long_checklist(app)
    qtbot.keyClick(app.window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: app.window.view.checklist.list_widget.count() == steps, timeout=3000)
    lw = app.window.view.checklist.list_widget
    lw.setFocus()
    qtbot.keyClick(lw, Qt.Key.Key_Down)
    qtbot.keyClick(lw, Qt.Key.Key_Down)  # the cursor is on step 3: the scripts follow it
    third = lw.currentItem().data(Qt.ItemDataRole.UserRole)
    header = app.window.view.scripts.list_widget.item(0).text()
    label = next(s.label for s in app.content.pack.steps("inquiry") if s.key == third)
    assert label in header
    qtbot.keyClick(lw, Qt.Key.Key_Space)
    ticked = app.calls.ticked_steps(app.workspace.current.id)
    assert list(ticked) == [third]  # the step the scripts follow, nothing else
    for _ in range(steps + 3):  # more presses than steps: none is ever unticked
        qtbot.keyClick(lw, Qt.Key.Key_Space)
    assert len(app.calls.ticked_steps(app.workspace.current.id)) == steps


def test_esc_clears_the_search_first_then_closes_the_new_call_bar(app: App, qtbot) -> None:
    v = app.window.view
    qtbot.keyClick(app.window, Qt.Key.Key_N, CTRL)
    assert v.new_call.isVisible()
    v.scripts.search.setText("退款")
    v.scripts.search.setFocus()
    qtbot.keyClick(v.scripts.search, Qt.Key.Key_Escape)
    assert v.scripts.search.text() == "" and v.new_call.isVisible()
    qtbot.keyClick(v.scripts.search, Qt.Key.Key_Escape)
    assert not v.new_call.isVisible()


def test_a_ring_flashes_the_taskbar_and_tells_the_tray(app: App, qtbot, monkeypatch) -> None:
    flashed: list[object] = []
    monkeypatch.setattr(QApplication, "alert", lambda widget, ms=0: flashed.append(widget))
    tray = RecordingNotifier()
    app.desk.notifier = tray
    app.softphone.apply(CallEvent("incoming", "13800138000", "张三", "t1", source="hook"))
    assert flashed == [app.window]
    [(title, message)] = tray.messages
    assert "来电" in title and message == "张三 138****8000"
    assert app.desk.notice.isVisible()
    app.softphone.apply(CallEvent("ended", "13800138000", "张三", "t1", source="hook"))
    assert not app.desk.notice.isVisible()  # the caller gave up: the notice goes


def test_a_script_with_an_unfilled_variable_is_not_copied_silently(app: App, qtbot) -> None:
    app.settings.update(agent_name="")
    qtbot.keyClick(app.window, Qt.Key.Key_F1)
    scripts = app.window.view.scripts
    item = next(
        i for i in scripts.script_items() if "【坐席姓名】" in i.data(Qt.ItemDataRole.UserRole + 1)
    )
    scripts.list_widget.setCurrentItem(item)
    scripts.list_widget.setFocus()
    qtbot.keyClick(scripts.list_widget, Qt.Key.Key_Return)
    note = app.window.view.inline_note
    assert note.isVisible() and "【坐席姓名】" in note.text() and "未填写" in note.text()


@pytest.fixture
def baresip_app(qtbot, data_dir: Path, clock, segmenter) -> Iterator[tuple[App, FakeCtrlTcp]]:
    server = FakeCtrlTcp()
    (data_dir / "cache").mkdir()
    shutil.copy(segmenter.cache_file, data_dir / "cache" / segmenter.cache_file.name)
    built = build_app(data_dir, clock, baresip=f"127.0.0.1:{server.port}")
    built.start_background()
    qtbot.addWidget(built.window)
    built.window.show()
    yield built, server
    built.close()
    server.close()


def test_call_back_now_dials_through_baresip_and_links_the_call(baresip_app, qtbot, clock):
    app, server = baresip_app
    server.wait_connected()
    qtbot.waitUntil(lambda: app.desk.softphone_connected, timeout=5000)
    reminder = app.reminders.create_manual(
        None, "callback", clock.now() + timedelta(minutes=5), phone="13800138000"
    )
    app.reminder_panel.call_back_requested.emit(reminder.id)
    qtbot.waitUntil(lambda: bool(server.commands()), timeout=5000)
    assert server.commands()[0]["command"] == "dial"
    assert server.commands()[0]["params"] == "13800138000"
    message = {
        "event": True,
        "class": "call",
        "type": "CALL_OUTGOING",
        "direction": "outgoing",
        "peeruri": "sip:13800138000@127.0.0.1",
        "id": "out-1",
        "param": "",
    }
    server.send(encode_netstring(json.dumps(message).encode()))
    qtbot.waitUntil(
        lambda: app.workspace.current is not None and bool(app.workspace.current.reminder_id),
        timeout=5000,
    )
    call = app.workspace.current
    assert (call.direction, call.source, call.reminder_id) == ("outgoing", "baresip", reminder.id)
    titles = [i.data(Qt.ItemDataRole.DisplayRole) for i in app.window.view.scripts.script_items()]
    assert titles and all("回电" in t or "回访" in t for t in titles)


def test_the_call_menu_lists_the_call_actions_with_their_keys(app: App) -> None:
    texts = [a.text() for a in app.window.call_menu.actions() if not a.isSeparator()]
    for keys in ("Ctrl+N", "Ctrl+Shift+A", "Ctrl+E", "Ctrl+T", "Ctrl+Enter", "Alt+M"):
        assert any(t.endswith(f"\t{keys}") for t in texts), keys
    for keys in OUTCOME_KEYS.values():
        assert any(t.endswith(f"\t{keys}") for t in texts), keys


def test_help_lists_every_event_kind(capsys) -> None:
    from desktop.__main__ import _parser
    from desktop.core.call_events import EVENT_KINDS

    text = _parser().format_help()
    for kind in EVENT_KINDS:
        assert f"  {kind} " in text, kind


def test_first_run_set_up_opens_at_start_on_a_new_data_dir(app: App, qtbot) -> None:
    import argparse

    from desktop.run import _first_run

    def fill() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, FirstRunDialog))
        dialog.agent_name.setText("李娜")
        dialog.agent_id.setText("2046")
        dialog.company.setText("远航物流")
        dialog.save()

    QTimer.singleShot(0, fill)
    _first_run(app, argparse.Namespace(demo=False))
    qtbot.waitUntil(lambda: not app.settings.needs_first_run())
    s = app.settings.current
    assert (s.agent_name, s.agent_id, s.company) == ("李娜", "2046", "远航物流")
    app.workspace.choose_intent("inquiry")
    texts = [i.data(Qt.ItemDataRole.UserRole + 1) for i in app.window.view.scripts.script_items()]
    assert not any("示例科技" in t or "小王" in t for t in texts)


def test_first_run_set_up_steps_aside_for_a_ringing_call(app: App, qtbot) -> None:
    """The softphone may start the app for a call that rings: the window shows the call and
    the set-up waits beside it (hidden while the call is on screen, back when idle)."""
    import argparse

    from desktop.core.call_events import CallEvent
    from desktop.run import _first_run

    _first_run(app, argparse.Namespace(demo=False))
    dialog = app.first_run
    assert isinstance(dialog, FirstRunDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.isModal()  # the window still takes clicks and keys
    app.softphone.apply(CallEvent("incoming", "13912345678", "李四", "fr1", source="hook"))
    qtbot.waitUntil(lambda: app.workspace.current is not None)
    assert not dialog.isVisible()
    assert app.window.view.call_bar.isVisible()
    app.workspace.show_call(None)  # the desk is idle again
    qtbot.waitUntil(dialog.isVisible)
    dialog.reject()  # 稍后设置: not offered again this session
    app.softphone.apply(CallEvent("incoming", "13912345679", "王五", "fr2", source="hook"))
    qtbot.waitUntil(lambda: app.workspace.current is not None)
    app.workspace.show_call(None)
    QApplication.processEvents()
    assert not dialog.isVisible() and app.settings.needs_first_run()


def test_demo_never_asks_the_first_run_questions(app: App) -> None:
    import argparse

    from desktop.run import _first_run

    _first_run(app, argparse.Namespace(demo=True))  # returns at once: no dialog waits
    assert app.settings.needs_first_run()


def test_storage_dialog_names_the_folder_in_chinese(qapp, tmp_path: Path) -> None:
    import errno

    from desktop.run import data_dir_error, storage_dialog

    install_qt_translation(qapp)
    error = data_dir_error(tmp_path, "打开日志文件", OSError(errno.EROFS, "Read-only"))
    dialog = storage_dialog(error)
    try:
        assert str(tmp_path) in dialog.text() and "只读" in dialog.text()
        assert dialog.icon() == QMessageBox.Icon.Critical
        ok = dialog.button(QMessageBox.StandardButton.Ok)
        assert ok is not None and ok.text() != "OK" and ok.text().strip("(&O)") == "确定"
    finally:
        dialog.deleteLater()


def _rect_in_window(widget, window):
    from PySide6.QtCore import QPoint, QRect

    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def test_the_reminder_alert_keeps_off_the_wrap_up_and_scripts_in_both_layouts(
    app: App, qtbot, clock
) -> None:
    from desktop.ui.reminders.alert import ReminderAlert

    app.workspace.start_manual("13800138000", "")
    app.workspace.choose_intent("complaint")
    app.workspace.end()  # the wrap-up and its 完成 are on screen
    app.reminders.create_manual(
        None, "callback", clock.now() + timedelta(minutes=1), phone="13912345678"
    )
    clock.advance(minutes=2)
    app.scheduler.sync()
    window = app.window
    alert = next(a for a in window.findChildren(ReminderAlert))
    qtbot.waitUntil(alert.isVisible, timeout=3000)
    done = next(b for b in alert.findChildren(QPushButton) if b.text() == "提醒已办")
    assert done.text() != window.view.wrap_up.complete.text()
    for compact in (False, True):
        window.set_compact(compact)
        qtbot.wait(50)  # the layout settles, the alert follows it (layout_changed)
        qtbot.waitUntil(lambda: alert.isVisible(), timeout=3000)
        v = window.view
        placed = alert.geometry()
        for part in (v.wrap_up, v.scripts.list_widget, v.call_bar, v.intent_bar):
            assert not placed.intersects(_rect_in_window(part, window)), (compact, part)


def test_the_reminder_alert_text_is_never_cut_in_a_narrow_side_column(
    app: App, qtbot, clock
) -> None:
    """At 1366 px the side column left a reminder's text ~90 px beside its three buttons, and
    the alert was sized for the unwrapped text: the rows were cut off. Narrow, each text goes
    above its buttons, and the alert is as tall as the wrapped text."""
    from PySide6.QtWidgets import QLabel

    from desktop.ui.reminders.alert import ReminderAlert

    window = app.window
    window.set_compact(False)
    window.resize(1366, 740)
    for phone, name in (("13700001111", "王五"), ("13812345678", "欧阳晓明")):
        app.reminders.create_manual(
            None, "callback", clock.now() + timedelta(minutes=1), phone=phone, customer_name=name
        )
    clock.advance(minutes=2)
    app.scheduler.sync()
    alert = next(a for a in window.findChildren(ReminderAlert))
    qtbot.waitUntil(alert.isVisible, timeout=3000)
    qtbot.wait(50)  # placed again once the window's layout settled
    texts = [
        label
        for label in alert.findChildren(QLabel)
        if label.isVisible() and label.text().startswith("【")
    ]
    assert len(texts) == 2
    inside = alert.rect()
    for label in texts:
        assert label.width() >= 200, label.width()  # not squeezed beside the buttons
        assert label.height() >= label.heightForWidth(label.width())  # every line shown
        assert inside.contains(_rect_in_window(label, alert))
    assert alert.geometry().bottom() <= window.height()


def test_the_reminder_time_column_is_never_cut(app: App, qtbot, clock) -> None:
    from desktop.ui.reminders.list_model import TIME_COLUMN

    app.reminders.create_manual(
        None, "callback", clock.now() + timedelta(days=3, minutes=7), phone="13912345678"
    )
    panel = app.reminder_panel
    tree = panel.tree
    qtbot.waitUntil(lambda: len(panel.model.reminders) == 1, timeout=3000)
    width = tree.header().sectionSize(TIME_COLUMN)
    metrics = tree.fontMetrics()
    texts = []
    for group in range(panel.model.rowCount()):
        parent = panel.model.index(group, 0)
        for row in range(panel.model.rowCount(parent)):
            texts.append(str(panel.model.index(row, TIME_COLUMN, parent).data() or ""))
    assert any(texts), texts
    for text in texts:
        assert metrics.horizontalAdvance(text) <= width, (text, width)


def test_confirmations_that_matter_are_shown_inline_too(app: App, qtbot) -> None:
    """Copied, a second ring, pack problems: in the status bar and where the agent looks."""
    note = app.window.view.inline_note
    qtbot.keyClick(app.window, Qt.Key.Key_F1)
    scripts = app.window.view.scripts
    scripts.list_widget.setCurrentItem(scripts.script_items()[0])
    scripts.list_widget.setFocus()
    qtbot.keyClick(scripts.list_widget, Qt.Key.Key_Return)
    assert note.isVisible() and note.text().startswith("已复制话术")
    app.softphone.apply(CallEvent("incoming", "13912345678", "李四", "r2", source="hook"))
    banner = app.window.view.ring_banner  # the second ring's inline note is its banner
    assert banner.isVisible() and "第二路来电：李四 139****5678" in banner.label.text()
    assert "第二路来电" in app.window.statusBar().currentMessage()
    assert "13912345678" not in app.window.statusBar().currentMessage()
