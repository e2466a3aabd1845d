"""The screen pop: this caller's earlier calls and open reminders, repeat callers and open
complaints highlighted."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.core.calendar import AgentCalendar
from desktop.core.calls import OUTCOME_LABELS, STATUS_LABELS
from desktop.core.reminders import KIND_LABELS
from desktop.services.call_screen import CallerHistory


class HistoryPanel(QWidget):
    call_selected = Signal(str)

    def hasHeightForWidth(self) -> bool:
        """A word-wrapped label makes the panel height-for-width, and a box layout then
        gives it exactly that height however short the column: the history and the
        reminders, stacked in the side column, overlapped when a banner took height."""
        return False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("来电历史")
        title.setObjectName("panelTitle")
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setObjectName("historyBanner")
        self.list = QListWidget()
        self.list.setAccessibleName("来电历史")
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.banner)
        layout.addWidget(self.list, 1)

    def show_history(
        self,
        history: CallerHistory | None,
        type_labels: dict[str, str],
        calendar: AgentCalendar | None = None,
    ) -> None:
        calendar = calendar or AgentCalendar()
        self.list.clear()
        if history is None or not history.phone:
            self.banner.setText("无号码：没有历史记录" if history is not None else "")
            self.banner.setStyleSheet("")
            return
        flags = []
        if history.open_complaint:
            flags.append("⚠ 有未结投诉")
        if history.repeat_caller:
            flags.append(f"重复来电（{len(history.calls)} 次）")
        if history.open_reminders:
            flags.append(f"待办提醒 {len(history.open_reminders)} 条")
        name = history.customer_name or "新客户"
        self.banner.setText(f"{name}　" + ("　".join(flags) if flags else "首次来电"))
        self.banner.setStyleSheet(
            "background: #fde2e1; color: #8a1c1c; padding: 4px;"
            if history.open_complaint
            else ("background: #fff4cc; padding: 4px;" if history.repeat_caller else "")
        )
        for reminder in history.open_reminders:
            due = calendar.format_iso(reminder["due_at"])
            item = QListWidgetItem(
                f"【提醒】{KIND_LABELS.get(reminder['kind'], reminder['kind'])} {due}  {reminder.get('note') or ''}"
            )
            item.setForeground(QBrush(QColor("#8a4b00")))
            self.list.addItem(item)
        for entry in history.calls:
            when = calendar.format_iso(entry.started_at)
            intent = type_labels.get(entry.intent or "", "未分类")
            outcome = OUTCOME_LABELS.get(entry.outcome or "", STATUS_LABELS.get(entry.status, ""))
            item = QListWidgetItem(f"{when}  {intent} · {outcome}\n{entry.notes_preview}")
            item.setData(Qt.ItemDataRole.UserRole, entry.call_id)
            if entry.intent == "complaint" and entry.outcome != "resolved":
                item.setBackground(QBrush(QColor("#fde2e1")))
            self.list.addItem(item)

    def _selected(self, item: QListWidgetItem) -> None:
        call_id = item.data(Qt.ItemDataRole.UserRole)
        if call_id:
            self.call_selected.emit(call_id)
