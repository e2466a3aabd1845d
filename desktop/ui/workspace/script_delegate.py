"""Draws a script as a bold title over its wrapped text, and group headers as bands, so an
agent under stress finds the line to say at a glance."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

TITLE_ROLE = Qt.ItemDataRole.UserRole + 2
BODY_ROLE = Qt.ItemDataRole.UserRole + 1
HEADER_ROLE = Qt.ItemDataRole.UserRole + 3
PAD = 6

Index = QModelIndex | QPersistentModelIndex


class ScriptDelegate(QStyledItemDelegate):
    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view
        self._viewport = view.viewport()  # asked for its width per row: fetched once
        self._heights: dict[tuple[str, int], int] = {}
        # The fonts and their metrics for the list's font (one list, one font: made once,
        # not twice per row and paint; a changed font makes them again).
        self._font_key = ""
        self._title_font = QFont()
        self._body_metrics = QFontMetrics(self._title_font)
        self._title_height = 0
        self._header_height = 0

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        key = option.font.key()
        if key != self._font_key:
            self._font_key = key
            self._title_font = QFont(option.font)
            self._title_font.setBold(True)
            self._body_metrics = QFontMetrics(option.font)
            self._title_height = QFontMetrics(self._title_font).height()
            self._header_height = self._body_metrics.height() + PAD * 2
            self._heights.clear()
        return self._title_font, option.font

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        width = max(120, self._viewport.width() - 2)
        self._fonts(option)
        if index.data(HEADER_ROLE):
            return QSize(width, self._header_height)
        body = index.data(BODY_ROLE) or ""
        key = (body, width)
        height = self._heights.get(key)
        if height is None:
            text_rect = QRect(0, 0, width - PAD * 3, 10_000)
            body_h = self._body_metrics.boundingRect(
                text_rect, Qt.TextFlag.TextWordWrap, body
            ).height()
            height = self._title_height + body_h + PAD * 3
            self._heights[key] = height
        return QSize(width, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        rect = option.rect
        if index.data(HEADER_ROLE):
            painter.fillRect(rect, QColor("#e6ecf5"))
            font = QFont(option.font)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QColor("#2c3e50"))
            painter.drawText(
                rect.adjusted(PAD, 0, -PAD, 0),
                Qt.AlignmentFlag.AlignVCenter,
                index.data(HEADER_ROLE),
            )
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, option.palette.color(QPalette.ColorRole.Highlight))
        text_color = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        title_font, body_font = self._fonts(option)
        title_h = self._title_height
        painter.setFont(title_font)
        painter.setPen(text_color if selected else QColor("#1f5fa8"))
        inner = rect.adjusted(PAD * 2, PAD, -PAD, -PAD)
        painter.drawText(
            QRect(inner.left(), inner.top(), inner.width(), title_h),
            Qt.AlignmentFlag.AlignLeft,
            index.data(TITLE_ROLE) or "",
        )
        painter.setFont(body_font)
        painter.setPen(text_color)
        body_rect = QRect(
            inner.left(), inner.top() + title_h + PAD // 2, inner.width(), inner.height() - title_h
        )
        painter.drawText(body_rect, Qt.TextFlag.TextWordWrap, index.data(BODY_ROLE) or "")
        painter.setPen(QColor("#e0e0e0"))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.restore()
