"""Progress and cancellation for long work (exports, imports, big queries), without Qt.

A worker calls `progress.report(done, total)` and `progress.check()` between slices; the
task runner relays the reports to the GUI thread and sets `cancelled` when the user cancels.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """Raised by `Progress.check()` once the user cancelled; the task ends without a result."""


class Progress:
    def __init__(self, sink: Callable[[int, int, str], None] | None = None) -> None:
        self._sink = sink
        self._cancelled = threading.Event()

    def report(self, done: int, total: int, text: str = "") -> None:
        if self._sink is not None:
            self._sink(done, total, text)

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise Cancelled if the user asked to stop: call it between slices of work."""
        if self._cancelled.is_set():
            raise Cancelled()
