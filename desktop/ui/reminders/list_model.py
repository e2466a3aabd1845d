"""The reminders list as a Qt item model: groups (已逾期 / 到期 / 即将) with their reminders
as children, built from one `ReminderListing`. The view (a QTreeView) only shows it."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel

from desktop.core.reminders import BUCKET_LABELS, Reminder, ReminderListing
from desktop.services.settings import Settings
from desktop.ui.reminders.text import due_text, kind_text, phone_text

ID_ROLE = Qt.ItemDataRole.UserRole
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("类型", "时间", "客户", "电话", "备注")
BUCKET_COLORS = {"overdue": "#b00020", "due": "#a05a00", "upcoming": ""}
TIME_COLUMN = 1


class ReminderListModel(QStandardItemModel):
    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.reminders: dict[str, Reminder] = {}

    def show_listing(self, listing: ReminderListing, tz: tzinfo, settings: Settings) -> None:
        self.removeRows(0, self.rowCount())
        self.reminders = {}
        groups = (
            ("overdue", listing.overdue),
            ("due", listing.due),
            ("upcoming", listing.upcoming),
        )
        for bucket, reminders in groups:
            if not reminders:
                continue
            more = listing.more_upcoming if bucket == "upcoming" else 0
            group = QStandardItem(f"{BUCKET_LABELS[bucket]}（{len(reminders) + more}）")
            group.setData(bucket, GROUP_ROLE)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            color = BUCKET_COLORS[bucket]
            for reminder in reminders:
                self.reminders[reminder.id] = reminder
                cells = [
                    QStandardItem(text)
                    for text in (
                        kind_text(reminder),
                        due_text(reminder, listing.now, tz),
                        reminder.customer_name or "—",
                        phone_text(reminder.phone, settings),
                        reminder.note,
                    )
                ]
                cells[0].setData(reminder.id, ID_ROLE)
                cells[4].setToolTip(_tooltip(reminder))
                for cell in cells:
                    cell.setEditable(False)
                    if color:
                        cell.setForeground(QColor(color))  # no QBrush: its enums cost ~4 ms
                group.appendRow(cells)
            if more:
                tail = QStandardItem(f"另有 {more} 条更晚的提醒")
                tail.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.appendRow(tail)
            self.appendRow(group)
        if self.rowCount() == 0:
            empty = QStandardItem("暂无待办提醒")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.appendRow(empty)

    # ---- finding ------------------------------------------------------------------------
    def index_of(self, reminder_id: str) -> QModelIndex:
        for row in range(self.rowCount()):
            group = self.item(row)
            for child in range(group.rowCount()):
                cell = group.child(child, 0)
                if cell is not None and cell.data(ID_ROLE) == reminder_id:
                    return cell.index()
        return QModelIndex()

    @staticmethod
    def reminder_id(index: QModelIndex) -> str | None:
        if not index.isValid():
            return None
        first = index.sibling(index.row(), 0)
        value = first.data(ID_ROLE)
        return str(value) if value else None

    @staticmethod
    def group_of(index: QModelIndex) -> str | None:
        parent = index.parent()
        return parent.data(GROUP_ROLE) if parent.isValid() else None

    def rows_text(self, column: int) -> list[str]:
        """Every reminder row's text in `column` (for tests and diagnostics)."""
        out = []
        for row in range(self.rowCount()):
            group = self.item(row)
            for child in range(group.rowCount()):
                cell = group.child(child, column)
                if cell is not None and group.child(child, 0).data(ID_ROLE):
                    out.append(cell.text())
        return out


def _tooltip(reminder: Reminder) -> str:
    parts = [reminder.note, "通话记录：" + reminder.call_notes if reminder.call_notes else ""]
    return "\n".join(p for p in parts if p)
