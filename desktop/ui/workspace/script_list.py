"""The script list: each script a bold title over its wrapped text, group headers as bands,
so an agent under stress finds the line to say at a glance.

Row heights are worked out once per row, when it is added (and again only when the list's
width or font changes), and stored in the row's size-hint role: laying the list out then
never calls into Python, and a keystroke in the search costs its new rows alone."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

TITLE_ROLE = Qt.ItemDataRole.UserRole + 2
BODY_ROLE = Qt.ItemDataRole.UserRole + 1
HEADER_ROLE = Qt.ItemDataRole.UserRole + 3
SIZE_ROLE = Qt.ItemDataRole.SizeHintRole
PAD = 6
MIN_WIDTH = 120
_CACHED_HEIGHTS = 20_000  # distinct (text, width) pairs; cleared when full

Index = QModelIndex | QPersistentModelIndex


class RowMetrics:
    """Fonts and row heights for one list font (a changed font makes them again)."""

    def __init__(self, font: QFont) -> None:
        self.body_font = QFont(font)
        self.title_font = QFont(font)
        self.title_font.setBold(True)
        self._body = QFontMetrics(self.body_font)
        self.title_height = QFontMetrics(self.title_font).height()
        self.header_height = self._body.height() + PAD * 2
        self._heights: dict[tuple[str, int], int] = {}

    def height(self, body: str, width: int) -> int:
        key = (body, width)
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) >= _CACHED_HEIGHTS:
                self._heights.clear()
            text_rect = QRect(0, 0, width - PAD * 3, 10_000)
            body_h = self._body.boundingRect(text_rect, Qt.TextFlag.TextWordWrap, body).height()
            height = self._heights[key] = self.title_height + body_h + PAD * 3
        return height


class ScriptList(QListWidget):
    """A list of script rows and header bands with their heights set as they are added."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.metrics = RowMetrics(self.font())
        self._hint_width = self._width()
        self.setItemDelegate(ScriptDelegate(self))

    def _width(self) -> int:
        return max(MIN_WIDTH, self.viewport().width() - 2)

    def header(self, title: str) -> QListWidgetItem:
        item = QListWidgetItem(title)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setData(HEADER_ROLE, title)
        item.setData(SIZE_ROLE, QSize(self._hint_width, self.metrics.header_height))
        return item

    def row(self, title: str, body: str) -> QListWidgetItem:
        item = QListWidgetItem(f"{title}\n{body}")
        item.setData(TITLE_ROLE, title)
        item.setData(BODY_ROLE, body)
        width = self._hint_width
        item.setData(SIZE_ROLE, QSize(width, self.metrics.height(body, width)))
        return item

    def replace_rows(self, items: Iterable[QListWidgetItem]) -> None:
        """Clear the list and add these rows, laid out before the next paint (otherwise the
        view paints once, lays out on its delayed timer, moves its scroll bar and paints
        everything again)."""
        self.setUpdatesEnabled(False)
        self.clear()
        for item in items:
            self.addItem(item)
        self.doItemsLayout()
        self.setUpdatesEnabled(True)

    def _rehint(self) -> None:
        """Heights for the list's current width and font, for every row."""
        width = self._hint_width = self._width()
        metrics = self.metrics
        for i in range(self.count()):
            item = self.item(i)
            body = item.data(BODY_ROLE)
            height = (
                metrics.height(body, width) if body is not None else metrics.header_height
            )
            item.setData(SIZE_ROLE, QSize(width, height))

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self._width() != self._hint_width:
            self._rehint()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self.metrics = RowMetrics(self.font())
            self._rehint()
        super().changeEvent(event)


class ScriptDelegate(QStyledItemDelegate):
    """Paints the rows of a ScriptList (their sizes are in the rows themselves)."""

    def __init__(self, view: ScriptList) -> None:
        super().__init__(view)
        self._view = view

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        metrics = self._view.metrics
        painter.save()
        rect = option.rect
        header = index.data(HEADER_ROLE)
        if header:
            painter.fillRect(rect, QColor("#e6ecf5"))
            painter.setFont(metrics.title_font)
            painter.setPen(QColor("#2c3e50"))
            painter.drawText(rect.adjusted(PAD, 0, -PAD, 0), Qt.AlignmentFlag.AlignVCenter, header)
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, option.palette.color(QPalette.ColorRole.Highlight))
        text_color = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        title_h = metrics.title_height
        painter.setFont(metrics.title_font)
        painter.setPen(text_color if selected else QColor("#1f5fa8"))
        inner = rect.adjusted(PAD * 2, PAD, -PAD, -PAD)
        painter.drawText(
            QRect(inner.left(), inner.top(), inner.width(), title_h),
            Qt.AlignmentFlag.AlignLeft,
            index.data(TITLE_ROLE) or "",
        )
        painter.setFont(metrics.body_font)
        painter.setPen(text_color)
        body_rect = QRect(
            inner.left(), inner.top() + title_h + PAD // 2, inner.width(), inner.height() - title_h
        )
        painter.drawText(body_rect, Qt.TextFlag.TextWordWrap, index.data(BODY_ROLE) or "")
        painter.setPen(QColor("#e0e0e0"))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.restore()
