"""The eight call-intent buttons (F1–F8) and the priority selector."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QPushButton, QWidget

from desktop.core.calls import PRIORITY_LABELS
from desktop.core.content.model import CallType


class IntentBar(QWidget):
    intent_chosen = Signal(str)
    priority_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intentBar")
        self._grid = QGridLayout()
        self._grid.setSpacing(6)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._buttons: dict[str, QPushButton] = {}
        self._shortcuts: list[QShortcut] = []
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._priority = QButtonGroup(self)
        self._priority_buttons: dict[str, QPushButton] = {}
        prio_row = QHBoxLayout()
        prio_row.setSpacing(4)
        for key, label in PRIORITY_LABELS.items():
            button = QPushButton(label)
            button.setCheckable(True)
            button.setAccessibleName(f"优先级 {label}")
            button.setObjectName(f"priority_{key}")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the caret in the notes
            button.clicked.connect(lambda _=False, k=key: self.priority_chosen.emit(k))
            self._priority.addButton(button)
            self._priority_buttons[key] = button
            prio_row.addWidget(button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._grid, 1)
        layout.addLayout(prio_row)
        self._columns = 8

    def set_call_types(self, call_types: tuple[CallType, ...]) -> None:
        for button in self._buttons.values():
            self._group.removeButton(button)
            button.deleteLater()
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._buttons.clear()
        self._shortcuts.clear()
        for call_type in call_types:
            button = QPushButton(f"{call_type.label}\n{call_type.shortcut}")
            button.setCheckable(True)
            button.setMinimumHeight(self._button_height())
            button.setAccessibleName(call_type.label)
            # Tab still reaches it; a click (mid-sentence in the notes) leaves the focus where
            # the agent was typing, so the notes keep the caret and nothing repaints for it.
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.setToolTip(f"{call_type.description}（{call_type.shortcut}）")
            button.setStyleSheet(
                f"QPushButton {{ background: {call_type.color}; color: white; border-radius: 6px;"
                f" font-weight: bold; padding: 4px; }}"
                f"QPushButton:checked {{ border: 3px solid #1b1b1b; }}"
                f"QPushButton:disabled {{ background: #c8c8c8; }}"
            )
            button.clicked.connect(lambda _=False, k=call_type.key: self.intent_chosen.emit(k))
            self._group.addButton(button)
            self._buttons[call_type.key] = button
            shortcut = QShortcut(QKeySequence(call_type.shortcut), self.window())
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(lambda b=button: b.isEnabled() and b.click())
            self._shortcuts.append(shortcut)
        self._relayout()

    def set_columns(self, columns: int) -> None:
        """8 in one row (full); 4 in two lower rows (compact, where height is scarce)."""
        self._columns = columns
        for button in self._buttons.values():
            button.setMinimumHeight(self._button_height())
        self._relayout()

    def _button_height(self) -> int:
        lines = 2 * self.fontMetrics().lineSpacing() + 14  # label, key, padding, checked border
        return max(lines, 48 if self._columns >= 8 else 36)

    def _relayout(self) -> None:
        for index, button in enumerate(self._buttons.values()):
            self._grid.addWidget(button, index // self._columns, index % self._columns)

    def show_call(self, intent: str | None, priority: str | None, enabled: bool) -> None:
        self._group.setExclusive(False)
        for key, button in self._buttons.items():
            button.setChecked(key == intent)
            button.setEnabled(enabled)
        self._group.setExclusive(True)
        for key, button in self._priority_buttons.items():
            button.setChecked(key == priority)
            button.setEnabled(enabled)

    def button(self, intent: str) -> QPushButton:
        return self._buttons[intent]

    def priority_button(self, priority: str) -> QPushButton:
        return self._priority_buttons[priority]
