from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.clock import Clock, FakeClock, SystemClock
from desktop.core.content.model import ReminderRule
from desktop.ui.reminders import (
    NullNotifier,
    ReminderAlert,
    ReminderScheduler,
    RemindersPanel,
    connect_reminder_ui,
    create_notifier,
)
from desktop.ui.time_edit import set_wall
from tests.helpers.notifier import RecordingNotifier
from tests.helpers.reminder_env import ReminderEnv
from tests.helpers.typing import ime_type

RULES = (
    ReminderRule(
        "complaint_first", "first_response", "首次响应", ("complaint",), ("follow_up",), 15
    ),
)


class Env(ReminderEnv):
    def __init__(self, path: Path, clock: Clock) -> None:
        super().__init__(path, clock, RULES)
        self.schedulers: list[ReminderScheduler] = []

    def scheduler(self, **kwargs: object) -> ReminderScheduler:
        scheduler = ReminderScheduler(self.service, self.clock, **kwargs)  # type: ignore[arg-type]
        self.schedulers.append(scheduler)
        return scheduler

    def remind(self, minutes: float, phone: str = "13800138000", name: str = "张三") -> str:
        """A callback due `minutes` from now; a negative one was set earlier and is now past."""
        now = self.clock.now()
        due = now + timedelta(minutes=minutes)
        if minutes < 0:
            assert isinstance(self.clock, FakeClock)
            self.clock.set(due)
        try:
            return self.service.create_manual(None, "callback", due, "回电说明进度", phone, name).id
        finally:
            if minutes < 0:
                self.clock.set(now)

    def close(self) -> None:
        for scheduler in self.schedulers:
            scheduler.stop()
        super().close()


@pytest.fixture
def env(data_dir: Path, clock: FakeClock) -> Iterator[Env]:
    e = Env(data_dir / "callassist.sqlite3", clock)
    yield e
    e.close()


@pytest.fixture
def panel(qtbot: QtBot, env: Env) -> RemindersPanel:
    widget = RemindersPanel(env.service, env.clock, env.settings)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitActive(widget)
    return widget


def recorder(signal: SignalInstance) -> list:
    seen: list = []
    signal.connect(lambda *args: seen.append(args[0] if len(args) == 1 else args))
    return seen


# ---- scheduler ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_reminder_due_in_one_second_fires_through_real_apscheduler(
    qtbot: QtBot, data_dir: Path
) -> None:
    env = Env(data_dir / "real.sqlite3", SystemClock())
    try:
        reminder_id = env.remind(1 / 60)
        scheduler = env.scheduler()
        with qtbot.waitSignal(scheduler.reminder_due, timeout=5000) as blocker:
            scheduler.start()
            assert scheduler.next_run_time() is not None
        assert blocker.args == [reminder_id]
        fired = env.service.get(reminder_id)
        assert fired.status == "fired" and fired.fired_at is not None
        assert timedelta(0) <= fired.fired_at - fired.due_at < timedelta(seconds=1)
    finally:
        env.close()


def test_only_the_earliest_due_time_is_armed_and_rearmed_on_change(env: Env) -> None:
    first, second = env.remind(15), env.remind(120)
    env.remind(600)
    scheduler = env.scheduler()
    scheduler.start()
    assert scheduler.armed_for() == env.clock.now() + timedelta(minutes=15)
    wait = scheduler.next_run_time() - datetime.now(UTC)
    assert timedelta(minutes=14) < wait <= timedelta(minutes=15)  # a delay on the service clock
    env.service.done(first, "提前回电了")
    assert scheduler.armed_for() == env.clock.now() + timedelta(minutes=120)
    env.service.cancel(second, "客户不需要了")
    assert scheduler.armed_for() == env.clock.now() + timedelta(minutes=600)


def test_nothing_to_wait_for_disarms(env: Env) -> None:
    scheduler = env.scheduler()
    scheduler.start()
    assert scheduler.armed_for() is None and scheduler.next_run_time() is None
    reminder_id = env.remind(5)
    assert scheduler.next_run_time() is not None
    env.service.cancel(reminder_id, "重复")
    assert scheduler.next_run_time() is None


