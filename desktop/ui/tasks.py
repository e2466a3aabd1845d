"""The one task runner (Anki's taskman): background work off the GUI thread, results on it.

`run_in_background(fn, on_done)` runs `fn()` on a worker thread and calls `on_done(future)`
on the GUI thread; shared state is swapped there, never on a worker. Long-lived I/O loops
(the baresip socket, the IPC server, the scheduler) keep their own thread and hand results
over with `call_on_gui`, the same path.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from desktop.core.progress import Cancelled, Progress

log = logging.getLogger(__name__)

T = TypeVar("T")
DoneCallback = Callable[[Future], None]

WORKERS = 2  # a 2-core desk machine: one for start-up work, one for a query meanwhile


WORKER_NICENESS = 5  # POSIX nice of a worker thread, relative to the GUI thread


def _yield_to_gui() -> None:
    """Run each worker below the GUI thread's priority: on a 2-core desk machine two busy
    workers would otherwise take both cores from the thread that paints (the review's
    statistics and a page query at once stalled the 5 ms frame timer for 100+ ms)."""
    try:
        if sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetThreadPriority(kernel32.GetCurrentThread(), -1)  # BELOW_NORMAL
        elif sys.platform.startswith("linux"):  # there a thread id names one thread
            tid = threading.get_native_id()
            current = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, current + WORKER_NICENESS)
    except OSError:  # not permitted here: the workers keep the GUI thread's priority
        log.debug("worker thread priority unchanged", exc_info=True)


class TaskHandle:
    """A submitted task: `cancel()` asks a progress task to stop at its next check."""

    def __init__(self, future: Future, progress: Progress | None = None) -> None:
        self.future = future
        self._progress = progress

    def cancel(self) -> None:
        if self._progress is not None:
            self._progress.cancel()
        self.future.cancel()

    @property
    def done(self) -> bool:
        return self.future.done()


class TaskRunner(QObject):
    _deliver = Signal(object)  # a callable to run on the GUI thread

    def __init__(self, parent: QObject | None = None, workers: int = WORKERS) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="task", initializer=_yield_to_gui
        )
        self._lock = threading.Lock()
        self._latest: dict[str, int] = {}
        self._serial = 0
        self._pending = 0
        self._closed = False
        # Held by a thread while it checks `_closed` and posts to the GUI thread, and by
        # close(): once close() returns, no thread is touching this QObject, so the window
        # (its parent) may be deleted. Without it a worker descheduled between the check and
        # the post could emit on a deleted object (a rare segfault at teardown).
        self._post_lock = threading.Lock()
        self._gui_thread = threading.get_ident()  # made on the GUI thread
        self._running: weakref.WeakSet[Progress] = weakref.WeakSet()  # cancelled on close
        # serial → (on_done, [fn], [on_progress]): what a task's caller handed in is held here,
        # on the GUI side, and let go on the GUI thread when the task is done. The worker's
        # own objects (the pool's work item, the future) then never hold the last reference to
        # a widget the caller's closures keep (a Python-owned dialog deleted from a worker
        # thread corrupts its parent's list of children: a segfault at teardown).
        self._tasks: dict[int, tuple[DoneCallback | None, list[Any], list[Any]]] = {}
        # queued even from the GUI thread: a task that ends before its submit has returned
        # (a fast worker, a descheduled GUI thread) still reaches on_done after the submit
        self._deliver.connect(self._run_on_gui, Qt.ConnectionType.QueuedConnection)

    # ---- submitting -----------------------------------------------------------------
    def run_in_background(
        self, fn: Callable[[], Any], on_done: DoneCallback | None = None, *, key: str | None = None
    ) -> TaskHandle:
        """Run `fn()` on a worker; `on_done(future)` follows on the GUI thread. A newer task
        with the same `key` supersedes this one: its on_done is then never called."""
        return self._submit(lambda _progress: fn(), on_done, None, key)

    def run_with_progress(
        self,
        fn: Callable[[Progress], Any],
        on_done: DoneCallback | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        *,
        key: str | None = None,
    ) -> TaskHandle:
        """Run `fn(progress)`; its reports reach `on_progress(done, total, text)` on the GUI
        thread (coalesced: only the newest report waiting is delivered)."""
        return self._submit(fn, on_done, on_progress, key)

    def call_on_gui(self, fn: Callable[[], None]) -> None:
        """Thread-safe: run `fn()` on the GUI thread soon (from I/O threads and workers);
        nothing after close()."""
        if threading.get_ident() == self._gui_thread:
            if not self._closed:  # close() runs on this thread too: no race
                self._deliver.emit(fn)
            return
        with self._post_lock:
            if not self._closed:
                self._deliver.emit(fn)  # queued: only posts an event

    @property
    def idle(self) -> bool:
        with self._lock:
            return self._pending == 0

    def close(self) -> None:
        """No callbacks after this, and no worker touches the runner once it returns (its
        parent may then be deleted); work with progress is cancelled (an export removes its
        temporary file), other running work finishes on its own, queued work is dropped."""
        with self._post_lock:
            self._closed = True
        for progress in list(self._running):
            progress.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            tasks, self._tasks = self._tasks, {}
        for _on_done, call, report in tasks.values():  # let go here, on the GUI thread
            call.clear()
            report.clear()

    # ---- internals ------------------------------------------------------------------
    def _submit(
        self,
        fn: Callable[[Progress], Any],
        on_done: DoneCallback | None,
        on_progress: Callable[[int, int, str], None] | None,
        key: str | None,
    ) -> TaskHandle:
        with self._lock:
            self._serial += 1
            serial = self._serial
            if key is not None:
                self._latest[key] = serial
            self._pending += 1
        call: list[Any] = [fn]
        report: list[Any] = [on_progress] if on_progress else []
        progress = Progress(self._progress_sink(report) if on_progress else None)
        self._running.add(progress)

        def work() -> Any:
            return call[0](progress)

        if self._closed:
            future: Future = Future()
            future.set_exception(RuntimeError("task runner is closed"))
            return TaskHandle(future, progress)
        with self._lock:
            self._tasks[serial] = (on_done, call, report)
        future = self._pool.submit(work)
        future.add_done_callback(lambda f: self.call_on_gui(lambda: self._finish(f, serial, key)))
        return TaskHandle(future, progress)

    def _progress_sink(self, on_progress: list[Any]) -> Callable[[int, int, str], None]:
        """Reports to `on_progress[0]` on the GUI thread (coalesced); nothing once the task's
        caller has been let go (the list emptied)."""
        latest: list[tuple[int, int, str] | None] = [None]
        lock = threading.Lock()

        def deliver() -> None:
            with lock:
                report, latest[0] = latest[0], None
            if report is not None and on_progress:
                on_progress[0](*report)

        def sink(done: int, total: int, text: str) -> None:
            with lock:
                waiting = latest[0] is not None
                latest[0] = (done, total, text)
            if not waiting:
                self.call_on_gui(deliver)

        return sink

    def _finish(self, future: Future, serial: int, key: str | None) -> None:
        with self._lock:
            on_done, call, report = self._tasks.pop(serial, (None, [], []))
        try:
            self._deliver_result(future, serial, key, on_done)
        finally:
            call.clear()  # the caller's fn and on_progress go here, on the GUI thread
            report.clear()

    def _deliver_result(
        self, future: Future, serial: int, key: str | None, on_done: DoneCallback | None
    ) -> None:
        with self._lock:
            self._pending -= 1
            superseded = key is not None and self._latest.get(key) != serial
            if key is not None and not superseded:
                del self._latest[key]
        if superseded or self._closed:
            return
        if on_done is not None:
            on_done(future)
            return
        if future.cancelled():
            return
        error = future.exception()
        if error is not None and not isinstance(error, Cancelled):
            log.error("background task failed", exc_info=error)

    @Slot(object)
    def _run_on_gui(self, fn: Callable[[], None]) -> None:
        if self._closed:
            return
        try:
            fn()
        except Exception:
            log.exception("error in a background task's result handler")
