"""The review's bar charts (QPainter): a real mouse click on a bar opens that bar, a click
between lanes or on an empty chart opens nothing, the keyboard reaches every bar, and the
chart really paints its bars (pixels of the bar colour where the bars are)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from desktop.ui.review.charts import BarChart, nice_step, value_text


def _chart(qtbot, horizontal: bool = False) -> BarChart:
    chart = BarChart("测试图", "#3b7dd8", horizontal=horizontal)
    qtbot.addWidget(chart)
    chart.resize(420, 260)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def _lane_centre(chart: BarChart, index: int) -> QPoint:
    canvas = chart.canvas
    plot = canvas._plot_rect(canvas.fontMetrics())
    lane = canvas._lanes(plot)[index]
    # low in a vertical lane (where even a short bar is), middle of a horizontal one
    y = lane.bottom() - 3 if not chart.horizontal else lane.center().y()
    return QPoint(int(lane.center().x()), int(y))


def test_clicking_a_bar_opens_that_bar(qtbot) -> None:
    chart = _chart(qtbot)
    chart.set_bars(["0", "1", "2", "3"], [5, 0, 12, None])
    clicked: list[int] = []
    chart.bar_clicked.connect(clicked.append)
    for index in (2, 0, 3):
        qtbot.mouseClick(chart.canvas, Qt.MouseButton.LeftButton, pos=_lane_centre(chart, index))
    assert clicked == [2, 0, 3]
    # outside the plot (on the value labels at the left) nothing opens
    qtbot.mouseClick(chart.canvas, Qt.MouseButton.LeftButton, pos=QPoint(2, 10))
    assert clicked == [2, 0, 3]


def test_horizontal_chart_lists_the_first_bar_on_top(qtbot) -> None:
    chart = _chart(qtbot, horizontal=True)
    chart.set_bars(["★接受怨诉", "平息怒气", "感谢客户"], [0.2, 0.5, 1.0], y_max=1.0)
    clicked: list[int] = []
    chart.bar_clicked.connect(clicked.append)
    top = _lane_centre(chart, 0)
    bottom = _lane_centre(chart, 2)
    assert top.y() < bottom.y()
    qtbot.mouseClick(chart.canvas, Qt.MouseButton.LeftButton, pos=top)
    assert clicked == [0]
    assert chart.rate and value_text(0.5, chart.rate) == "50%"


def test_keyboard_reaches_every_bar(qtbot) -> None:
    chart = _chart(qtbot)
    chart.set_bars(["a", "b", "c"], [1, 2, 3])
    clicked: list[int] = []
    chart.bar_clicked.connect(clicked.append)
    chart.canvas.setFocus()
    for _ in range(5):  # past the end stays on the last
        qtbot.keyClick(chart.canvas, Qt.Key.Key_Right)
    qtbot.keyClick(chart.canvas, Qt.Key.Key_Return)
    qtbot.keyClick(chart.canvas, Qt.Key.Key_Left)
    qtbot.keyClick(chart.canvas, Qt.Key.Key_Enter)
    assert clicked == [2, 1]


def test_bars_are_painted_where_they_are(qtbot) -> None:
    chart = _chart(qtbot)
    chart.set_bars(["x", "y"], [10, 0])
    image = chart.canvas.grab().toImage()
    full = _lane_centre(chart, 0)
    empty = _lane_centre(chart, 1)
    assert QColor(image.pixel(full.x(), full.y() - 20)).name() == "#3b7dd8"
    assert QColor(image.pixel(empty.x(), empty.y() - 20)).name() != "#3b7dd8"
    chart.set_bars([], [])
    clicked: list[int] = []
    chart.bar_clicked.connect(clicked.append)
    qtbot.mouseClick(chart.canvas, Qt.MouseButton.LeftButton, pos=QPoint(200, 100))
    assert clicked == []


def test_grid_steps_are_round() -> None:
    assert nice_step(110) == 50
    assert nice_step(1.0) == 0.5
    assert nice_step(0) == 1.0
    for top in (3, 7.5, 42, 999, 12345):
        step = nice_step(top)
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert round(mantissa, 6) in (1, 2, 5)
        assert 1.5 <= top / step <= 10  # between two and ten grid lines
