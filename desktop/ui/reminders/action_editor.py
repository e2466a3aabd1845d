"""The inline editor that asks what an action needs (snooze how long, the result, the new
time, the reason to cancel): never a modal dialog, so a call in progress is never blocked."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton

from desktop.ui.time_edit import get_wall, set_wall, wall_edit

TEXT_PROMPTS = {"done": ("结果：", "如：已回电，客户同意换货"), "cancel": ("取消原因：", "必填")}
TIME_LABELS = {"snooze": "稍后提醒：", "snooze_until": "提醒时间：", "reschedule": "改到："}


class ReminderActionEditor(QFrame):
    confirmed = Signal(str, str, str, object)  # mode, reminder id, text, wall time or None
    snooze_chosen = Signal(str, int)  # reminder id, minutes
    custom_snooze = Signal(str)  # reminder id: ask for a time
    closed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("reminderEditor")
        self.editing: tuple[str, str] | None = None  # mode, reminder id
        self.label = QLabel("")
        self.snooze_buttons: dict[str, QPushButton] = {}
        for text, minutes in (("10 分钟", 10), ("1 小时", 60)):
            button = QPushButton(text)
            button.setAccessibleName(f"稍后 {text}")
            button.clicked.connect(lambda _=False, m=minutes: self._snooze(m))
            self.snooze_buttons[text] = button
        custom = QPushButton("自定义…")
        custom.setAccessibleName("稍后 自定义")
        custom.clicked.connect(lambda: self.editing and self.custom_snooze.emit(self.editing[1]))
        self.snooze_buttons["自定义…"] = custom
        self.text = QLineEdit()
        self.text.returnPressed.connect(self.confirm)
        self.time = wall_edit("提醒新时间")
        self.time.hide()
        self.ok = QPushButton("确定")
        self.ok.setAccessibleName("确定")
        self.ok.clicked.connect(self.confirm)
        close = QPushButton("放弃")
        close.setAccessibleName("放弃")
        close.clicked.connect(self.close_editor)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        for button in self.snooze_buttons.values():
            layout.addWidget(button)
        for widget in (self.text, self.time, self.ok, close):
            layout.addWidget(widget)
        escape = QShortcut(QKeySequence("Esc"), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_editor)
        self.hide()

    def open_for(self, mode: str, reminder_id: str, default_wall: datetime | None = None) -> None:
        """Ask for what `mode` needs; a timed mode starts at `default_wall` (agent's zone)."""
        self.editing = (mode, reminder_id)
        self.label.setText(TEXT_PROMPTS[mode][0] if mode in TEXT_PROMPTS else TIME_LABELS[mode])
        for button in self.snooze_buttons.values():
            button.setVisible(mode == "snooze")
        self.text.setVisible(mode in TEXT_PROMPTS)
        self.text.clear()
        if mode in TEXT_PROMPTS:
            self.text.setPlaceholderText(TEXT_PROMPTS[mode][1])
            self.text.setAccessibleName(TEXT_PROMPTS[mode][0].rstrip("："))
        timed = mode in ("snooze_until", "reschedule")
        self.time.setVisible(timed)
        if timed and default_wall is not None:
            set_wall(self.time, default_wall)
        self.ok.setVisible(mode != "snooze")
        self.show()
        focus = {
            "snooze": self.snooze_buttons["10 分钟"],
            "done": self.text,
            "cancel": self.text,
        }.get(mode, self.time)
        focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_editor(self) -> None:
        self.editing = None
        self.hide()
        self.closed.emit()

    def confirm(self) -> None:
        if not self.editing:
            return
        mode, reminder_id = self.editing
        timed = mode in ("snooze_until", "reschedule")
        self.confirmed.emit(
            mode, reminder_id, self.text.text(), get_wall(self.time) if timed else None
        )

    def _snooze(self, minutes: int) -> None:
        if self.editing:
            self.snooze_chosen.emit(self.editing[1], minutes)
