"""Issue 13, rings and callbacks: the call notice takes no focus, second ring banner, missed
call → one-key callback reminder, 立即回电 as an outgoing call, first run, storage dialog."""

from __future__ import annotations

import errno
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from desktop.app import App
from desktop.core.call_events import CallEvent
from desktop.storage_message import data_dir_problem
from desktop.ui.first_run import FirstRunDialog
from desktop.ui.qt_translation import install_qt_translation


def _ring(app: App, number: str, name: str, call_id: str) -> None:
    app.softphone.apply(CallEvent("incoming", number, name, call_id, source="hook"))


def test_ring_behind_another_window_shows_notice_and_keeps_focus(app: App, qtbot) -> None:
    other = QWidget()
    field = QLineEdit(other)
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=3000)
    _ring(app, "13800138000", "张三", "c1")
    notice = app.desk.notice
    assert notice.isVisible()
    assert notice.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert notice.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert notice.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert notice.name.text() == "张三" and notice.number.text() == "138****8000"
    assert "Ctrl+Shift+A" in notice.key.text()
    assert QApplication.focusWidget() is field  # not one keystroke stolen
    area = app.window.screen().availableGeometry()
    assert area.contains(notice.frameGeometry())
    app.softphone.apply(CallEvent("answered", "13800138000", "张三", "c1", source="hook"))
    assert not notice.isVisible()


def test_repeat_caller_with_open_complaint_badge(app: App, qtbot) -> None:
    app.workspace.start_manual("13800138000", "")
    app.workspace.choose_intent("complaint")
    app.workspace.end()
    app.follow_ups.wrap_up(app.workspace.current.id, "follow_up", "先记录")
    _ring(app, "13800138000", "张三", "c2")
    assert "有未结投诉" in app.desk.notice.badge.text()


def test_second_ring_banner_and_wrap_up_stays(app: App, qtbot) -> None:
    _ring(app, "13800138000", "张三", "a")
    app.window.answer_key()
    first = app.workspace.current
    app.window.view.call_bar.end_button.click()
    assert app.workspace.current.status == "wrap_up"
    _ring(app, "13912345678", "李四", "b")
    v = app.window.view
    assert app.workspace.current.id == first.id  # the unfinished wrap-up stays
    assert v.wrap_up.isVisible()
    assert v.ring_banner.isVisible() and "第二路来电" in v.ring_banner.label.text()
    assert "李四" in v.ring_banner.label.text() and "139****5678" in v.ring_banner.label.text()
    assert "13912345678" not in app.window.statusBar().currentMessage()  # masked there too
    app.window.answer_key()  # the answer key answers the second call
    assert app.workspace.current.phone == "13912345678"
    assert app.workspace.current.status == "active"
    assert not v.ring_banner.isVisible()
    assert app.calls.get(first.id).status == "wrap_up"  # still open, not dropped


def test_softphone_name_shown_beside_stored_customer_name(app: App, qtbot) -> None:
    app.workspace.start_manual("13800138000", "")
    app.db.execute("UPDATE customers SET name = '张建国' WHERE phone = '13800138000'")
    app.workspace.end()
    app.workspace.complete("resolved", "")
    _ring(app, "13800138000", "ZHANG", "c3")
    bar = app.window.view.call_bar
    current = app.workspace.current
    assert (current.caller_name, current.status) == ("ZHANG", "ringing")
    assert bar.caller.text() == "ZHANG"
    assert bar.stored_name.isVisible() and "张建国" in bar.stored_name.text()


def test_missed_call_offers_callback_reminder_on_one_key(app: App, qtbot, clock) -> None:
    _ring(app, "13800138000", "张三", "m")
    app.softphone.apply(CallEvent("missed", "13800138000", "张三", "m", source="hook"))
    banner = app.window.view.missed_banner
    assert banner.isVisible() and "未接来电" in banner.label.text()
    assert "10 分钟" in banner.label.text()  # the pack's missed_call rule
    assert not app.desk.notice.isVisible()
    qtbot.keyClick(app.window, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    rows = app.db.execute("SELECT kind, phone, due_at FROM reminders").fetchall()
    assert len(rows) == 1 and rows[0][0] == "callback" and rows[0][1] == "13800138000"
    assert not banner.isVisible()


def test_call_back_now_is_outgoing_copied_audited_with_opening(app: App, qtbot, clock) -> None:
    from datetime import timedelta

    reminder = app.reminders.create_manual(
        None,
        "callback",
        clock.now() + timedelta(minutes=5),
        phone="13800138000",
        customer_name="张三",
    )
    app.reminder_panel.call_back_requested.emit(reminder.id)
    call = app.workspace.current
    assert call.direction == "outgoing" and call.reminder_id == reminder.id
    assert QGuiApplication.clipboard().text() == "13800138000"
    actions = [r["action"] for r in app.audit.for_entity("reminder", reminder.id)]
    assert "reminder.dial" in actions
    titles = [i.data(Qt.ItemDataRole.DisplayRole) for i in app.window.view.scripts.script_items()]
    assert titles and all("回电开场" in t or "回访" in t for t in titles)
    assert "13800138000" not in app.window.statusBar().currentMessage()


def test_baresip_outgoing_call_is_recorded_outgoing(app: App) -> None:
    app.softphone.apply(
        CallEvent("outgoing", "13800138000", "", "o1", source="baresip", direction="outgoing")
    )
    row = app.db.execute("SELECT direction, source FROM calls").fetchone()
    assert tuple(row) == ("outgoing", "baresip")
    assert not app.desk.notice.isVisible()  # our own dialling is not a ring


def test_first_run_dialog_saves_the_agent(app: App, qtbot) -> None:
    assert app.settings.needs_first_run()
    dialog = FirstRunDialog(app.settings, app.window)
    qtbot.addWidget(dialog)
    assert dialog.timezone.text() == "Asia/Shanghai"  # prefilled
    dialog.save()
    assert "姓名" in dialog.error.text() and app.settings.needs_first_run()
    qtbot.keyClicks(dialog.agent_id, "2046")
    dialog.agent_name.setText("李娜")
    dialog.company.setText("远航物流")
    dialog.save()
    s = app.settings.current
    assert (s.agent_name, s.agent_id, s.company) == ("李娜", "2046", "远航物流")
    assert not app.settings.needs_first_run()


def test_read_only_data_dir_message_names_the_folder(tmp_path: Path) -> None:
    text = data_dir_problem(tmp_path, "写入日志文件", OSError(errno.EROFS, "Read-only"))
    assert str(tmp_path) in text and "只读" in text and "IT" in text
    full = data_dir_problem(tmp_path, "写入数据文件夹", OSError(errno.ENOSPC, "No space"))
    assert "磁盘已满" in full


@pytest.mark.expect_log(logging.ERROR, r"cannot start: .*无法使用数据目录")
def test_read_only_data_dir_gives_dialog_text_not_traceback(tmp_path: Path, capsys) -> None:
    import argparse
    import os

    from desktop.run import run

    if os.geteuid() == 0:  # root writes anyway: use a path under a file instead
        blocker = tmp_path / "file"
        blocker.write_text("x")
        data = blocker / "data"
    else:
        locked = tmp_path / "ro"
        locked.mkdir()
        locked.chmod(0o500)
        data = locked / "data"
    options = argparse.Namespace(data_dir=str(data), demo=False, baresip=None)
    assert run(options) == 3
    err = capsys.readouterr().err
    assert "无法使用数据目录" in err and str(data) in err and "Traceback" not in err


def test_qt_buttons_in_chinese(qapp) -> None:
    assert install_qt_translation(qapp) is not None
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