def test_a_due_time_five_years_ahead_is_armed_without_overflow(env: Env) -> None:
    reminder_id = env.remind(5 * 365 * 24 * 60)
    scheduler = env.scheduler()
    fired = recorder(scheduler.reminder_due)
    scheduler.start()
    assert scheduler.armed_for() == env.service.get(reminder_id).due_at
    wait = scheduler.next_run_time() - datetime.now(UTC)
    assert timedelta(days=5 * 365 - 1) < wait <= timedelta(days=5 * 365)
    env.clock.advance(days=5 * 365)
    assert scheduler.sync() == [reminder_id]
    assert fired == [reminder_id]


def test_reminders_missed_while_closed_fire_once_at_start(env: Env) -> None:
    ids = [env.remind(15), env.remind(30)]
    later = env.remind(24 * 60)
    env.clock.advance(hours=3)
    first_run = env.scheduler()
    fired = recorder(first_run.reminder_due)
    batches = recorder(first_run.reminders_fired)
    first_run.start()
    assert fired == ids and batches == [ids]
    first_run.stop()

    second_run = env.scheduler()  # a restart: nothing fires twice
    again = recorder(second_run.reminder_due)
    second_run.start()
    assert again == []
    assert second_run.armed_for() == env.service.get(later).due_at


def test_clock_jump_is_detected_and_due_reminders_fire_once(env: Env) -> None:
    mono = [1000.0]
    reminder_id = env.remind(60)
    scheduler = env.scheduler(monotonic=lambda: mono[0])
    fired, jumps = recorder(scheduler.reminder_due), recorder(scheduler.clock_jumped)
    scheduler.start()
    mono[0] += 30
    env.clock.advance(seconds=30)
    assert scheduler.check_clock() is False  # an ordinary heartbeat
    env.clock.advance(hours=2)  # the wall clock is set forward; monotonic time is not
    assert scheduler.check_clock() is True
    assert jumps == [pytest.approx(7200)]
    assert fired == [reminder_id]
    assert scheduler.check_clock() is False
    assert fired == [reminder_id]


def test_a_late_heartbeat_after_sleep_resyncs(env: Env) -> None:
    mono = [0.0]
    reminder_id = env.remind(10)
    scheduler = env.scheduler(monotonic=lambda: mono[0])
    fired = recorder(scheduler.reminder_due)
    scheduler.start()
    mono[0] += 3600  # Windows-style sleep: monotonic time kept counting, the beat came late
    env.clock.advance(hours=1)
    assert scheduler.check_clock() is True
    assert fired == [reminder_id]


def test_two_instances_on_one_data_dir_never_show_a_reminder_twice(
    env: Env, data_dir: Path
) -> None:
    other = Env(data_dir / "callassist.sqlite3", env.clock)
    try:
        ids = [env.remind(15), env.remind(16)]
        one, two = env.scheduler(), other.scheduler()
        seen_one, seen_two = recorder(one.reminder_due), recorder(two.reminder_due)
        one.start()
        two.start()
        env.clock.advance(minutes=20)
        two.sync()
        one.sync()
        assert sorted(seen_one + seen_two) == sorted(ids)
    finally:
        other.close()


# ---- panel --------------------------------------------------------------------------------


def test_panel_groups_and_masks(panel: RemindersPanel, env: Env) -> None:
    overdue, due, upcoming = env.remind(-60), env.remind(-5), env.remind(15)
    env.clock.advance(seconds=1)
    panel.refresh()
    assert [panel.group_of(i) for i in (overdue, due, upcoming)] == ["overdue", "due", "upcoming"]
    item = panel.row(upcoming)
    assert (item.text(0), item.text(2), item.text(3)) == ("回电", "张三", "138****8000")
    assert "15 分钟后" in item.text(1)
    assert panel.summary.text() == "逾期 1 条"
    env.settings.update(mask_numbers=False)
    panel.refresh()
    item = panel.row(upcoming)
    assert item.text(3) == "13800138000"


