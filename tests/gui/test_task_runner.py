"""The task runner: work on a worker thread, results on the GUI thread, newest key wins."""

from __future__ import annotations

import logging
import sys
import threading
import time
from concurrent.futures import Future

import pytest

from desktop.core.changes import ChangeBus, OpChanges
from desktop.core.progress import Cancelled, Progress
from desktop.ui.change_hub import ChangeHub
from desktop.ui.tasks import TaskRunner


@pytest.fixture
def runner(qtbot):
    tasks = TaskRunner()
    yield tasks
    tasks.close()


def test_result_arrives_on_the_gui_thread(qtbot, runner: TaskRunner) -> None:
    gui = threading.get_ident()
    seen: list[tuple[int, int, object]] = []

    def work() -> int:
        return threading.get_ident()

    runner.run_in_background(work, lambda f: seen.append((threading.get_ident(), 0, f.result())))
    qtbot.waitUntil(lambda: bool(seen))
    on_done_thread, _, worker_thread = seen[0]
    assert on_done_thread == gui and worker_thread != gui
    assert runner.idle


@pytest.mark.expect_log(logging.ERROR, "background task failed")
def test_errors_reach_on_done_and_are_logged_without_it(qtbot, runner, caplog) -> None:
    results: list[Future] = []

    def fail() -> None:
        raise ValueError("bad")

    runner.run_in_background(fail, results.append)
    qtbot.waitUntil(lambda: bool(results))
    with pytest.raises(ValueError):
        results[0].result()
    runner.run_in_background(fail)
    qtbot.waitUntil(lambda: runner.idle)
    qtbot.wait(10)
    assert "background task failed" in caplog.text


def test_newest_task_with_a_key_wins(qtbot, runner: TaskRunner) -> None:
    gate = threading.Event()
    done: list[str] = []

    def slow() -> str:
        gate.wait(5)
        return "old"

    runner.run_in_background(slow, lambda f: done.append(f.result()), key="filter")
    runner.run_in_background(lambda: "new", lambda f: done.append(f.result()), key="filter")
    gate.set()
    qtbot.waitUntil(lambda: runner.idle)
    qtbot.wait(20)
    assert done == ["new"]


def test_progress_is_relayed_and_cancel_stops_the_work(qtbot, runner: TaskRunner) -> None:
    reports: list[tuple[int, int, str]] = []
    outcome: list[Future] = []
    started = threading.Event()

    def export(progress: Progress) -> int:
        for i in range(1000):
            progress.report(i, 1000, "导出")
            started.set()
            progress.check()
            time.sleep(0.002)
        return 1000

    handle = runner.run_with_progress(export, outcome.append, lambda *r: reports.append(r))
    assert started.wait(5)
    qtbot.waitUntil(lambda: bool(reports))
    handle.cancel()
    qtbot.waitUntil(lambda: bool(outcome))
    with pytest.raises(Cancelled):
        outcome[0].result()
    assert reports[0][1] == 1000 and reports[0][2] == "导出"


def test_no_callback_after_close(qtbot) -> None:
    tasks = TaskRunner()
    gate, done = threading.Event(), []
    tasks.run_in_background(lambda: gate.wait(5), done.append)
    tasks.close()
    gate.set()
    qtbot.wait(50)
    assert done == []


