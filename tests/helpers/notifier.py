"""A notifier that keeps every message (the product has the tray and a null one)."""

from __future__ import annotations


class RecordingNotifier:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def notify(self, title: str, message: str) -> None:
        self.messages.append((title, message))
