"""Desktop notifications for fired reminders: the system tray where there is one, else nothing.

The in-window alert is the one that always shows; the tray message is a courtesy for when the
window is hidden behind the softphone.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon


class Notifier(Protocol):
    def notify(self, title: str, message: str) -> None: ...


class NullNotifier:
    """For desktops without a system tray (and offscreen tests)."""

    def notify(self, title: str, message: str) -> None:
        return None


class TrayNotifier(QObject):
    """Shows messages from a tray icon: the app's own if given, else one made and shown here."""

    message_clicked = Signal()

    def __init__(self, tray: QSystemTrayIcon | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if tray is None:
            tray = QSystemTrayIcon(_app_icon(), self)
            tray.setToolTip("坐席助手")
            tray.show()
        self.tray = tray
        tray.messageClicked.connect(self.message_clicked)

    def notify(self, title: str, message: str) -> None:
        self.tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 10_000)


def create_notifier(
    tray: QSystemTrayIcon | None = None, parent: QObject | None = None
) -> TrayNotifier | NullNotifier:
    """A tray notifier when the desktop has a system tray, else a do-nothing one."""
    if QSystemTrayIcon.isSystemTrayAvailable():
        return TrayNotifier(tray, parent)
    return NullNotifier()


def _app_icon() -> QIcon:
    icon = QApplication.windowIcon()
    if icon.isNull():
        icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
    return icon
