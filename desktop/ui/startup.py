"""Start-up after the first frame: the wiring steps the first frame does not draw, one per
turn of the event loop (`DeferredSteps`, issue 16), then the background work, each part on
its own: a part that fails with a transient error (the database locked or busy) is retried
with back-off, one that cannot run is said in the status bar, and none of them stops the
others (issue 14.2)."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

RETRY_DELAYS_MS = (250, 500, 1000, 2000, 4000, 8000)
SLOW_RETRY_MS = 60_000  # after the quick retries: keep trying, once a minute


# A window that never paints (hidden, minimised, no screen) still gets wired this soon.
WIRING_FALLBACK_MS = 500


class DeferredSteps(QObject):
    """Steps run in order, either all at once (`finish`) or one per turn of the event loop
    starting after the window's first paint (`start_after_paint`), so input and painting
    go on between them. `finish` also runs what is left of a chain already under way."""

    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: deque[tuple[str, Callable[[], object]]] = deque()
        self.timings: list[tuple[str, float]] = []  # (step, ms on the GUI thread), as run
        self._window: QWidget | None = None
        self._begun = False
        self._closed = False
        self._finished = False

    def add(self, name: str, work: Callable[[], object]) -> None:
        self._steps.append((name, work))

    @property
    def pending(self) -> bool:
        return bool(self._steps)

    def start_after_paint(self, window: QWidget) -> None:
        self._window = window
        window.installEventFilter(self)
        QTimer.singleShot(WIRING_FALLBACK_MS, self, self._begin)

    def finish(self) -> None:
        """Run every step still waiting, now; a step's error is raised to the caller."""
        while self._steps and not self._closed:
            self._run_one(self._steps.popleft())
        self._done()

    def close(self) -> None:
        self._closed = True
        self._steps.clear()
        self._unwatch()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Paint:
            self._begin()  # queued behind this paint: the frame is drawn first
        return False

    def _begin(self) -> None:
        self._unwatch()
        if not self._begun:
            self._begun = True
            QTimer.singleShot(0, self, self._next)

    def _unwatch(self) -> None:
        if self._window is not None:
            self._window.removeEventFilter(self)
            self._window = None

    def _next(self) -> None:
        if self._closed or not self._steps:
            return
        step = self._steps.popleft()
        try:
            self._run_one(step)
        except Exception:  # the app runs on without this part; the next steps still run
            log.exception("start-up step %s failed", step[0])
        if self._steps:
            QTimer.singleShot(0, self, self._next)
        else:
            self._done()

    def _run_one(self, step: tuple[str, Callable[[], object]]) -> None:
        name, work = step
        started = time.perf_counter()
        try:
            work()
        finally:
            self.timings.append((name, (time.perf_counter() - started) * 1000))

    def _done(self) -> None:
        if not self._closed and not self._steps and not self._finished:
            self._finished = True  # once
            self._unwatch()
            self.finished.emit()


def is_transient(error: BaseException) -> bool:
    """A database another program holds for a while: worth trying again."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


@dataclass
class Part:
    name: str
    label: str  # what the agent reads: 提醒, 文字辅助, 记录索引 …
    work: Callable[[], Any]
    on_gui: bool  # run on the GUI thread (it touches widgets or Qt timers)
    after: str | None = None
    then: Callable[[Any], None] | None = None
    state: str = "waiting"  # waiting, running, done, failed
    attempts: int = 0
    error: str = ""
    dependents: list[Part] = field(default_factory=list)


class BackgroundStart(QObject):
    status = Signal(str)  # a line for the status bar ("" when all is well again)
    finished = Signal()  # every part done (or failed for good this round)
    part_done = Signal(str)  # a part's name, once it (and its `then`) ran

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._parts: dict[str, Part] = {}
        self._closed = False

    def add(
        self,
        name: str,
        label: str,
        work: Callable[[], Any],
        *,
        on_gui: bool = False,
        after: str | None = None,
        then: Callable[[Any], None] | None = None,
    ) -> None:
        """`work` runs once `after` is done; `then(result)` follows on the GUI thread."""
        part = Part(name, label, work, on_gui, after, then)
        self._parts[name] = part
        if after is not None:
            self._parts[after].dependents.append(part)

    def start(self) -> None:
        for part in self._parts.values():
            if part.after is None:
                self._run(part)

    def close(self) -> None:
        self._closed = True

    def state(self, name: str) -> str:
        return self._parts[name].state

    @property
    def done(self) -> bool:
        return all(p.state in ("done", "failed") for p in self._parts.values()) and all(
            p.state == "done" or not p.dependents for p in self._parts.values()
        )

    # ---- running ----------------------------------------------------------------------
    def _run(self, part: Part) -> None:
        if self._closed:
            return
        part.state = "running"
        part.attempts += 1
        if part.on_gui:
            future: Future = Future()
            try:
                future.set_result(part.work())
            except Exception as exc:  # reported like a worker's error
                future.set_exception(exc)
            self._finished(part, future)
        else:
            self._tasks.run_in_background(part.work, lambda f: self._finished(part, f))

    def _finished(self, part: Part, future: Future) -> None:
        if self._closed:
            return
        error = future.exception() if not future.cancelled() else None
        if error is None and not future.cancelled():
            part.state, part.error = "done", ""
            if part.then is not None:
                try:
                    part.then(future.result())
                except Exception:
                    log.exception("start-up part %s: its result could not be used", part.name)
            self.part_done.emit(part.name)
            self._report()
            for dependent in part.dependents:
                self._run(dependent)
            self._check_finished()
            return
        part.state = "failed"
        part.error = str(error)
        transient = error is not None and is_transient(error)
        if transient:
            index = part.attempts - 1
            delay = RETRY_DELAYS_MS[index] if index < len(RETRY_DELAYS_MS) else SLOW_RETRY_MS
            log.warning(
                "start-up part %s: %s; trying again in %.1f s", part.name, error, delay / 1000
            )
            if index >= len(RETRY_DELAYS_MS) - 1:
                self._report()
            part.state = "waiting"
            QTimer.singleShot(delay, self, lambda: self._run(part))
        else:
            log.error("start-up part %s failed", part.name, exc_info=error)
            self._report()
            self._check_finished()

    def _report(self) -> None:
        retrying = [
            p.label
            for p in self._parts.values()
            if p.state == "waiting" and p.error and p.attempts >= len(RETRY_DELAYS_MS)
        ]
        broken = [p.label for p in self._parts.values() if p.state == "failed"]
        lines = []
        if retrying:
            lines.append("、".join(retrying) + " 暂时无法启动：数据库被其他程序占用，正在重试")
        if broken:
            lines.append("、".join(broken) + " 无法运行（详见日志 callassist.log）")
        self.status.emit(("⚠ " + "；".join(lines)) if lines else "")

    def _check_finished(self) -> None:
        if self.done:
            self.finished.emit()
