"""One app per data dir: an OS lock on ``DataDir.lock`` held for the app's life, and the
short cross-process lock around the event spool.

Both are `filelock` locks (flock on POSIX, msvcrt on Windows): the OS drops them when the
process dies, so a crash never blocks the next start.
"""

from __future__ import annotations

from pathlib import Path

import filelock

from desktop.paths import DataDir

PRIVATE_FILE_MODE = 0o600


def file_lock(path: Path) -> filelock.BaseFileLock:
    """An exclusive lock on ``path`` (made 0600 if missing), usable from any thread."""
    return filelock.FileLock(path, mode=PRIVATE_FILE_MODE, thread_local=False)


def try_lock(lock: filelock.BaseFileLock, timeout: float = 0) -> bool:
    """Take ``lock`` waiting at most ``timeout`` seconds; False if another holds it."""
    try:
        lock.acquire(timeout=timeout)
    except filelock.Timeout:
        return False
    return True


class InstanceLock:
    def __init__(self, data_dir: Path) -> None:
        self._lock = file_lock(DataDir.at(data_dir).lock)

    def acquire(self) -> bool:
        """True if this process is now the app for the data dir; never waits.

        Raises OSError when the lock file cannot be made (a read-only data dir).
        """
        return try_lock(self._lock)

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


def app_running(data_dir: Path) -> bool:
    """Whether some process holds the instance lock (the app is up or still starting)."""
    probe = file_lock(DataDir.at(data_dir).lock)
    if try_lock(probe):
        probe.release(force=True)
        return False
    return True
