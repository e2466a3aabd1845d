"""A box that holds widgets in one place, one shown at a time, outside the layout system.

Showing or hiding a widget that sits in a layout activates (or invalidates) every layout up
to the window, and the window then lays every panel out again: 1-5 ms a time on the desk,
for a change the size of one row. The script search hit it on every first keystroke (the
box's clear button appearing, the result list replacing the grouped one, as a
QStackedWidget switches), a ring on the reminder form's 关联当前通话 line. In a LocalStack
the switch stays inside the box.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget


class LocalStack(QWidget):
    """Widgets in one place, one of them shown, laid out by hand; a change inside reaches the
    window's layouts only when the shown widget's size hints really changed."""

    def __init__(self, *widgets: QWidget) -> None:
        super().__init__()
        for widget in widgets:
            widget.setParent(self)
        for widget in widgets[1:]:
            widget.hide()
        self._current = widgets[0]
        self.setSizePolicy(self._current.sizePolicy())
        self._hints = self._hints_now()

    def _hints_now(self) -> tuple[QSize, QSize]:
        return self._current.sizeHint(), self._current.minimumSizeHint()

    def current(self) -> QWidget:
        return self._current

    def add(self, widget: QWidget) -> None:
        """One more widget in this place, hidden until set_current."""
        widget.setParent(self)
        widget.hide()

    def set_current(self, widget: QWidget) -> None:
        if widget is self._current:
            return
        had_focus = self._current.hasFocus()
        widget.setGeometry(self.rect())
        widget.show()
        self._current.hide()
        self._current = widget
        if had_focus:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self._hints_changed()

    def _hints_changed(self) -> None:
        hints = self._hints_now()
        if hints != self._hints:
            self._hints = hints
            self.updateGeometry()

    def sizeHint(self) -> QSize:
        return self._hints[0]

    def minimumSizeHint(self) -> QSize:
        return self._hints[1]

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a child's geometry may have changed
            self._hints_changed()
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._current.setGeometry(self.rect())  # a hidden one is sized when it is shown
        super().resizeEvent(event)
