"""Starting a call by hand (Ctrl+N), inline: an optional number, and when another call is
still open, the choice of what happens to it (never dropped)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class NewCallBar(QWidget):
    start_requested = Signal(str, str)  # number, what to do with the open call: "wrap"|"keep"|""
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = QLineEdit()
        self.number.setPlaceholderText("来电号码（可不填）")
        self.number.setAccessibleName("新来电号码")
        self.number.returnPressed.connect(self._default)
        self.question = QLabel("")
        self.start = QPushButton("开始")
        self.start.clicked.connect(lambda: self.start_requested.emit(self.number.text(), ""))
        self.wrap_open = QPushButton("当前通话转入话后，开始新通话")
        self.wrap_open.clicked.connect(
            lambda: self.start_requested.emit(self.number.text(), "wrap")
        )
        self.keep_both = QPushButton("保留两个通话")
        self.keep_both.clicked.connect(
            lambda: self.start_requested.emit(self.number.text(), "keep")
        )
        cancel = QPushButton("取消 Esc")
        cancel.clicked.connect(self.cancelled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("新来电："))
        layout.addWidget(self.number, 1)
        layout.addWidget(self.question)
        for button in (self.start, self.wrap_open, self.keep_both, cancel):
            layout.addWidget(button)
        self._has_open = False

    def open_for(self, has_active_call: bool) -> None:
        self._has_open = has_active_call
        self.question.setText("当前通话尚未结束：" if has_active_call else "")
        self.start.setVisible(not has_active_call)
        self.wrap_open.setVisible(has_active_call)
        self.keep_both.setVisible(has_active_call)
        self.number.clear()
        self.show()
        self.number.setFocus()

    def _default(self) -> None:
        """Enter with an open call keeps both: the safe choice that loses nothing."""
        self.start_requested.emit(self.number.text(), "keep" if self._has_open else "")
