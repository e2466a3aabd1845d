"""Start-up background work, each part on its own: a part that fails with a transient
error (the database locked or busy) is retried with back-off, one that cannot run is said in
the status bar, and none of them stops the others (issue 14.2)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

RETRY_DELAYS_MS = (250, 500, 1000, 2000, 4000, 8000)
SLOW_RETRY_MS = 60_000  # after the quick retries: keep trying, once a minute


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
