"""The call notice: a small always-on-top window near the screen corner while a call rings.

It must be impossible to miss while the assistant is behind the softphone or a CRM, and it
must steal no keystroke: it is a tool window that does not accept focus and is shown without
activating, so the agent's typing stays where it was.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

MARGIN = 16
WIDTH = 300


class CallNotice(QFrame):
    def __init__(self, answer_key: str = "Ctrl+Shift+A", parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus,
        )
        self.setObjectName("callNotice")
        self.setAccessibleName("来电通知")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setStyleSheet(
            "#callNotice { background: #fffbe6; border: 3px solid #e09b00; border-radius: 8px; }"
            " QLabel { color: #1b1b1b; }"
        )
        self.title = QLabel("来电")
        self.title.setStyleSheet("font-size: 15px; font-weight: bold; color: #8a4b00;")
        self.name = QLabel("")
        self.name.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.number = QLabel("")
        self.number.setStyleSheet("font-size: 15px;")
        self.badge = QLabel("")
        self.badge.setStyleSheet(
            "background: #c0392b; color: white; border-radius: 4px; padding: 1px 6px;"
        )
        self.key = QLabel(f"接听：{answer_key}（在坐席助手中）")
        self.key.setStyleSheet("color: #555;")
        for label in (self.name, self.number, self.badge, self.key):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(4)
        for label in (self.title, self.name, self.number, self.badge, self.key):
            layout.addWidget(label)
        self.setFixedWidth(WIDTH)
        self.call_id = ""

    def show_call(self, call_id: str, name: str, number: str, badges: list[str]) -> None:
        """Show (or update) the notice for a ringing call, without taking focus."""
        self.call_id = call_id
        self.name.setText(name or "未知来电")
        self.number.setText(number or "无号码")
        self.badge.setText(" · ".join(badges))
        self.badge.setVisible(bool(badges))
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()

    def clear(self, call_id: str | None = None) -> None:
        """Gone when the call is answered or ends (None: whatever it shows)."""
        if call_id is None or call_id == self.call_id:
            self.call_id = ""
            self.hide()

    def _place(self) -> None:
        """Bottom-right corner of the screen the main window is on (above the taskbar)."""
        owner = self.parentWidget()
        screen = (owner.screen() if owner is not None else None) or QGuiApplication.primaryScreen()
        area: QRect = screen.availableGeometry()
        self.move(
            area.right() - self.width() - MARGIN + 1, area.bottom() - self.height() - MARGIN + 1
        )
