"""Wrap-up without a modal dialog: pick the outcome; if required steps are unticked the bar
says which and asks for a reason before 完成 is allowed. During the call the bar is one row
of outcomes (they can be chosen early); the warning and the reason appear once the call is
in wrap-up or an outcome is chosen, not at the first second of every call."""

from __future__ import annotations

import itertools
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.calendar import AgentCalendar
from desktop.core.calls import OUTCOME_LABELS
from desktop.ui.time_edit import get_wall, set_wall, wall_edit

# One key per outcome, shown on its button; they work from any field while the bar is shown.
OUTCOME_KEYS: dict[str, str] = {
    "resolved": "Shift+F1",
    "follow_up": "Shift+F2",
    "transferred": "Shift+F3",
    "unrelated": "Shift+F4",
    "abandoned": "Shift+F5",
}
COMPACT_OUTCOME_COLUMNS = 3  # compact: the five outcomes in two rows, inside 600 px
FOCUS_STYLE = (
    "#wrapUpBar QPushButton:focus, #wrapUpBar QCheckBox:focus, #wrapUpBar QLineEdit:focus,"
    " #wrapUpBar QDateTimeEdit:focus { border: 2px solid #1565c0; border-radius: 3px; }"
)


class WrapUpBar(QWidget):
    complete_requested = Signal(str, str, object)  # outcome, skip reason, promised (UTC) or None
    promised_changed = Signal(object)  # datetime (UTC) or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wrapUpBar")
        self.warning = QLabel("")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a1c1c;")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("未完成必做步骤的原因（必填）")
        self.reason.setAccessibleName("跳过原因")
        self.reason.textChanged.connect(self._update_enabled)
        self.reason.returnPressed.connect(self._complete)
        self.outcomes = QButtonGroup(self)
        self.outcomes.setExclusive(True)
        self._row = QGridLayout()
        self._row.addWidget(QLabel("处理结果："), 0, 0)
        self._buttons: dict[str, QPushButton] = {}
        for key, label in OUTCOME_LABELS.items():
            button = QPushButton(f"{label} {OUTCOME_KEYS[key]}")
            button.setCheckable(True)
            button.setAccessibleName(f"结果 {label}")
            button.setToolTip(f"处理结果：{label}（{OUTCOME_KEYS[key]}）")
            button.clicked.connect(self._update_enabled)
            self.outcomes.addButton(button)
            self._buttons[key] = button
        self._place_outcomes(len(self._buttons))
        finish = QHBoxLayout()  # a second row, so the compact layout stays narrow
        self.promise = QCheckBox("约定回电")
        self.promise.setToolTip("与客户约定的回电时间：到时提醒，不受上班时间调整")
        self._calendar = AgentCalendar()
        # Plain wall time in the agent's zone; the calendar converts (the time policy).
        self.promise_at = wall_edit("约定回电时间", "MM-dd HH:mm")
        self.promise_at.setEnabled(False)
        self.promise.toggled.connect(self.promise_at.setEnabled)
        self.promise.toggled.connect(lambda _on: self.promised_changed.emit(self.promised()))
        # only a promise the agent set changes the scripts' {promised_time}: the default
        # offered on every render (now + 2 h) does not
        self.promise_at.dateTimeChanged.connect(self._promise_time_changed)
        finish.addWidget(self.promise)
        finish.addWidget(self.promise_at)
        finish.addStretch(1)
        self.complete = QPushButton("完成 Ctrl+Enter")
        self.complete.setAccessibleName("完成")
        self.complete.clicked.connect(self._complete)
        finish.addWidget(self.complete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._row)
        layout.addLayout(finish)
        layout.addWidget(self.warning)
        layout.addWidget(self.reason)
        self.setStyleSheet(FOCUS_STYLE)
        # Tab goes through the outcomes in order, the promise, the reason, then 完成.
        chain = [*self._buttons.values(), self.promise, self.promise_at, self.reason, self.complete]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        for key, keys in OUTCOME_KEYS.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda k=key: self.outcome_key(k))
        self._missing: list[str] = []
        self._ending = False
        self.show_state([], None)

    def _place_outcomes(self, columns: int) -> None:
        for index, button in enumerate(self._buttons.values()):
            self._row.addWidget(button, index // columns, 1 + index % columns)
        for column in range(1, len(self._buttons) + 2):
            self._row.setColumnStretch(column, 0)
        self._row.setColumnStretch(columns + 1, 1)  # the buttons keep their width, left

    def set_compact(self, compact: bool) -> None:
        self._place_outcomes(COMPACT_OUTCOME_COLUMNS if compact else len(self._buttons))

    def show_state(
        self, missing_labels: list[str], outcome: str | None, ending: bool = True
    ) -> None:
        """`ending`: the call is in wrap-up (else still active: the warning waits until an
        outcome is chosen)."""
        self._missing = missing_labels
        self._ending = ending
        if missing_labels:
            self.warning.setText(
                "⚠ 必做步骤未完成：" + "、".join(missing_labels) + "。请补做或填写原因。"
            )
        if outcome in self._buttons:
            self._buttons[outcome].setChecked(True)
        self._update_enabled()

    def choose(self, outcome: str) -> None:
        self._buttons[outcome].setChecked(True)
        self._update_enabled()

    def outcome_key(self, outcome: str) -> None:
        if self.isVisible():
            self.choose(outcome)  # the caret stays where the agent is typing

    def outcome_button(self, outcome: str) -> QPushButton:
        return self._buttons[outcome]

    def selected_outcome(self) -> str | None:
        return next((k for k, b in self._buttons.items() if b.isChecked()), None)

    def set_calendar(self, calendar: AgentCalendar) -> None:
        self._calendar = calendar

    def promised(self) -> datetime | None:
        """The agreed callback time in UTC, when the agent set one."""
        if not self.promise.isChecked():
            return None
        return self._calendar.from_local(self.promised_wall())

    def promised_wall(self) -> datetime:
        """What the editor shows: naive wall time in the agent's zone."""
        return get_wall(self.promise_at)

    def set_promised_wall(self, wall: datetime) -> None:
        set_wall(self.promise_at, wall)

    def prepare_promise(self, default: datetime) -> None:
        """Offer `default` (an aware instant) as the promise time, unless one is set."""
        if not self.promise.isChecked():
            self.set_promised_wall(self._calendar.to_wall(default))

    def reset(self) -> None:
        self.promise.setChecked(False)
        self.outcomes.setExclusive(False)
        for button in self._buttons.values():
            button.setChecked(False)
        self.outcomes.setExclusive(True)
        self.reason.clear()

    def _update_enabled(self) -> None:
        chosen = self.selected_outcome() is not None
        asking = bool(self._missing) and (self._ending or chosen)
        self.warning.setVisible(asking)
        self.reason.setVisible(asking)
        ready = chosen and (not self._missing or bool(self.reason.text().strip()))
        self.complete.setEnabled(ready)

    def _promise_time_changed(self, _dt: object) -> None:
        if self.promise.isChecked():
            self.promised_changed.emit(self.promised())

    def _complete(self) -> None:
        outcome = self.selected_outcome()
        if outcome and self.complete.isEnabled():
            self.complete_requested.emit(outcome, self.reason.text().strip(), self.promised())
