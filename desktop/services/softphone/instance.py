"""One app per data dir: an OS lock on ``data_dir/instance.lock`` held for the app's life.

The OS drops the lock when the process dies, so a crash never blocks the next start.
"""

from __future__ import annotations

from pathlib import Path

from desktop.services.softphone.filelock import FileLock

LOCK_NAME = "instance.lock"


class InstanceLock:
    def __init__(self, data_dir: Path) -> None:
        self._lock = FileLock(data_dir / LOCK_NAME)

    def acquire(self) -> bool:
        """True if this process is now the app for the data dir; never waits."""
        return self._lock.acquire(timeout=0)

    def release(self) -> None:
        self._lock.release()


def app_running(data_dir: Path) -> bool:
    """Whether some process holds the instance lock (the app is up or still starting)."""
    probe = FileLock(data_dir / LOCK_NAME)
    if probe.acquire(timeout=0):
        probe.release()
        return False
    return True
