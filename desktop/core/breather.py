"""Background work that steps aside while the agent acts.

A worker thread running Python makes every event the GUI thread handles wait for Python's
global lock, many times over (PySide releases and retakes it around each Qt call): with one
busy worker an intent switch measured 70 ms instead of 9. So long background loops (jieba's
dictionary slices, the script index, learning from past calls, the notes backfill) call
`breathe()` between small steps; the UI holds the breather while input events arrive
(desktop.ui.input_gate) and releases it once the agent pauses. A step never waits longer than
`max_wait`, so background work still finishes under continuous input.

No Qt here: core and services call it; the UI drives it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

MAX_WAIT_S = 0.5


class Breather:
    def __init__(self, max_wait: float = MAX_WAIT_S) -> None:
        self.max_wait = max_wait
        self._clear = threading.Event()
        self._clear.set()

    @property
    def held(self) -> bool:
        return not self._clear.is_set()

    def hold(self) -> None:
        """The agent is acting: background steps wait (up to max_wait each)."""
        self._clear.clear()

    def release(self) -> None:
        self._clear.set()

    def breathe(self) -> None:
        """Between two steps of background work: wait while held, and yield the global lock
        either way."""
        if not self._clear.is_set():
            self._clear.wait(self.max_wait)
        time.sleep(0)

    def steps(self, items: Iterable[T], every: int = 1) -> Iterator[T]:
        """`items`, breathing before every `every`-th one."""
        for index, item in enumerate(items):
            if index % every == 0:
                self.breathe()
            yield item


# The app's one breather: background loops breathe here, the UI's input gate holds it.
background = Breather()
