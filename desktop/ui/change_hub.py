"""The GUI end of the change bus: re-emits every OpChanges on the GUI thread as one signal."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from desktop.core.changes import ChangeBus, OpChanges


class ChangeHub(QObject):
    """Panels connect to `changed(changes, origin)` and decide what to redraw. A publish from a
    worker thread arrives queued on the GUI thread; one from the GUI thread arrives at once."""

    changed = Signal(object, object)  # OpChanges, origin (the object that asked, or None)

    def __init__(self, bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bus = bus
        self._closed = False
        # as in TaskRunner: once close() returns no worker is emitting on this object, so
        # its parent window may be deleted
        self._post_lock = threading.Lock()
        self._gui_thread = threading.get_ident()  # made on the GUI thread
        self._unsubscribe = bus.subscribe(self._relay)

    def _relay(self, changes: OpChanges, origin: object) -> None:
        if threading.get_ident() == self._gui_thread:
            if not self._closed:
                self.changed.emit(changes, origin)
            return
        with self._post_lock:
            if not self._closed:
                self.changed.emit(changes, origin)  # queued to the GUI thread

    def close(self) -> None:
        with self._post_lock:
            self._closed = True
        self._unsubscribe()
