"""Holds the background breather (desktop.core.breather) while the agent clicks or types, and
releases it once input pauses for RESUME_MS: start-up work waits for the agent, not the
other way round. Installed while the start-up background work runs; it removes itself
once `done()` says that work is over, so the event filter costs nothing afterwards."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from desktop.core.breather import Breather, background

RESUME_MS = 150
CHECK_DONE_MS = 250
_INPUT = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.InputMethod,
        QEvent.Type.Wheel,
        QEvent.Type.ShortcutOverride,
    }
)


class InputGate(QObject):
    def __init__(
        self,
        done: Callable[[], bool],
        parent: QObject | None = None,
        breather: Breather = background,
    ) -> None:
        super().__init__(parent)
        self._done = done
        self._breather = breather
        self._resume = QTimer(self)
        self._resume.setSingleShot(True)
        self._resume.setInterval(RESUME_MS)
        self._resume.timeout.connect(breather.release)
        self._check = QTimer(self)
        self._check.setInterval(CHECK_DONE_MS)
        self._check.timeout.connect(self._check_done)
        self._installed = False

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
            self._check.start()

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
        self._installed = False
        self._check.stop()
        self._resume.stop()
        self._breather.release()

    def _check_done(self) -> None:
        if self._done():
            self.remove()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self._breather.hold()
            self._resume.start()
        return False
