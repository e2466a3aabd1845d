"""Progress and cancellation for long work (exports, imports, big queries), without Qt.

A worker calls `progress.report(done, total)` and `progress.check()` between slices; the
task runner relays the reports to the GUI thread and sets `cancelled` when the user cancels.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

# How services hand work to the app's task runner without importing the UI: `run(fn,
# on_done)` runs `fn()` off the GUI thread and calls `on_done(future)` back on it.
Runner = Callable[[Callable[[], Any], Callable[[Future], None]], object]


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
