"""The agent's desk under real conditions: call keys that work from any field, rings that
cannot be missed (call notice, taskbar flash, tray, second-ring banner), a missed call's
one-key callback reminder, 立即回电 as an outgoing call, warnings for unfilled scripts, and
the 通话 menu. Wiring and small UI decisions only; the services own every rule."""

from __future__ import annotations

import re
from datetime import timedelta

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from desktop.core.calls import OUTCOME_LABELS, Call
from desktop.core.content.fill import VARIABLE_LABELS
from desktop.core.privacy import mask_number
from desktop.core.reminders import ReminderError
from desktop.services.call_screen import CallScreenReader
from desktop.services.follow_ups import FollowUps
from desktop.services.reminders import ReminderService
from desktop.services.settings import SettingsStore
from desktop.ui.call_notice import CallNotice
from desktop.ui.main_window import MainWindow
from desktop.ui.reminders.tray import Notifier
from desktop.ui.softphone_bridge import SoftphoneBridge
from desktop.ui.workspace.controller import WorkspaceController
from desktop.ui.workspace.wrap_up_bar import OUTCOME_KEYS

# Keys that act on the call wherever the caret is; a text field never swallows them.
CALL_KEYS: tuple[str, ...] = (
    "Ctrl+N",
    "Ctrl+Shift+A",
    "Ctrl+E",
    "Ctrl+Return",
    "Ctrl+Enter",
    "Ctrl+T",
    "Ctrl+L",
    "Alt+M",
    *(f"F{n}" for n in range(1, 9)),
    *OUTCOME_KEYS.values(),
)
MISSED_RULE = "missed_call"  # the content-pack rule whose offset is the callback delay
MISSED_DEFAULT_MINUTES = 10
_UNFILLED = re.compile("【(" + "|".join(map(re.escape, VARIABLE_LABELS.values())) + ")】")
_TEXT_FIELDS = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)


def _combination(event: QKeyEvent) -> QKeySequence:
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return QKeySequence(event.keyCombination().key().value | mods.value)


class CallKeyFilter(QObject):
    """Line edits accept ShortcutOverride for keys such as Ctrl+E (end of line) and Ctrl+N,
    which silently kills the window's shortcut. For the call keys the override is refused,
    so the shortcut fires whichever field has the caret.

    It watches the text fields themselves, not the whole application: each field of the
    window is watched from the moment it first takes the focus (ShortcutOverride goes to
    the focus widget), so no other event of the app calls into Python (issue 16)."""

    def __init__(self, window: MainWindow, keys: tuple[str, ...] = CALL_KEYS) -> None:
        super().__init__(window)
        self._window = window
        self._keys = {QKeySequence(k).toString() for k in keys}
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
            self._focus_changed(None, app.focusWidget())  # a field focused before the desk

    def close(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._focus_changed)

    def watch(self, field: QWidget) -> None:
        field.installEventFilter(self)  # Qt keeps one entry per filter: a repeat is harmless

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if isinstance(new, _TEXT_FIELDS) and new.window() is self._window:
            self.watch(new)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(watched, _TEXT_FIELDS)
            and watched.window() is self._window
            and _combination(event).toString() in self._keys  # type: ignore[arg-type]
        ):
            event.ignore()
            return True  # not accepted: the shortcut map goes on to the call key
        return False


