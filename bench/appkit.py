"""Helpers for children that drive the real app in their own process (Qt imported lazily)."""

from __future__ import annotations

import contextlib
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NUMBER = "13800138000"


def wait_background(app: Any, timeout: float = 120.0) -> float:
    """Wait until the app's start-up background work is done (jieba loaded, script index
    built, notes index backfilled, the agent's calls learned), so that a measurement sees the
    steady state; returns the seconds waited. Spins the event loop: results arrive on the
    GUI thread through the task runner."""
    start = time.perf_counter()
    if threading.current_thread() is threading.main_thread():
        finished = app.wait_background(timeout)
    else:  # a command thread: the GUI thread runs its own loop, so only look
        deadline = time.monotonic() + timeout
        while not app.background_done and time.monotonic() < deadline:
            time.sleep(0.02)
        finished = app.background_done
    if not finished:
        raise RuntimeError(f"the app's start-up work did not finish within {timeout:.0f} s")
    if not app.text.segmenter.ready:
        raise RuntimeError("the app's jieba did not load")
    return time.perf_counter() - start


@dataclass(frozen=True)
class Running:
    """The app of `running_app`, with how long building it and its background work took."""

    app: Any
    build_s: float
    waited_s: float


@contextlib.contextmanager
def running_app(prefix: str, scripts: int | None = None) -> Iterator[Running]:
    """The real app (build_app) on a temporary data dir, its window shown and exposed, its
    start-up background work done and a manual call started; closed afterwards.

    With `scripts`, the data dir's edited pack (which ContentService prefers to the bundled
    one) is the bundled pack plus generated scripts, `scripts` in all."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from bench.content import write_enlarged_pack
    from desktop.app import build_app
    from desktop.paths import DataDir

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        data_dir = Path(tmp) / "data"
        if scripts is not None:
            write_enlarged_pack(DataDir.at(data_dir).content / "zh_CN", scripts)
        started = time.perf_counter()
        app = build_app(data_dir)
        build_s = time.perf_counter() - started
        try:
            loaded = len(app.content.pack.scripts)
            if scripts is not None and loaded != scripts:
                raise RuntimeError(f"the app loaded {loaded} scripts, not {scripts}")
            app.window.show()
            if not QTest.qWaitForWindowExposed(app.window):
                raise RuntimeError("the app's window was not exposed")
            waited_s = wait_background(app)
            app.workspace.start_manual(NUMBER, "")
            yield Running(app, build_s, waited_s)
        finally:
            app.close()
            qt_app.processEvents()


def assist_controller(app: Any) -> Any:
    """The window's AssistController (text assist and script search for the workspace)."""
    from desktop.ui.workspace.assist import AssistController

    controller = app.workspace.findChild(AssistController)
    if controller is None:
        raise RuntimeError("the workspace has no AssistController")
    return controller


def settle(views=()) -> None:
    """Run everything the last action queued: delayed item layouts, layout requests, paints.

    visualRect of each view's last row runs a still pending item layout, so its cost is
    counted too (any item view: QListWidget, QTreeWidget, a QTreeView over a model)."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    for view in views:
        last = _last_index(view)
        if last is not None and view.visualRect(last).isEmpty():
            raise RuntimeError(f"{view.accessibleName()}: last row has no geometry")
    QApplication.processEvents()


def _last_index(view: Any) -> Any:
    """The model index of the view's last visible row: the last child of the last expanded
    group, else the last top-level row; None when the view is empty."""
    model = view.model()
    root = view.rootIndex()
    count = model.rowCount(root)
    if not count:
        return None
    index = model.index(count - 1, 0, root)
    expanded = getattr(view, "isExpanded", None)  # tree views only
    while expanded is not None and model.rowCount(index) and expanded(index):
        index = model.index(model.rowCount(index) - 1, 0, index)
    return index


def type_text(widget: Any, text: str) -> None:
    """Type `text` into `widget` the way a Chinese input method delivers it: committed text
    (QTest's key clicks only know ASCII)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
