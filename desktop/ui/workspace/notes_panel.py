"""Call notes that save themselves: 300 ms after the last keystroke, and at least every
800 ms while typing goes on, so a killed process loses under a second of typing."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

IDLE_SAVE_MS = 300
MAX_UNSAVED_MS = 800
COMPACT_LINES = 3  # compact: the editor shows a few lines and scrolls; the scripts get the room


class NotesPanel(QWidget):
    save_requested = Signal(str)  # the whole text
    text_edited = Signal(str)  # every change, for the text assist

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("通话记录（自动保存）")
        title.setObjectName("panelTitle")
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("通话记录")
        self.editor.setPlaceholderText("记录客户诉求、处理过程、承诺事项…（Ctrl+L）")
        self.editor.textChanged.connect(self._changed)
        self.status = QLabel("")
        self.status.setObjectName("notesStatus")
        self.status.setWordWrap(True)
        self.assist = QVBoxLayout()  # the text assist places its suggestion rows here
        header = QHBoxLayout()  # the save state beside the title: no line of its own
        header.addWidget(title)
        header.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.editor, 1)
        layout.addLayout(self.assist)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_SAVE_MS)
        self._idle.timeout.connect(self.flush)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(MAX_UNSAVED_MS)
        self._deadline.timeout.connect(self.flush)
        self._loading = False
        self._dirty = False

    def set_compact(self, compact: bool) -> None:
        if compact:
            lines = COMPACT_LINES * self.editor.fontMetrics().lineSpacing()
            self.editor.setFixedHeight(lines + 2 * self.editor.frameWidth() + 10)
        else:
            self.editor.setMinimumHeight(0)
            self.editor.setMaximumHeight(16777215)

    def load(self, text: str, editable: bool) -> None:
        """Show a call's notes (flushing the previous call's first is the caller's job)."""
        self._loading = True
        if self.editor.toPlainText() != text:
            self.editor.setPlainText(text)
        self.editor.setReadOnly(not editable)
        self._loading = False
        self._dirty = False
        self.status.setText("")

    def _changed(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self._idle.start()
        if not self._deadline.isActive():
            self._deadline.start()
        self.text_edited.emit(self.editor.toPlainText())

    def flush(self) -> None:
        """Save now if anything changed since the last save."""
        self._idle.stop()
        self._deadline.stop()
        if self._dirty:
            self._dirty = False
            self.save_requested.emit(self.editor.toPlainText())

    def show_saved(self, message: str) -> None:
        self.status.setStyleSheet("")
        self.status.setText(message)

    def show_unsaved(self, reason: str, kept_at: str = "") -> None:
        """The database did not take the text: say so in red, and where it is kept."""
        self.status.setStyleSheet("color: #b00020; font-weight: bold;")
        where = f"；已临时保存在 {kept_at}" if kept_at else "；文字仍在本窗口中，请勿关闭"
        self.status.setText(f"未保存：{reason}，正在重试{where}")
