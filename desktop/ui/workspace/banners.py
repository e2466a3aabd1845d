"""Short notes where the agent is looking (just under the call bar): a confirmation that
would otherwise only reach the status bar, a second call ringing, a missed call to call
back. None of them takes keyboard focus."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

INLINE_NOTE_MS = 6000


def _button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click acts without moving the caret
    return button


class InlineNote(QLabel):
    """One line that repeats an important status message for a few seconds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inlineNote")
        self.setAccessibleName("提示")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet(
            "#inlineNote { background: #e8f1fb; color: #0d3c61; border-radius: 4px; padding: 2px 6px; }"
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_note(self, text: str, ms: int = INLINE_NOTE_MS) -> None:
        self.setText(text)
        self.show()
        self._timer.start(ms)


class RingBanner(QFrame):
    """第二路来电: another call rings while one is in progress or in wrap-up."""

    switch_requested = Signal(str)  # call id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ringBanner")
        self.setAccessibleName("第二路来电")
        self.setStyleSheet(
            "#ringBanner { background: #fff0c2; border: 2px solid #e09b00; border-radius: 5px; }"
        )
        self.label = QLabel("")
        self.label.setStyleSheet("font-weight: bold;")
        self.label.setWordWrap(True)
        self.switch = _button("切换并接听 Ctrl+Shift+A")
        self.switch.clicked.connect(lambda: self.switch_requested.emit(self.call_id))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.switch)
        self.call_id: str = ""
        self.hide()

    def ring(self, call_id: str, who: str) -> None:
        self.call_id = call_id
        self.label.setText(f"第二路来电：{who}")
        self.show()

    def clear(self, call_id: str | None = None) -> None:
        if call_id is None or call_id == self.call_id:
            self.call_id = ""
            self.hide()


class MissedBanner(QFrame):
    """A missed call: one key makes the callback reminder."""

    remind_requested = Signal(str)  # call id
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("missedBanner")
        self.setAccessibleName("未接来电")
        self.setStyleSheet(
            "#missedBanner { background: #fde2e1; border: 1px solid #c0392b; border-radius: 5px; }"
        )
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.remind = _button("建回电提醒 Alt+M")
        self.remind.clicked.connect(lambda: self.remind_requested.emit(self.call_id))
        close = _button("忽略")
        close.clicked.connect(self.clear)
        close.clicked.connect(self.dismissed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.remind)
        layout.addWidget(close)
        self.call_id: str = ""
        self.hide()

    def offer(self, call_id: str, who: str, delay_minutes: int) -> None:
        self.call_id = call_id
        self.label.setText(f"未接来电：{who}。{delay_minutes} 分钟后提醒回电？")
        self.show()

    def clear(self) -> None:
        self.call_id = ""
        self.hide()
