"""Typing Chinese the way an input method does: QTest.keyClicks only knows ASCII keys."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def ime_type(widget: QWidget, text: str, chunk: int = 1) -> None:
    """Commit `text` into the focused editor `chunk` characters at a time, like an IME."""
    widget.setFocus()
    for start in range(0, len(text), chunk):
        event = QInputMethodEvent("", [])
        event.setCommitString(text[start : start + chunk])
        QApplication.sendEvent(widget, event)
