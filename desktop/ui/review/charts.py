"""Bar charts for the review, behind one small interface: `BarChart.set_bars(labels, values)`
and a `bar_clicked(index)` signal for drill-down (also `click_bar(index)`, and the keyboard:
Left/Right or Up/Down move between bars, Enter opens one).

Drawn with QPainter: a chart is a few dozen rectangles and labels, which paint in well under
a millisecond. (pyqtgraph, used before, drew the six charts of the statistics tab in 75-230 ms
on their first show, holding the GUI thread, and its import pulls in numpy; Qt Charts is
deprecated since Qt 6.10.)"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

GRID = QColor("#e6e6e6")
AXIS = QColor("#888888")
TEXT = QColor("#333333")
FOCUS = QColor("#1a1a1a")


def nice_step(top: float, ticks: int = 4) -> float:
    """A round grid step (1, 2 or 5 times a power of ten) giving about `ticks` lines up to top."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def value_text(value: float, rate: bool) -> str:
    if rate:
        return f"{value * 100:.0f}%"
    if value >= 10 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.1f}"


class _Canvas(QWidget):
    """The plotting area: bars, grid, axis labels; clicks and keys pick a bar."""

    def __init__(self, chart: BarChart) -> None:
        super().__init__(chart)
        self._chart = chart
        self.current = -1  # the bar the keyboard is on
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(160, 110)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def sizeHint(self) -> QSize:
        return QSize(320, 200)

    # -- geometry ---------------------------------------------------------------------------

    def _plot_rect(self, fm: QFontMetrics) -> QRectF:
        chart = self._chart
        if chart.horizontal:
            shown = [chart.labels[i] for i in range(len(chart.labels)) if chart.shows_label(i)]
            left = min(
                max((fm.horizontalAdvance(t) for t in shown), default=0) + 8, self.width() // 2
            )
            return QRectF(
                left, 4, max(1, self.width() - left - 12), max(1, self.height() - fm.height() - 10)
            )
        left = fm.horizontalAdvance(value_text(chart.top, chart.rate)) + 8
        return QRectF(
            left, 6, max(1, self.width() - left - 6), max(1, self.height() - fm.height() - 12)
        )

    def _lanes(self, plot: QRectF) -> list[QRectF]:
        """Each bar's lane (the band a click in counts for it), in bar order."""
        n = len(self._chart.values)
        if not n:
            return []
        if self._chart.horizontal:
            h = plot.height() / n
            return [QRectF(plot.left(), plot.top() + i * h, plot.width(), h) for i in range(n)]
        w = plot.width() / n
        return [QRectF(plot.left() + i * w, plot.top(), w, plot.height()) for i in range(n)]

    def bar_at(self, point: QPointF) -> int:
        plot = self._plot_rect(self.fontMetrics())
        for i, lane in enumerate(self._lanes(plot)):
            if lane.contains(point):
                return i
        return -1

    # -- painting ---------------------------------------------------------------------------

    def _centred(self, x: float, width: float) -> float:
        """The left edge of a label centred on x, kept inside the canvas (the last label
        is not cut off at the right edge)."""
        return max(0.0, min(x - width / 2, self.width() - width - 1))

    def paintEvent(self, _event: QPaintEvent) -> None:
        chart = self._chart
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        fm = self.fontMetrics()
        plot = self._plot_rect(fm)
        top = chart.top
        step = nice_step(top)
        # value grid and its labels
        painter.setPen(QPen(GRID, 1))
        value = 0.0
        while value <= top + 1e-9:
            share = value / top if top else 0
            painter.setPen(QPen(GRID, 1))
            if chart.horizontal:
                x = plot.left() + share * plot.width()
                painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
                painter.setPen(AXIS)
                text = value_text(value, chart.rate)
                painter.drawText(
                    QPointF(
                        self._centred(x, fm.horizontalAdvance(text)),
                        plot.bottom() + fm.ascent() + 3,
                    ),
                    text,
                )
            else:
                y = plot.bottom() - share * plot.height()
                painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
                painter.setPen(AXIS)
                text = value_text(value, chart.rate)
                painter.drawText(
                    QPointF(plot.left() - fm.horizontalAdvance(text) - 4, y + fm.ascent() / 2 - 1),
                    text,
                )
            value += step
        if not chart.values:
            painter.setPen(AXIS)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "本期没有数据")
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for i, lane in enumerate(self._lanes(plot)):
            share = min(1.0, chart.values[i] / top) if top else 0.0
            color = QColor(chart.color_of(i))
            if chart.horizontal:
                pad = lane.height() * 0.15
                bar = QRectF(
                    lane.left(), lane.top() + pad, lane.width() * share, lane.height() - 2 * pad
                )
            else:
                pad = lane.width() * 0.15
                height = lane.height() * share
                bar = QRectF(
                    lane.left() + pad, lane.bottom() - height, lane.width() - 2 * pad, height
                )
            painter.fillRect(bar, color)
            if i == self.current and self.hasFocus():
                painter.setPen(QPen(FOCUS, 1, Qt.PenStyle.DashLine))
                painter.drawRect(lane.adjusted(1, 1, -1, -1))
            if chart.shows_label(i):
                painter.setPen(TEXT)
                label = chart.labels[i]
                if chart.horizontal:
                    label = fm.elidedText(label, Qt.TextElideMode.ElideRight, int(plot.left()) - 6)
                    painter.drawText(
                        QPointF(
                            plot.left() - fm.horizontalAdvance(label) - 4,
                            lane.center().y() + fm.ascent() / 2 - 1,
                        ),
                        label,
                    )
                else:
                    painter.drawText(
                        QPointF(
                            self._centred(lane.center().x(), fm.horizontalAdvance(label)),
                            plot.bottom() + fm.ascent() + 3,
                        ),
                        label,
                    )
        painter.setPen(QPen(AXIS, 1))
        if chart.horizontal:
            painter.drawLine(plot.topLeft(), plot.bottomLeft())
        else:
            painter.drawLine(plot.bottomLeft(), plot.bottomRight())

    # -- input ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position())
        if index >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.current = index
            self.update()
            self._chart.click_bar(index)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position())
        if index >= 0:
            chart = self._chart
            text = f"{chart.labels[index]}：{value_text(chart.values[index], chart.rate)}（点击查看通话）"
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if index >= 0 else Qt.CursorShape.ArrowCursor
        )
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        n = len(self._chart.values)
        key = event.key()
        forward = (Qt.Key.Key_Down,) if self._chart.horizontal else (Qt.Key.Key_Right,)
        backward = (Qt.Key.Key_Up,) if self._chart.horizontal else (Qt.Key.Key_Left,)
        if n and key in forward:
            self.current = min(n - 1, self.current + 1)
        elif n and key in backward:
            self.current = max(0, self.current - 1)
        elif (
            n
            and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
            and self.current >= 0
        ):
            self._chart.click_bar(self.current)
            return
        else:
            super().keyPressEvent(event)
            return
        self.update()
        chart = self._chart
        self.setToolTip(
            f"{chart.labels[self.current]}：{value_text(chart.values[self.current], chart.rate)}"
        )


