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

import contextlib
import importlib
import sys
import threading
import time
from collections.abc import Collection, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

MAX_WAIT_S = 0.5
# A step that cannot be cut smaller (one module's import of ~10-15 ms, jieba's say) waits for
# the agent to pause this long at most: landing in a click it would add its whole length.
HEAVY_MAX_WAIT_S = 5.0
# `pace()`: how much of its own CPU time a thread may spend between two breaths (a step that
# lands in a click or a keystroke adds about its length to it).
PACE_S = 0.0015


class Breather:
    def __init__(self, max_wait: float = MAX_WAIT_S, heavy_wait: float = HEAVY_MAX_WAIT_S) -> None:
        self.max_wait = max_wait
        self.heavy_wait = heavy_wait
        self._clear = threading.Event()
        self._clear.set()
        self._local = threading.local()  # per thread: its CPU time at its last breath

    @property
    def held(self) -> bool:
        return not self._clear.is_set()

    def hold(self) -> None:
        """The agent is acting: background steps wait (up to max_wait each)."""
        self._clear.clear()

    def release(self) -> None:
        self._clear.set()

    def breathe(self, max_wait: float | None = None) -> None:
        """Between two steps of background work: wait while held (up to `max_wait`, the
        breather's own by default), and yield the global lock either way."""
        if not self._clear.is_set():
            self._clear.wait(self.max_wait if max_wait is None else max_wait)
        time.sleep(0)
        self._local.since = time.thread_time()

    def before_heavy(self) -> None:
        """Before a step that cannot be cut smaller: wait for the agent to pause (up to
        `heavy_wait`), not only `max_wait`."""
        self.breathe(self.heavy_wait)

    def pace(self, budget: float = PACE_S) -> None:
        """Breathe once this thread has run `budget` seconds of CPU since its last breath
        (loops of uneven little steps: a breath per step would make them wait for nothing)."""
        since = getattr(self._local, "since", None)
        if since is None or time.thread_time() - since >= budget:
            self.breathe()

    def import_modules(self, names: Iterable[str], heavy: Collection[str] = ()) -> None:
        """Import `names` in this order, paced: a package imported as a list of its modules
        that ends with what it imports last becomes many small steps (an import cannot pause
        halfway). Names missing in this environment are skipped: the list is only an order,
        the caller imports what it needs afterwards. Names in `heavy` wait for a pause."""
        for name in names:
            if name in sys.modules:
                continue
            if name in heavy:
                self.before_heavy()
            else:
                self.pace()
            with contextlib.suppress(ImportError):
                importlib.import_module(name)

    def paced(self, items: Iterable[T], budget: float = PACE_S) -> Iterator[T]:
        """`items`, pacing before each one: steps of about `budget` of CPU time, however
        uneven the items."""
        for item in items:
            self.pace(budget)
            yield item

    def steps(self, items: Iterable[T], every: int = 1) -> Iterator[T]:
        """`items`, breathing before every `every`-th one."""
        for index, item in enumerate(items):
            if index % every == 0:
                self.breathe()
            yield item


# The app's one breather: background loops breathe here, the UI's input gate holds it.
background = Breather()