def test_snooze_ten_minutes_moves_the_row_to_upcoming(
    qtbot: QtBot, panel: RemindersPanel, env: Env
) -> None:
    reminder_id = env.remind(15)
    env.clock.advance(minutes=15)
    env.service.fire_due()
    assert panel.group_of(reminder_id) == "due"
    assert panel.select_reminder(reminder_id)
    qtbot.mouseClick(panel.action_buttons["稍后提醒"], Qt.MouseButton.LeftButton)
    assert panel.editor.isVisible()
    qtbot.mouseClick(panel.snooze_buttons["10 分钟"], Qt.MouseButton.LeftButton)
    assert panel.group_of(reminder_id) == "upcoming"
    snoozed = env.service.get(reminder_id)
    assert snoozed.status == "snoozed"
    assert snoozed.due_at == env.clock.now() + timedelta(minutes=10)
    assert not panel.editor.isVisible()
    assert panel.selected_id() == reminder_id


def test_snooze_custom_time(qtbot: QtBot, panel: RemindersPanel, env: Env) -> None:
    reminder_id = env.remind(0)
    panel.refresh()
    panel.select_reminder(reminder_id)
    qtbot.mouseClick(panel.action_buttons["稍后提醒"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.snooze_buttons["自定义…"], Qt.MouseButton.LeftButton)
    assert panel.editor_time.isVisible()
    set_wall(panel.editor_time, datetime(2026, 3, 2, 14, 0))  # local wall time
    qtbot.mouseClick(panel.editor_ok, Qt.MouseButton.LeftButton)
    assert env.service.get(reminder_id).due_at == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_done_asks_for_the_result_inline(qtbot: QtBot, panel: RemindersPanel, env: Env) -> None:
    reminder_id = env.remind(-1)
    panel.refresh()
    panel.select_reminder(reminder_id)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert panel.editor_text.isVisible() and panel.editor_text.hasFocus()
    ime_type(panel.editor_text, "已回电，客户同意换货")
    qtbot.keyClick(panel.editor_text, Qt.Key.Key_Return)
    done = env.service.get(reminder_id)
    assert (done.status, done.result) == ("done", "已回电，客户同意换货")
    assert panel.group_of(reminder_id) is None
    assert "已完成" in panel.status.text()


def test_cancel_needs_a_reason(qtbot: QtBot, panel: RemindersPanel, env: Env) -> None:
    reminder_id = env.remind(30)
    panel.refresh()
    panel.select_reminder(reminder_id)
    qtbot.mouseClick(panel.action_buttons["取消提醒"], Qt.MouseButton.LeftButton)
    qtbot.keyClick(panel.editor_text, Qt.Key.Key_Return)
    assert "原因" in panel.status.text()
    assert env.service.get(reminder_id).status == "pending"
    ime_type(panel.editor_text, "客户已自行解决")
    qtbot.mouseClick(panel.editor_ok, Qt.MouseButton.LeftButton)
    assert env.service.get(reminder_id).result == "客户已自行解决"


def test_reschedule_and_escape(qtbot: QtBot, panel: RemindersPanel, env: Env) -> None:
    reminder_id = env.remind(30)
    panel.refresh()
    panel.select_reminder(reminder_id)
    qtbot.mouseClick(panel.action_buttons["改期"], Qt.MouseButton.LeftButton)
    qtbot.keyClick(panel.editor_time, Qt.Key.Key_Escape)
    assert not panel.editor.isVisible()
    qtbot.mouseClick(panel.action_buttons["改期"], Qt.MouseButton.LeftButton)
    set_wall(panel.editor_time, datetime(2026, 3, 3, 10, 0))
    qtbot.mouseClick(panel.editor_ok, Qt.MouseButton.LeftButton)
    moved = env.service.get(reminder_id)
    assert moved.due_at == moved.target_at == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    qtbot.mouseClick(panel.action_buttons["改期"], Qt.MouseButton.LeftButton)
    set_wall(panel.editor_time, datetime(2020, 1, 1, 10, 0))
    qtbot.mouseClick(panel.editor_ok, Qt.MouseButton.LeftButton)
    assert "已经过去" in panel.status.text()
    assert panel.editor.isVisible()


def test_call_back_and_open_call_signals(qtbot: QtBot, panel: RemindersPanel, env: Env) -> None:
    call = env.add_call(notes="客户说快递丢了")
    (first,) = env.service.create_for_wrap_up(call, "complaint", "follow_up")
    panel.select_reminder(first.id)
    with qtbot.waitSignal(panel.call_back_requested) as back:
        qtbot.mouseClick(panel.action_buttons["立即回电"], Qt.MouseButton.LeftButton)
    assert back.args == [first.id]
    with qtbot.waitSignal(panel.open_call_requested) as opened:
        qtbot.mouseClick(panel.action_buttons["查看通话"], Qt.MouseButton.LeftButton)
    assert opened.args == [call]
    item = panel.row(first.id)
    assert "客户说快递丢了" in item.toolTip(4)

    env.db.execute("DELETE FROM calls WHERE id = ?", [call])
    panel.refresh()
    panel.select_reminder(first.id)
    assert not panel.action_buttons["查看通话"].isEnabled()
    assert panel.action_buttons["立即回电"].isEnabled()  # the stored phone still works


def test_new_reminder_for_the_current_call_from_the_keyboard(
    qtbot: QtBot, panel: RemindersPanel, env: Env
) -> None:
    call = env.add_call(phone="13900139000", name="李四")
    panel.set_current_call(call, "13900139000", "李四")
    assert "139****9000" in panel.bound.text() and not panel.phone.isVisible()
    panel.pick.setFocus()
    qtbot.keyClick(panel.pick, Qt.Key.Key_Down)
    qtbot.keyClick(panel.pick, Qt.Key.Key_Down)
    assert panel.pick.currentData() == "tomorrow"
    assert panel.preview.text() == "→ 明天 09:00"
    qtbot.keyClick(panel, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert panel.note.hasFocus()
    ime_type(panel.note, "明早告知退款进度")
    qtbot.keyClick(panel.note, Qt.Key.Key_Return)
    (created,) = env.service.list_view().upcoming
    assert (created.call_id, created.kind, created.note) == (call, "callback", "明早告知退款进度")
    assert created.due_at == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    assert panel.note.text() == ""


def test_new_reminder_without_a_call_needs_a_contact(
    qtbot: QtBot, panel: RemindersPanel, env: Env
) -> None:
    panel.set_current_call(None)
    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
    assert "电话或姓名" in panel.status.text()
    qtbot.keyClicks(panel.phone, "13700137000")
    panel.kind.setCurrentIndex(panel.kind.findData("revisit"))
    panel.pick.setCurrentIndex(panel.pick.findData("custom"))
    assert panel.custom_time.isVisible()
    set_wall(panel.custom_time, datetime(2026, 3, 2, 16, 30))
    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
    (created,) = env.service.list_view().upcoming
    assert (created.kind, created.phone, created.due_at) == (
        "revisit",
        "13700137000",
        datetime(2026, 3, 2, 8, 30, tzinfo=UTC),
    )


# ---- alert, tray, wiring ------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot) -> tuple[QWidget, QLineEdit]:
    main = QWidget()
    main.resize(900, 600)
    notes = QLineEdit()
    QVBoxLayout(main).addWidget(notes)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    notes.setFocus()
    qtbot.waitUntil(notes.hasFocus)
    return main, notes


def test_alert_does_not_steal_focus_and_snoozes(
    qtbot: QtBot, env: Env, window: tuple[QWidget, QLineEdit]
) -> None:
    main, notes = window
    alert = ReminderAlert(env.service, env.clock, env.settings, main)
    reminder_id = env.remind(0)
    env.service.fire_due()
    qtbot.keyClicks(notes, "typing")
    alert.add(reminder_id)
    assert alert.isVisible()
    assert alert.geometry().right() <= main.width() and alert.geometry().bottom() <= main.height()
    assert QApplication.focusWidget() is notes
    qtbot.keyClicks(notes, " on")
    assert notes.text() == "typing on"
    later = next(
        b for b in alert.findChildren(QWidget) if b.accessibleName().startswith("稍后提醒")
    )
    qtbot.mouseClick(later, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is notes
    assert env.service.get(reminder_id).status == "snoozed"
    assert not alert.isVisible() and alert.reminder_ids() == []


def test_alert_lists_several_and_drops_handled_ones(
    env: Env, window: tuple[QWidget, QLineEdit]
) -> None:
    main, _ = window
    alert = ReminderAlert(env.service, env.clock, env.settings, main)
    ids = [env.remind(-m) for m in range(7)]
    env.service.fire_due()
    for reminder_id in ids:
        alert.add(reminder_id)
    assert alert.title.text() == "7 条提醒到期"
    assert alert.more.text() == "另有 2 条，见提醒列表"
    env.service.done(ids[0], "ok")
    assert ids[0] not in alert.reminder_ids()
    alert.dismiss()
    assert not alert.isVisible()


def test_wiring_fires_alert_tray_and_panel(
    qtbot: QtBot, env: Env, panel: RemindersPanel, window: tuple[QWidget, QLineEdit]
) -> None:
    main, notes = window
    alert = ReminderAlert(env.service, env.clock, env.settings, main)
    tray = RecordingNotifier()
    scheduler = env.scheduler()
    connect_reminder_ui(scheduler, panel, alert, tray, env.service, env.clock, env.settings)
    reminder_id = env.remind(15)
    scheduler.start()
    env.clock.advance(minutes=15)
    assert scheduler.sync() == [reminder_id]
    assert alert.reminder_ids() == [reminder_id]
    assert tray.messages == [("回电提醒", "张三 138****8000\n今天 09:15（现在）\n回电说明进度")]
    assert QApplication.focusWidget() is notes

    call_button = next(
        b for b in alert.findChildren(QWidget) if b.accessibleName().startswith("立即回电")
    )
    with qtbot.waitSignal(panel.call_back_requested) as back:
        qtbot.mouseClick(call_button, Qt.MouseButton.LeftButton)
    assert back.args == [reminder_id]
    done_button = next(
        b for b in alert.findChildren(QWidget) if b.accessibleName().startswith("提醒已办")
    )
    qtbot.mouseClick(done_button, Qt.MouseButton.LeftButton)
    assert panel.selected_id() == reminder_id and panel.editor_text.isVisible()

    more = [env.remind(1), env.remind(2)]
    env.clock.advance(minutes=5)
    scheduler.sync()
    assert tray.messages[-1][0] == "2 条提醒到期"
    assert set(alert.reminder_ids()) == {reminder_id, *more}


def test_no_system_tray_means_a_silent_notifier() -> None:
    notifier = create_notifier()
    assert isinstance(notifier, NullNotifier)
    notifier.notify("回电提醒", "张三")


def test_apscheduler_is_imported_by_the_paced_order_and_the_order_is_current() -> None:
    """The stepwise import leaves APScheduler importable as start() needs it; every module of
    its order exists here (a newer APScheduler or Python that renames them: regenerate the
    list with `python -X importtime`, see the comment above it)."""
    import importlib.util

    from desktop.ui.reminders import scheduler

    scheduler.import_apscheduler()
    assert scheduler.apscheduler_imported()
    missing = [n for n in scheduler._APSCHEDULER_ORDER if importlib.util.find_spec(n) is None]
    assert missing == []
    assert set(scheduler._APSCHEDULER_ORDER) >= scheduler._APSCHEDULER_HEAVY
