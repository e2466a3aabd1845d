"""The audit log view for the review window (a plain widget it hosts as a tab):

    from desktop.ui.lead.audit_view import AuditLogView
    tabs.addTab(AuditLogView(db_reader, calendar_provider, run_in_background), "审计日志")

`db_reader()` returns a connection to read on (a worker calls it), so the query never runs on
the GUI thread; `refresh()` reloads (connect it to the change hub for `changes.audit`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.calendar import AgentCalendar
from desktop.services.lead.audit_query import ACTION_GROUPS, LIMIT, AuditFilter, audit_rows

COLUMNS = (
    ("at", "时间"),
    ("actor", "操作人"),
    ("action", "操作"),
    ("entity_id", "对象"),
    ("detail", "详情"),
)


class AuditModel(QAbstractTableModel):
    def __init__(self, calendar: Callable[[], AgentCalendar]) -> None:
        super().__init__()
        self._rows: list[dict[str, Any]] = []
        self._calendar = calendar

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        key = COLUMNS[index.column()][0]
        value = self._rows[index.row()].get(key) or ""
        if key == "at":
            return self._calendar().format_iso(value, "%Y-%m-%d %H:%M:%S")
        return str(value)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None


class AuditLogView(QWidget):
    def __init__(
        self,
        db_reader: Callable[[], Any],
        calendar: Callable[[], AgentCalendar],
        run_in_background: Callable[..., Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("审计日志")
        self._reader = db_reader
        self._calendar = calendar
        self._run = run_in_background
        self.action = QComboBox()
        self.action.setAccessibleName("操作类型")
        for prefix, label in ACTION_GROUPS.items():
            self.action.addItem(label, prefix)
        self.actor = QLineEdit()
        self.actor.setPlaceholderText("操作人（坐席工号）")
        self.actor.setAccessibleName("操作人")
        self.text = QLineEdit()
        self.text.setPlaceholderText("搜索对象或详情")
        self.text.setAccessibleName("搜索")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setSpecialValueText("不限")
            edit.setMinimumDate(QDate(2000, 1, 1))
            edit.setDate(edit.minimumDate())
        self.status = QLabel("")
        self.model = AuditModel(calendar)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("审计记录")
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        bar = QHBoxLayout()
        for label, widget in (
            ("操作", self.action),
            ("人", self.actor),
            ("从", self.date_from),
            ("到", self.date_to),
        ):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.action.currentIndexChanged.connect(self.refresh)
        self.actor.textChanged.connect(self.refresh)
        self.text.textChanged.connect(self.refresh)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)
        self.refresh()

    def current_filter(self) -> AuditFilter:
        def day(edit: QDateEdit):
            return None if edit.date() == edit.minimumDate() else edit.date().toPython()

        return AuditFilter(
            self.action.currentData() or "",
            self.actor.text().strip(),
            self.text.text().strip(),
            day(self.date_from),
            day(self.date_to),
        )

    def refresh(self) -> None:
        flt, calendar = self.current_filter(), self._calendar()

        def load() -> list[dict[str, Any]]:
            db = self._reader()
            try:
                return audit_rows(db, flt, calendar)
            finally:
                db.close()

        def done(future: Future) -> None:
            try:
                rows = future.result()
            except Exception as exc:
                self.status.setText(f"无法读取审计日志：{exc}")
                return
            self.model.set_rows(rows)
            more = f"（只显示最近 {LIMIT} 条）" if len(rows) >= LIMIT else ""
            self.status.setText(f"{len(rows)} 条记录{more}")

        self._run(load, done, key=f"audit-view-{id(self)}")