class Desk(QObject):
    def __init__(
        self,
        window: MainWindow,
        workspace: WorkspaceController,
        screen: CallScreenReader,
        reminders: ReminderService,
        follow_ups: FollowUps,
        settings: SettingsStore,
        softphone: SoftphoneBridge,
        notifier: Notifier,
        forget_alert: object = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = workspace
        self.screen = screen
        self.reminders = reminders
        self.follow_ups = follow_ups
        self.settings = settings
        self.softphone = softphone
        self.notifier = notifier
        self._forget_alert = forget_alert
        self._shown_call = ""
        self._stored_name: tuple[str, str, str] = ("", "", "")  # call id, phone, name on file
        self._pending_dials: dict[str, str] = {}  # phone → reminder id, dialled via baresip
        self._pending_ring: Call | None = None  # the latest ring of the batch being applied
        self.softphone_connected = False
        self.notice = CallNotice(parent=window)
        self.key_filter = CallKeyFilter(window)
        v = window.view
        window.answer_key = self.answer
        v.ring_banner.switch_requested.connect(self.answer_ringing)
        v.missed_banner.remind_requested.connect(self.remind_missed)
        remind = QShortcut(QKeySequence("Alt+M"), window)
        remind.setContext(Qt.ShortcutContext.WindowShortcut)
        remind.activated.connect(self._remind_missed_key)
        v.intent_bar.intent_chosen.connect(self._intent_chosen)
        v.scripts.copy_requested.connect(self._copied)
        workspace.current_call_changed.connect(self._current_changed)
        softphone.call_event.connect(lambda _event, call: self.call_changed(call))
        softphone.batch_done.connect(self._show_pending_ring)
        softphone.status_changed.connect(self._softphone_status)
        self._fill_call_menu()

    def close(self) -> None:
        self.key_filter.close()
        self.notice.clear()
        self.notice.deleteLater()

    # ---- rings -----------------------------------------------------------------------
    def who(self, call: Call) -> str:
        """Caller name and number as the agent may see them (masked unless turned off)."""
        number = call.phone
        if number and self.settings.current.mask_numbers:
            number = mask_number(number)
        return " ".join(p for p in (call.caller_name, number or "无号码") if p)

    def call_changed(self, call: Call) -> None:
        """A softphone event: ring → notice, flash, tray, banner; answered/ended → gone.

        Within a batch of events only the batch's last ring is shown, once the batch is
        applied: one history read, notice and alert per batch, not per ring of a burst."""
        v = self.window.view
        if call.direction == "outgoing":
            self._link_outgoing(call)
            return
        if call.status == "ringing":
            if self.softphone.in_batch:
                self._pending_ring = call
            else:
                self._show_ring(call)
            return
        if self._pending_ring is not None and self._pending_ring.id == call.id:
            self._pending_ring = None  # answered or gone in the same batch: nothing to pop
        self.notice.clear(call.id)
        v.ring_banner.clear(call.id)
        if call.status == "missed":
            minutes = self.missed_delay()
            v.missed_banner.offer(call.id, self.who(call), minutes)

    def _show_pending_ring(self) -> None:
        call, self._pending_ring = self._pending_ring, None
        if call is not None:
            self._show_ring(call)

    def _show_ring(self, call: Call) -> None:
        history = self.screen.caller_history(call.phone, call.id) if call.phone else None
        badges = []
        if history is not None and history.open_complaint:
            badges.append("有未结投诉")
        elif history is not None and history.repeat_caller:
            badges.append("回头客")
        number = mask_number(call.phone) if call.phone else ""
        self.notice.show_call(call.id, call.caller_name, number, badges)
        QApplication.alert(self.window, 0)
        self.notifier.notify("坐席助手：来电", self.who(call))
        current = self.workspace.current
        if current is not None and current.id != call.id and current.is_open:
            self.window.view.ring_banner.ring(call.id, self.who(call))
            # the banner is the inline note here: the status bar alone repeats it
            self.window.statusBar().showMessage(f"第二路来电：{self.who(call)}", 8000)

    def _current_changed(self, call: Call | None) -> None:
        v = self.window.view
        call_id = call.id if call is not None else ""
        if call_id != self._shown_call:
            self._shown_call = call_id
            v.scripts.clear_search()  # a new call starts with the scripts of its own step
        if call is not None:
            v.ring_banner.clear(call.id)
            if call.status != "ringing":
                self.notice.clear(call.id)
            v.call_bar.set_stored_name(self._name_on_file(call))
        else:
            v.call_bar.set_stored_name("")

    def _name_on_file(self, call: Call) -> str:
        """The customer file's name for the call's number, read once per call shown (an
        intent click or a tick re-emits the same call: no query on that path)."""
        if not call.phone:
            return ""
        call_id, phone, name = self._stored_name
        if (call_id, phone) != (call.id, call.phone):
            name = self.screen.caller_history(call.phone, call.id).customer_name
            self._stored_name = (call.id, call.phone, name)
        return name

    def answer(self) -> None:
        """The answer key: the shown ringing call, else the second call that rings."""
        current = self.workspace.current
        if current is not None and current.status == "ringing":
            self.window.view.call_bar.answer_button.click()
        elif self.window.view.ring_banner.call_id:
            self.answer_ringing(self.window.view.ring_banner.call_id)

    def answer_ringing(self, call_id: str) -> None:
        """Switch to the ringing call (the other stays open in the list) and answer it."""
        self.window.view.ring_banner.clear(call_id)
        self.workspace.switch_to(call_id)
        current = self.workspace.current
        if current is not None and current.id == call_id and current.status == "ringing":
            self.window.view.call_bar.answer_button.click()

    # ---- missed calls ----------------------------------------------------------------
    def missed_delay(self) -> int:
        rules = self.workspace.pack.reminder_rules
        rule = next((r for r in rules if r.key == MISSED_RULE), None)
        return rule.offset_minutes if rule is not None else MISSED_DEFAULT_MINUTES

    def _remind_missed_key(self) -> None:
        banner = self.window.view.missed_banner
        if banner.isVisible():
            self.remind_missed(banner.call_id)

    def remind_missed(self, call_id: str) -> None:
        banner = self.window.view.missed_banner
        rule = next((r for r in self.workspace.pack.reminder_rules if r.key == MISSED_RULE), None)
        due = self.window.view.now() + timedelta(minutes=self.missed_delay())
        try:
            self.reminders.create_manual(
                call_id, "callback", due, note=rule.message if rule else "未接来电回电"
            )
        except ReminderError as exc:
            self.window.show_message(str(exc))
            return
        banner.clear()
        when = self.settings.calendar().format(due, "%H:%M")
        self.window.show_message(f"已建回电提醒：{when} 到期")

    # ---- callbacks are outgoing calls -------------------------------------------------
    def _softphone_status(self, text: str) -> None:
        self.softphone_connected = text == "软电话：已连接"

    def start_callback(self, reminder_id: str) -> bool:
        """立即回电: the full number on the clipboard (audited); with baresip connected a
        `dial` is sent and True returned (its outgoing call is linked when reported)."""
        try:
            reminder = self.reminders.get(reminder_id)
        except ReminderError as exc:
            self.window.show_message(str(exc))
            return True
        via = "baresip" if self.softphone_connected else "clipboard"
        self.follow_ups.dial_out(reminder_id, via=via)
        if reminder.phone:
            QGuiApplication.clipboard().setText(reminder.phone)
        if callable(self._forget_alert):
            self._forget_alert(reminder_id)
        if self.softphone_connected and reminder.phone and self.softphone.baresip is not None:
            self._pending_dials[reminder.phone] = reminder_id
            self.softphone.baresip.send_command("dial", reminder.phone)
            self.window.show_message(f"正在拨打 {mask_number(reminder.phone)}（完整号码已复制）")
            return True
        self.window.show_message(
            f"完整号码已复制（{mask_number(reminder.phone)}），请在软电话中粘贴拨打"
            if reminder.phone
            else "此提醒没有号码，请按客户姓名查找"
        )
        return False

    def callback_started(self, call: Call) -> None:
        """The outgoing call is current: offer the outgoing opening (回电/回访开场)."""
        openings = [
            s.id
            for s in self.workspace.pack.scripts
            if "开场" in s.title and ("回电" in s.title or "回访" in s.title)
        ]
        if openings:
            self.workspace.show_search_results(openings)

    def _link_outgoing(self, call: Call) -> None:
        reminder_id = self._pending_dials.pop(call.phone, "")
        if reminder_id and not call.reminder_id:
            call = self.follow_ups.outgoing_call(call, reminder_id)
            self.workspace.show_callback(call)
            self.callback_started(call)

    # ---- scripts -----------------------------------------------------------------------
    def _copied(self, _script_id: str, text: str) -> None:
        missing = sorted(set(_UNFILLED.findall(text)))
        if missing:
            self.window.show_message(
                "注意：话术中有未填写的内容【" + "】【".join(missing) + "】，请补上后再发给客户"
            )

    def _intent_chosen(self, intent: str) -> None:
        """F8 与服务无关 preselects the matching wrap-up outcome."""
        if intent == "unrelated" and self.window.view.wrap_up.isVisible():
            self.window.view.wrap_up.choose("unrelated")

    # ---- the 通话 menu ------------------------------------------------------------------
    def _fill_call_menu(self) -> None:
        """The call actions with their keys (shown, not bound again: the keys stay with the
        window's shortcuts, so nothing is ambiguous)."""
        v = self.window.view
        menu = self.window.call_menu
        entries = [
            ("新来电", "Ctrl+N", v.call_bar.new_button.click),
            ("接听", "Ctrl+Shift+A", self.answer),
            ("挂断 / 开始话后", "Ctrl+E", v.call_bar.end_button.click),
            ("勾选当前步骤", "Ctrl+T", v.checklist.tick_current),
            ("完成话后", "Ctrl+Enter", v.wrap_up.complete.click),
            ("未接来电建回电提醒", "Alt+M", lambda: self.remind_missed(v.missed_banner.call_id)),
        ]
        for label, keys, slot in entries:
            action = QAction(f"{label}\t{keys}", menu)
            action.triggered.connect(slot)
            menu.addAction(action)
        menu.addSeparator()
        for outcome, keys in OUTCOME_KEYS.items():
            action = QAction(f"结果：{OUTCOME_LABELS[outcome]}\t{keys}", menu)
            action.triggered.connect(lambda _=False, o=outcome: v.wrap_up.outcome_key(o))
            menu.addAction(action)
