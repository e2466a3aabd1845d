"""Helpers for children that drive the real app in their own process (Qt imported lazily)."""

from __future__ import annotations

import threading
import time
from typing import Any


def background_events(app: Any) -> list[threading.Event]:
    """The app's "ready"/"idle" flags for work it does in the background at start."""
    found: list[threading.Event] = []
    for part in vars(app).values():
        for name, value in getattr(part, "__dict__", {}).items():
            if isinstance(value, threading.Event) and ("ready" in name or name == "idle"):
                found.append(value)
    return found


def wait_background(app: Any, timeout: float = 120.0) -> float:
    """Wait until jieba has loaded and the app's start-up background work is done, so that
    a measurement sees the steady state; returns the seconds waited."""
    from bench.apphost import find_segmenter

    start = time.perf_counter()
    if threading.current_thread() is threading.main_thread():
        app.start_background()  # the app schedules it shortly after its window is up

    deadline = time.monotonic() + timeout
    segmenter = find_segmenter(app)
    if segmenter is not None and not segmenter.wait(timeout):
        raise RuntimeError("the app's jieba did not load")
    for event in background_events(app):
        if not event.wait(max(0.0, deadline - time.monotonic())):
            raise RuntimeError("the app's background start-up work did not finish")
    return time.perf_counter() - start


def settle(views=()) -> None:
    """Run everything the last action queued: delayed item layouts, layout requests, paints.

    visualItemRect on each view's last row runs a still pending item layout, so its cost is
    counted too (QListWidget and QTreeWidget)."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    for view in views:
        last = _last_item(view)
        if last is not None and view.visualItemRect(last).isEmpty():
            raise RuntimeError(f"{view.accessibleName()}: last row has no geometry")
    QApplication.processEvents()


def _last_item(view: Any) -> Any:
    if hasattr(view, "topLevelItemCount"):  # QTreeWidget: the last row of the last group
        count = view.topLevelItemCount()
        if not count:
            return None
        item = view.topLevelItem(count - 1)
        while item.childCount() and item.isExpanded():
            item = item.child(item.childCount() - 1)
        return item
    return view.item(view.count() - 1) if view.count() else None


def find_child(parent: Any, module: str, name: str) -> Any:
    """The QObject child of class `module.name`, or None when the class does not exist yet."""
    import importlib

    try:
        kind = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return parent.findChild(kind)


def type_text(widget: Any, text: str) -> None:
    """Type `text` into `widget` the way a Chinese input method delivers it: committed text
    (QTest's key clicks only know ASCII)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
