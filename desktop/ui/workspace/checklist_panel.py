"""The guided checklist: steps in order, required ones marked, ticks with time, the current
step's hint. Space/Enter (in the list) and Ctrl+T (anywhere) tick the current step and move
on, so a checklist of any length is finished from the keyboard; they never untick. Delete
unticks the selected step, visibly; Ctrl+1…9 toggle a step by number. The panel only emits,
the service saves."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.calendar import AgentCalendar
from desktop.core.content.model import ChecklistStep

STEP_ROLE = Qt.ItemDataRole.UserRole
COMPACT_ROWS = 4  # compact: the list shows this many steps around the current one


class ChecklistPanel(QWidget):
    tick_requested = Signal(str, bool)  # step key, ticked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = QLabel("流程清单")
        self._title.setObjectName("panelTitle")
        self._progress = QLabel("")
        self._progress.setWordWrap(True)  # a narrow column wraps it rather than widening
        self._list = QListWidget()
        self._list.setAccessibleName("流程清单")
        self._list.itemChanged.connect(self._item_changed)
        self._list.installEventFilter(self)
        self._hint = QLabel("")
        self._hint.setWordWrap(True)
        self._hint.setObjectName("stepHint")
        header = QHBoxLayout()  # one line for the title and the progress
        header.addWidget(self._title)
        header.addWidget(self._progress, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self._list, 1)
        layout.addWidget(self._hint)
        self._steps: tuple[ChecklistStep, ...] = ()
        self._compact = False
        self._rendering = False
        self.current_step: str | None = None
        tick = QShortcut(QKeySequence("Ctrl+T"), self)
        tick.setContext(Qt.ShortcutContext.WindowShortcut)
        tick.activated.connect(self.tick_current)
        for n in range(1, 10):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{n}"), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda i=n - 1: self._toggle_index(i))

    @property
    def list_widget(self) -> QListWidget:
        return self._list

    def set_compact(self, compact: bool) -> None:
        """Compact: a few steps in view (the list scrolls to the current one), so the scripts
        below keep the room."""
        self._compact = compact
        self._fit_rows()

    def _fit_rows(self) -> None:
        if not self._compact:
            self._list.setMaximumHeight(16777215)
            return
        row = self._list.sizeHintForRow(0) if self._list.count() else -1
        row = row if row > 0 else self._list.fontMetrics().lineSpacing() + 2
        self._list.setMaximumHeight(COMPACT_ROWS * row + 2 * self._list.frameWidth())

    def show_steps(
        self,
        steps: tuple[ChecklistStep, ...],
        ticked: dict[str, str],
        enabled: bool,
        calendar: AgentCalendar | None = None,
    ) -> None:
        """Render steps with tick times; the first unticked step is the current one."""
        self._rendering = True
        self._steps = steps
        calendar = calendar or AgentCalendar()
        same = self._list.count() == len(steps) and all(
            self._list.item(i).data(STEP_ROLE) == s.key for i, s in enumerate(steps)
        )
        # Other steps (another call type) reuse the rows there are, rewritten below, rather
        # than clearing the list and making them all again; only the count changes.
        existing = self._list.count()
        if not same:
            self._list.setCurrentRow(-1)
            self._list.scrollToTop()
            while existing > len(steps):
                existing -= 1
                self._list.takeItem(existing)
        current = next((s.key for s in steps if s.key not in ticked), None)
        self.current_step = current
        bold, regular = QFont(), QFont()
        bold.setBold(True)
        band, no_band = QBrush(QColor("#fff4cc")), QBrush()
        for index, step in enumerate(steps):
            added = index >= existing
            item = QListWidgetItem() if added else self._list.item(index)
            at = ticked.get(step.key)
            mark = "（必做）" if step.required else ""
            when = f"  ✓ {calendar.format_iso(at, '%H:%M:%S')}" if at else ""
            item.setText(f"{index + 1}. {step.label}{mark}{when}")
            item.setData(STEP_ROLE, step.key)
            item.setToolTip(step.hint)
            flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
            if enabled:
                flags |= Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if at else Qt.CheckState.Unchecked)
            is_current = step.key == current
            item.setFont(bold if is_current else regular)
            item.setBackground(band if is_current else no_band)
            if added:
                self._list.addItem(item)
        done = sum(1 for s in steps if s.key in ticked)
        required_left = [s.label for s in steps if s.required and s.key not in ticked]
        self._progress.setText(
            f"进度 {done}/{len(steps)}"
            + (f"  · 必做未完成 {len(required_left)}" if required_left else "")
            if steps
            else "请先选择来电类型（F1–F8）"
        )
        hint_step = next((s for s in steps if s.key == current), None)
        self._hint.setText(f"提示：{hint_step.hint}" if hint_step else "")
        if current is not None and self._list.currentRow() < 0:
            self._list.setCurrentRow([s.key for s in steps].index(current))
        if not same:
            self._fit_rows()  # the rows' real height is known once they exist
        self._rendering = False

    def focused_step(self) -> str | None:
        """The step the list's cursor is on (the one the scripts follow), else the first
        unticked one."""
        item = self._list.currentItem()
        key = item.data(STEP_ROLE) if item is not None else None
        return key or self.current_step

    def tick_current(self) -> None:
        """Tick the focused step if it is not ticked yet, then move to the next unticked step.
        A step already ticked stays ticked (the hint says how to untick)."""
        item: QListWidgetItem | None = self._list.currentItem()
        if item is None or not (item.flags() & Qt.ItemFlag.ItemIsEnabled):
            row = self._row_of(self.current_step)
            item = self._list.item(row) if row >= 0 else None
        if item is None or not (item.flags() & Qt.ItemFlag.ItemIsEnabled):
            return
        if item.checkState() == Qt.CheckState.Checked:
            self._hint.setText("此步骤已勾选；按 Delete 取消勾选")
            return
        item.setCheckState(Qt.CheckState.Checked)  # emits tick_requested, the list re-renders
        row = self._row_of(self.current_step)
        if row >= 0:
            self._list.setCurrentRow(row)

    def untick_selected(self) -> None:
        item = self._list.currentItem()
        enabled = item is not None and bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)
        if item is not None and enabled and item.checkState() == Qt.CheckState.Checked:
            item.setCheckState(Qt.CheckState.Unchecked)

    def _row_of(self, key: str | None) -> int:
        for row in range(self._list.count()):
            if key is not None and self._list.item(row).data(STEP_ROLE) == key:
                return row
        return -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._list and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier  # type: ignore[attr-defined]
            ):
                self.tick_current()
                return True
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.untick_selected()
                return True
        return False

    def progress_text(self) -> str:
        return self._progress.text()

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._rendering:
            return
        self.tick_requested.emit(item.data(STEP_ROLE), item.checkState() == Qt.CheckState.Checked)

    def _toggle(self, item: QListWidgetItem) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            checked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _toggle_index(self, index: int) -> None:
        if 0 <= index < self._list.count():
            self._toggle(self._list.item(index))
