"""The script list: each script a bold title over its wrapped text, group headers as bands,
so an agent under stress finds the line to say at a glance.

Row heights are worked out once per row, when it is added (and again only when the list's
width or font changes), and stored in the row's size-hint role: laying the list out then
never calls into Python, and a keystroke in the search costs its new rows alone."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QResizeEvent,
    QStaticText,
)
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
# Laid-out texts of the rows painted lately (a search repaints mostly the same rows; a
# wrapped text laid out again costs ~100 µs, drawn from its layout ~40 µs): a few MB at most.
_CACHED_TEXTS = 300
_HEADER_BAND = QColor("#e6ecf5")
_HEADER_TEXT = QColor("#2c3e50")
_TITLE_TEXT = QColor("#1f5fa8")
_RULE = QColor("#e0e0e0")

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
        self._texts: dict[tuple[str, int], QStaticText] = {}

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

    def text(self, text: str, width: int) -> QStaticText:
        """`text` laid out once, wrapped at `width` (0: one line)."""
        key = (text, width)
        laid_out = self._texts.get(key)
        if laid_out is None:
            if len(self._texts) >= _CACHED_TEXTS:
                self._texts.clear()
            laid_out = self._texts[key] = QStaticText(text)
            laid_out.setTextFormat(Qt.TextFormat.PlainText)
            if width:
                laid_out.setTextWidth(width)
        return laid_out


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

    def header_item(self, title: str) -> QListWidgetItem:
        item = QListWidgetItem(title)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setData(HEADER_ROLE, title)
        item.setData(SIZE_ROLE, QSize(self._hint_width, self.metrics.header_height))
        return item

    def script_item(self, title: str, body: str) -> QListWidgetItem:
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
            height = metrics.height(body, width) if body is not None else metrics.header_height
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
            painter.fillRect(rect, _HEADER_BAND)
            painter.setFont(metrics.title_font)
            painter.setPen(_HEADER_TEXT)
            painter.drawText(rect.adjusted(PAD, 0, -PAD, 0), Qt.AlignmentFlag.AlignVCenter, header)
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, option.palette.color(QPalette.ColorRole.Highlight))
        text_color = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        inner = rect.adjusted(PAD * 2, PAD, -PAD, -PAD)
        painter.setClipRect(inner)
        painter.setFont(metrics.title_font)
        painter.setPen(text_color if selected else _TITLE_TEXT)
        painter.drawStaticText(inner.topLeft(), metrics.text(index.data(TITLE_ROLE) or "", 0))
        painter.setFont(metrics.body_font)
        painter.setPen(text_color)
        body_at = inner.topLeft() + QPoint(0, metrics.title_height + PAD // 2)
        body = metrics.text(index.data(BODY_ROLE) or "", inner.width())
        painter.drawStaticText(body_at, body)
        painter.setClipping(False)
        painter.setPen(_RULE)
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.restore()
