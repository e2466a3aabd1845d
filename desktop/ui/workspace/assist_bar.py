"""Text assist under the notes: suggested call types (never applied by themselves), the
complaint signal with its one-click priority path, and phrase warnings with alternatives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.services.text_assist import Assist

if TYPE_CHECKING:
    from desktop.core.text.phrases import PhraseHit


class AssistBar(QWidget):
    intent_accepted = Signal(str)
    complaint_path_accepted = Signal()
    calming_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggest_row = QWidget()
        row = QHBoxLayout(self.suggest_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("类型建议："))
        self.suggest_buttons = [QPushButton(), QPushButton()]
        for n, button in enumerate(self.suggest_buttons, start=1):
            button.setToolTip(f"采纳建议（Alt+{n}）")
            # the reason's length must never widen the notes column (and re-wrap the scripts)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.clicked.connect(
                lambda _=False, b=button: self.intent_accepted.emit(b.property("intent"))
            )
            row.addWidget(button)
            shortcut = QShortcut(QKeySequence(f"Alt+{n}"), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda b=button: b.isVisible() and b.click())
        self.signal_row = QWidget()
        self.signal_row.setStyleSheet("background: #fde2e1; color: #8a1c1c;")
        signal_layout = QVBoxLayout(self.signal_row)
        signal_layout.setContentsMargins(4, 2, 4, 2)
        signal_layout.setSpacing(2)
        srow = QHBoxLayout()
        self.signal_label = QLabel("")
        self.signal_label.setWordWrap(True)
        self.accept_complaint = QPushButton("按投诉·紧急处理 Alt+U")
        self.accept_complaint.clicked.connect(self.complaint_path_accepted)
        self.calming = QPushButton("安抚话术")
        self.calming.clicked.connect(self.calming_requested)
        urgent = QShortcut(QKeySequence("Alt+U"), self)
        urgent.setContext(Qt.ShortcutContext.WindowShortcut)
        urgent.activated.connect(self._accept_complaint_if_shown)
        signal_layout.addWidget(self.signal_label)
        signal_layout.addLayout(srow)
        srow.addWidget(self.accept_complaint)
        srow.addWidget(self.calming)
        srow.addStretch(1)
        self.phrase_label = QLabel("")
        self.phrase_label.setWordWrap(True)
        self.phrase_label.setStyleSheet("color: #8a4b00;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.suggest_row)
        layout.addWidget(self.signal_row)
        layout.addWidget(self.phrase_label)
        self.show_assist(Assist(), current_intent=None)

    def _accept_complaint_if_shown(self) -> None:
        """Alt+U accepts the complaint path only while the signal row offers it."""
        if self.signal_row.isVisible():
            self.accept_complaint.click()

    def show_assist(
        self, assist: Assist, current_intent: str | None, labels: dict[str, str] | None = None
    ) -> None:
        labels = labels or {}
        offered = [s for s in assist.suggestions if s.call_type != current_intent]
        for button, suggestion in zip(self.suggest_buttons, [*offered, None, None], strict=False):
            button.setVisible(suggestion is not None)
            if suggestion is not None:
                label = labels.get(suggestion.call_type, suggestion.call_type)
                button.setText(f"{label}（{suggestion.reason}）")
                button.setToolTip(f"{label}：{suggestion.reason}")
                button.setProperty("intent", suggestion.call_type)
        self.suggest_row.setVisible(bool(offered))
        signal = assist.signal
        self.signal_row.setVisible(signal.is_complaint)
        if signal.is_complaint:
            level = "紧急" if signal.urgent else "注意"
            self.signal_label.setText(f"⚠ 投诉信号（{level}）：" + "；".join(signal.reasons))
        hits = assist.phrase_hits
        self.phrase_label.setVisible(bool(hits))
        self.phrase_label.setText(phrase_advice(hits))


def phrase_advice(hits: list[PhraseHit]) -> str:
    """ "用语提醒：「没办法」→ 可以说「…」", the first three hits; "" when there are none."""
    if not hits:
        return ""
    shown = "；".join(f"「{h.phrase}」→ 可以说「{h.alternative}」" for h in hits[:3])
    more = f"（另有 {len(hits) - 3} 处）" if len(hits) > 3 else ""
    return "用语提醒：" + shown + more


def underline_phrases(editor: QPlainTextEdit, hits: list[PhraseHit]) -> None:
    """Wavy underline on each hit; offsets are code points, Qt counts UTF-16 units."""
    text = editor.toPlainText()
    fmt = QTextCharFormat()
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    fmt.setUnderlineColor(QColor("#d35400"))
    selections = []
    for hit in hits:
        start = _utf16(text, hit.start)
        end = start + _utf16(text[hit.start : hit.end], hit.end - hit.start)
        cursor = QTextCursor(editor.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = fmt
        selections.append(selection)
    editor.setExtraSelections(selections)


def _utf16(text: str, index: int) -> int:
    """UTF-16 length of text[:index] (characters outside the BMP count twice)."""
    prefix = text[:index]
    return index + sum(1 for ch in prefix if ord(ch) > 0xFFFF)
