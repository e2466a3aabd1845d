"""Bar charts for the review, behind one small interface: `BarChart.set_bars(labels, values)`
and a `bar_clicked(index)` signal for drill-down. pyqtgraph draws them (Qt Charts is
deprecated since Qt 6.10)."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

pg.setConfigOptions(antialias=True, background="w", foreground="#333")


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
        self._plot = pg.PlotWidget()
        self._plot.setMenuEnabled(False)
        self._plot.setMouseEnabled(x=False, y=False)
        self._plot.hideButtons()
        self._plot.showGrid(y=True, alpha=0.2)
        self._plot.scene().sigMouseClicked.connect(self._clicked)
        self._color = color
        self._bars: pg.BarGraphItem | None = None
        self.labels: list[str] = []
        self.values: list[float] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self._title)
        layout.addWidget(self._plot, 1)

    def set_bars(
        self,
        labels: Sequence[str],
        values: Sequence[float | None],
        *,
        every: int = 1,
        colors: Sequence[str] | None = None,
        y_max: float | None = None,
    ) -> None:
        self.labels = list(labels)
        self.values = [float(v or 0) for v in values]
        if self._bars is not None:
            self._plot.removeItem(self._bars)
        brushes = [pg.mkBrush(c) for c in colors] if colors else pg.mkBrush(self._color)
        places = list(range(len(self.values)))
        style = {"pen": pg.mkPen(None)}
        if colors:
            style["brushes"] = brushes
        else:
            style["brush"] = brushes
        top = y_max if y_max is not None else max(self.values, default=0) * 1.1 or 1
        ticks = [(i, label) for i, label in enumerate(self.labels) if i % max(1, every) == 0]
        if self.horizontal:  # first bar at the top
            places = [len(self.values) - 1 - i for i in places]
            self._bars = pg.BarGraphItem(x0=0, y=places, height=0.7, width=self.values, **style)
            self._plot.getAxis("left").setTicks([[(places[i], t) for i, t in ticks]])
            self._plot.setYRange(-0.6, max(0, len(self.values) - 0.4), padding=0)
            self._plot.setXRange(0, top, padding=0)
        else:
            self._bars = pg.BarGraphItem(x=places, height=self.values, width=0.7, **style)
            self._plot.getAxis("bottom").setTicks([ticks])
            self._plot.setXRange(-0.6, max(0, len(self.values) - 0.4), padding=0)
            self._plot.setYRange(0, top, padding=0)
        self._plot.addItem(self._bars)

    def click_bar(self, index: int) -> None:
        """What a click on bar `index` does (also used by tests and keyboard users)."""
        if 0 <= index < len(self.values):
            self.bar_clicked.emit(index)

    def _clicked(self, event) -> None:
        point = self._plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        along = point.y() if self.horizontal else point.x()
        place = round(along)
        if abs(along - place) <= 0.4:  # anywhere in the bar's lane: short bars count too
            self.click_bar(len(self.values) - 1 - place if self.horizontal else place)