class BarChart(QWidget):
    bar_clicked = Signal(int)

    def __init__(
        self,
        title: str,
        color: str = "#3b7dd8",
        *,
        horizontal: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.horizontal = horizontal  # bars along x, labels down the left (long labels)
        self.setAccessibleName(title)
        self._title = QLabel(f"<b>{title}</b>")
        self._color = color
        self._colors: list[str] = []
        self.labels: list[str] = []
        self.values: list[float] = []
        self.every = 1
        self.top = 1.0
        self.rate = False
        self.canvas = _Canvas(self)
        self.canvas.setAccessibleName(f"{title}（方向键选择，回车查看通话）")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self._title)
        layout.addWidget(self.canvas, 1)

    def set_bars(
        self,
        labels: Sequence[str],
        values: Sequence[float | None],
        *,
        every: int = 1,
        colors: Sequence[str] | None = None,
        y_max: float | None = None,
    ) -> None:
        """Show these bars: one label each (every `every`-th written under the axis), values
        None drawn as 0, `colors` per bar, `y_max` the axis top (1.0 draws rates as %)."""
        self.labels = list(labels)
        self.values = [float(v or 0) for v in values]
        self.every = max(1, every)
        self._colors = list(colors) if colors else []
        self.rate = y_max == 1.0
        highest = max(self.values, default=0)
        self.top = y_max if y_max is not None else (highest * 1.1 if highest > 0 else 1.0)
        self.canvas.current = min(self.canvas.current, len(self.values) - 1)
        self.canvas.update()

    def shows_label(self, index: int) -> bool:
        return index % self.every == 0

    def color_of(self, index: int) -> str:
        return self._colors[index] if index < len(self._colors) else self._color

    def click_bar(self, index: int) -> None:
        """What a click on bar `index` does (also used by tests and keyboard users)."""
        if 0 <= index < len(self.values):
            self.bar_clicked.emit(index)