def test_hub_relays_worker_changes_on_the_gui_thread(qtbot) -> None:
    bus = ChangeBus()
    hub = ChangeHub(bus)
    seen: list[tuple[OpChanges, object, int]] = []
    hub.changed.connect(lambda c, o: seen.append((c, o, threading.get_ident())))
    worker = threading.Thread(target=lambda: bus.publish(OpChanges(reminders=True), "w"))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen[0][:2] == (OpChanges(reminders=True), "w")
    assert seen[0][2] == threading.get_ident()
    hub.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_workers_run_below_the_gui_threads_priority(qtbot, runner: TaskRunner) -> None:
    import os

    from desktop.ui.tasks import WORKER_NICENESS

    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[int] = []
    runner.run_in_background(
        lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
        lambda f: seen.append(f.result()),
    )
    qtbot.waitUntil(lambda: bool(seen), timeout=5_000)
    assert seen == [min(19, gui + WORKER_NICENESS)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == gui


class _SlowPost:
    """A signal whose emit is descheduled for 50 ms first: the worker that checked the
    runner was open and is about to post, the moment the teardown race needs."""

    def __init__(self, real) -> None:
        self.real = real
        self.entered = threading.Event()

    def emit(self, *args) -> None:
        self.entered.set()
        time.sleep(0.05)
        self.real.emit(*args)


def _post_from_a_worker(post) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            post()
        except BaseException as exc:  # handed to the test
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    return thread, errors


def test_close_waits_for_a_post_in_flight_so_the_runner_may_be_deleted(qtbot) -> None:
    """The app's close() closes the runner, then deletes the window that owns it; a worker
    descheduled between its check and its post must not emit on the deleted object."""
    import shiboken6

    runner = TaskRunner()
    slow = _SlowPost(runner._deliver)
    runner._deliver = slow  # type: ignore[assignment]
    thread, errors = _post_from_a_worker(lambda: runner.call_on_gui(lambda: None))
    assert slow.entered.wait(2)
    started = time.monotonic()
    runner.close()
    waited = time.monotonic() - started
    shiboken6.delete(runner)  # what the window's deletion does to its child
    thread.join(2)
    assert not errors and waited >= 0.03
    runner.call_on_gui(lambda: None)  # after close: nothing, not even a look at Qt


def test_hub_close_waits_for_a_relay_in_flight(qtbot) -> None:
    import shiboken6

    bus = ChangeBus()
    hub = ChangeHub(bus)
    slow = _SlowPost(hub.changed)
    hub.changed = slow  # type: ignore[assignment]
    thread, errors = _post_from_a_worker(lambda: bus.publish(OpChanges(calls=True)))
    assert slow.entered.wait(2)
    started = time.monotonic()
    hub.close()
    waited = time.monotonic() - started
    shiboken6.delete(hub)
    thread.join(2)
    assert not errors and waited >= 0.03
    bus.publish(OpChanges(calls=True))  # unsubscribed: nothing


def test_close_cancels_running_work_with_progress(qtbot) -> None:
    runner = TaskRunner()
    started = threading.Event()
    stopped: list[str] = []

    def work(progress: Progress) -> None:
        started.set()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                progress.check()
            except Cancelled:
                stopped.append("cancelled")
                raise
            time.sleep(0.005)

    handle = runner.run_with_progress(work)
    assert started.wait(2)
    runner.close()
    qtbot.waitUntil(lambda: handle.done, timeout=2000)
    assert stopped == ["cancelled"]


def test_a_widget_a_task_holds_is_let_go_on_the_gui_thread(qtbot) -> None:
    """What a task's closures hold (here a dialog that ran exec(), so Python owns it, as the
    PIN dialog's hash check holds itself) is released on the GUI thread, even when the worker
    lets go of its work item last: a widget deleted from a worker thread corrupts its parent's
    list of children (the segfault seen in hideChildren at a test's teardown)."""
    import shiboken6
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QDialog, QWidget

    runner = TaskRunner()
    parent = QWidget()
    dialog = QDialog(parent)
    QTimer.singleShot(0, dialog.reject)
    dialog.exec()
    assert shiboken6.ownedByPython(dialog)  # exec() hands a dialog back to Python
    deleted_on: list[int] = []
    dialog.destroyed.connect(
        lambda *_: deleted_on.append(threading.get_ident()), Qt.ConnectionType.DirectConnection
    )
    gui_done, gui_let_go, watched = threading.Event(), threading.Event(), threading.Event()

    def work(progress: Progress, held=dialog) -> bool:
        return watched.wait(5)

    handle = runner.run_with_progress(
        work, lambda f, held=dialog: gui_done.set(), lambda *_a, held=dialog: None
    )
    # the worker keeps its work item (and the future) until the GUI thread let go of its own
    handle.future.add_done_callback(lambda _f: gui_let_go.wait(5))
    watched.set()
    del work, dialog
    qtbot.waitUntil(gui_done.is_set, timeout=5000)
    del handle
    qtbot.waitUntil(lambda: bool(deleted_on), timeout=2000)  # while the worker holds on
    gui_let_go.set()
    assert deleted_on == [threading.get_ident()]
    runner.close()
    parent.deleteLater()


def test_on_done_never_runs_inside_the_submit(qtbot, runner: TaskRunner, monkeypatch) -> None:
    """A worker that finishes before the submit has attached its callback (a descheduled GUI
    thread on a busy machine) must still deliver on_done later, from the event loop: callers
    set their "running…" state after the submit returns."""
    import concurrent.futures

    real_submit = runner._pool.submit

    def submit_and_finish(fn, *args):
        future = real_submit(fn, *args)
        concurrent.futures.wait([future])  # done before add_done_callback
        return future

    monkeypatch.setattr(runner._pool, "submit", submit_and_finish)
    seen: list[str] = []
    runner.run_in_background(lambda: 1, lambda f: seen.append("done"))
    seen.append("submitted")
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen == ["submitted", "done"]
