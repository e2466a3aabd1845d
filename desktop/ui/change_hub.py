"""The GUI end of the change bus: re-emits every OpChanges on the GUI thread as one signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.core.changes import ChangeBus, OpChanges


class ChangeHub(QObject):
    """Panels connect to `changed(changes, origin)` and decide what to redraw. A publish from a
    worker thread arrives queued on the GUI thread; one from the GUI thread arrives at once."""

    changed = Signal(object, object)  # OpChanges, origin (the object that asked, or None)

    def __init__(self, bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bus = bus
        self._unsubscribe = bus.subscribe(self._relay)

    def _relay(self, changes: OpChanges, origin: object) -> None:
        self.changed.emit(changes, origin)

    def close(self) -> None:
        self._unsubscribe()
