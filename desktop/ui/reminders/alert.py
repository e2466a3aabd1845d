"""The in-window alert for fired reminders: a toast in the main window's corner.

It must never take keyboard focus: the agent may be typing notes during a call when a
reminder fires. It is a child widget (no window activation), shown without activating, and
none of its buttons accept focus, so a click acts without moving the caret.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.changes import OpChanges
from desktop.core.clock import Clock
from desktop.core.reminders import ReminderError
from desktop.services.reminders import ReminderService
from desktop.services.settings import SettingsStore
from desktop.ui.change_hub import ChangeHub
from desktop.ui.reminders.text import due_text, kind_text, who_text

MAX_ROWS = 5
SNOOZE_MINUTES = 10
MARGIN = 12
# Narrower than this (the side column of a 1366-px window), a reminder's text goes on its own
# line above its buttons: beside them it had ~90 px and was cut off.
STACK_BELOW = 520


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


class ReminderAlert(QFrame):
    """Lists fired reminders until they are handled; `add` it to `reminder_due`."""

    call_back_requested = Signal(str)
    done_requested = Signal(str)  # the list asks for the result, inline

    def __init__(
        self,
        service: ReminderService,
        clock: Clock,
        settings_store: SettingsStore,
        parent: QWidget,
        hub: ChangeHub | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._clock = clock
        self._settings = settings_store
        self._ids: list[str] = []
        self._stacked = False  # each reminder's text above its buttons (a narrow area)
        self.setObjectName("reminderAlert")
        self.setAccessibleName("提醒通知")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#reminderAlert { background: #fff8e1; border: 1px solid #e0a800; border-radius: 6px; }"
        )
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.title = QLabel("")
        self.title.setStyleSheet("font-weight: bold;")
        close = QToolButton()
        close.setText("×")
        close.setAccessibleName("关闭提醒通知")
        close.setToolTip("关闭通知（提醒仍在提醒列表中）")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(close)
        self._rows = QVBoxLayout()
        self.more = QLabel("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(header)
        layout.addLayout(self._rows)
        layout.addWidget(self.more)
        self._hub = hub or ChangeHub(service.bus, self)
        self._hub.changed.connect(self._on_changes)
        parent.installEventFilter(self)
        view = getattr(parent, "view", None)
        # the alert area moves with the layout (a wrap-up appearing shrinks the side column)
        self._watched: list[QObject] = [parent]
        for name in ("side", "left"):
            part = getattr(view, name, None)
            if isinstance(part, QObject):
                part.installEventFilter(self)
                self._watched.append(part)
        moved = getattr(parent, "layout_changed", None)
        if moved is not None:  # compact on/off: the free area moved
            moved.connect(self._place)
        self.hide()

    def _on_changes(self, changes: OpChanges, _origin: object) -> None:
        if changes.reminders or changes.settings:
            self._refresh()

    def reminder_ids(self) -> list[str]:
        return list(self._ids)

    def add(self, reminder_id: str) -> None:
        """Show a reminder that just fired (newest first), without taking focus."""
        if reminder_id in self._ids:
            self._ids.remove(reminder_id)
        self._ids.insert(0, reminder_id)
        self._refresh()

    def forget(self, reminder_id: str) -> None:
        """Being handled (立即回电): off the toast, still in the reminders list."""
        if reminder_id in self._ids:
            self._ids.remove(reminder_id)
            self._refresh()

    def dismiss(self) -> None:
        """Hide the toast; the reminders stay in the list as due or overdue."""
        self._ids.clear()
        self._refresh()

    def _refresh(self) -> None:
        reminders = []
        for reminder_id in list(self._ids):
            try:
                reminder = self._service.get(reminder_id)
            except ReminderError:
                reminder = None
            if reminder is None or reminder.status != "fired":
                self._ids.remove(reminder_id)  # snoozed, done, rescheduled or cancelled
            else:
                reminders.append(reminder)
        while self._rows.count():
            item = self._rows.takeAt(0)
            row = item.widget() if item is not None else None
            if row is not None:
                row.hide()  # off screen now, deleted on the next turn of the loop
                row.deleteLater()
        if not reminders:
            self.hide()
            return
        now, tz, settings = self._clock.now(), self._service.timezone(), self._settings.current
        self._stacked = self._room() < STACK_BELOW
        self.title.setText(f"{len(reminders)} 条提醒到期")
        for reminder in reminders[:MAX_ROWS]:
            row = self._row(
                reminder.id,
                kind_text(reminder),
                who_text(reminder, settings),
                due_text(reminder, now, tz),
            )
            self._rows.addWidget(row)
            row.show()  # counted in the size now (added to a shown alert, it was shown later)
        hidden = len(reminders) - MAX_ROWS
        self.more.setText(f"另有 {hidden} 条，见提醒列表" if hidden > 0 else "")
        self.more.setVisible(hidden > 0)
        self._place()
        self.show()
        QTimer.singleShot(0, self._place)  # again once the window's layout has settled
        self.raise_()

    def _row(self, reminder_id: str, kind: str, who: str, due: str) -> QWidget:
        row = QWidget()
        row.setProperty("reminder_id", reminder_id)
        label = QLabel(f"【{kind}】{who}　{due}")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)  # the compact window is narrower than one line of it
        call = _button("立即回电", f"立即回电 {who}")
        call.clicked.connect(lambda: self.call_back_requested.emit(reminder_id))
        later = _button("提醒稍后", f"稍后提醒 {who}")
        later.setToolTip(f"{SNOOZE_MINUTES} 分钟后再提醒")
        later.clicked.connect(lambda: self._snooze(reminder_id))
        done = _button("提醒已办", f"提醒已办 {who}")
        done.setToolTip("把这条提醒标为已办（不是通话的完成）")
        done.clicked.connect(lambda: self.done_requested.emit(reminder_id))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        if self._stacked:
            outer = QVBoxLayout(row)
            outer.setContentsMargins(0, 0, 0, 4)
            outer.setSpacing(2)
            outer.addWidget(label)
            outer.addLayout(buttons)
            buttons.addStretch(1)
        else:
            outer_h = QHBoxLayout(row)
            outer_h.setContentsMargins(0, 0, 0, 0)
            outer_h.addWidget(label, 1)
            outer_h.addLayout(buttons)
        for button in (call, later, done):
            buttons.addWidget(button)
        return row

    def _snooze(self, reminder_id: str) -> None:
        try:
            self._service.snooze(reminder_id, SNOOZE_MINUTES)
        except ReminderError as error:
            self.more.setText(str(error))
            self.more.show()

    def _area(self) -> QRect | None:
        area = getattr(self.parentWidget(), "alert_area", None)
        rect = area() if callable(area) else None
        return rect if rect is not None and rect.isValid() else None

    def _room(self) -> int:
        """The width the alert may take."""
        rect = self._area()
        if rect is not None:
            return max(320, rect.width() - 2 * MARGIN)
        parent = self.parentWidget()
        return parent.width() - 2 * MARGIN if parent is not None else STACK_BELOW

    def _fit(self, room: int) -> None:
        """As wide as it wants up to `room`, and as tall as its wrapped text is at that width
        (adjustSize took the height for the unclamped width: the rows' text was cut off)."""
        self.setMaximumWidth(room)
        width = min(room, self.sizeHint().width())
        layout = self.layout()
        height = (
            layout.totalHeightForWidth(width)
            if layout is not None and layout.hasHeightForWidth()
            else self.sizeHint().height()
        )
        self.resize(width, max(height, self.minimumSizeHint().height()))

    def _place(self) -> None:
        """Bottom-right of the window's alert area (over the side panels: never over the
        call controls, intent buttons, notes or wrap-up), else the window's corner."""
        if self.isVisible() and (self._room() < STACK_BELOW) != self._stacked:
            self._refresh()  # the area got narrower or wider: rows the other way round
            return
        parent = self.parentWidget()
        rect = self._area()
        if rect is not None:
            self._fit(self._room())
            self.move(
                max(0, rect.right() - self.width() - MARGIN),
                max(rect.top(), rect.bottom() - self.height() - MARGIN),
            )
            return
        if parent is None:
            return
        self._fit(self._room())
        self.move(
            max(0, parent.width() - self.width() - MARGIN),
            max(0, parent.height() - self.height() - MARGIN),
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        moved = event.type() in (QEvent.Type.Resize, QEvent.Type.Move)
        if moved and watched in self._watched and self.isVisible():
            self._place()
        return False
