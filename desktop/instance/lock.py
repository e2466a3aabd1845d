"""One app per data dir: an OS lock on ``DataDir.lock`` held for the app's life, and the
short cross-process lock around the event spool.

Both are OS file locks (``flock`` on POSIX, ``msvcrt.locking`` on Windows): the OS drops
them when the process dies, so a crash never blocks the next start. Each `FileLock` opens
its own descriptor, so two locks on one path exclude each other even inside one process.

This is a few lines of standard library rather than the `filelock` package: the softphone
hook takes both locks, and importing `filelock` (about 20 modules) cost ~18 ms of the hook's
~60 ms of imports and as much again at the app's start (issue 16).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from desktop.paths import DataDir

PRIVATE_FILE_MODE = 0o600
POLL_S = 0.05  # how often a waiting acquire tries again


class LockTimeout(TimeoutError):
    """The lock was still held by someone else when the timeout ran out."""


if sys.platform == "win32":
    import msvcrt

    def _lock_fd(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:  # EACCES / EDEADLOCK: another process holds the byte
            return False
        return True

    def _unlock_fd(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    def _open(path: Path, mode: int) -> int | None:
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, mode)
        except PermissionError:  # the holder's open file can refuse a second open
            if path.exists():
                return None
            raise

else:
    import fcntl

    def _lock_fd(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    def _open(path: Path, mode: int) -> int | None:
        return os.open(path, os.O_RDWR | os.O_CREAT, mode)


class FileLock:
    """An exclusive lock on a file, usable from any thread (not per thread), re-entrant
    for its holder: each ``acquire`` needs its ``release`` (or one ``release(force=True)``)."""

    def __init__(self, path: Path, mode: int = PRIVATE_FILE_MODE) -> None:
        self.path = Path(path)
        self._mode = mode
        self._fd: int | None = None
        self._count = 0
        self._guard = threading.Lock()

    @property
    def is_locked(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float = -1) -> FileLock:
        """Take the lock, waiting at most ``timeout`` seconds (for ever when negative).

        Raises LockTimeout when another holds it that long, OSError when the lock file
        cannot be made (a read-only folder)."""
        deadline = None if timeout < 0 else time.monotonic() + timeout
        while True:
            with self._guard:
                if self._fd is not None:
                    self._count += 1
                    return self
                fd = _open(self.path, self._mode)
                if fd is not None:
                    if _lock_fd(fd):
                        self._fd, self._count = fd, 1
                        return self
                    os.close(fd)
            if deadline is not None and time.monotonic() >= deadline:
                raise LockTimeout(f"{self.path} is locked by another process")
            time.sleep(POLL_S)

    def release(self, force: bool = False) -> None:
        with self._guard:
            if self._fd is None:
                return
            self._count = 0 if force else self._count - 1
            if self._count > 0:
                return
            fd, self._fd = self._fd, None
            try:
                _unlock_fd(fd)
            finally:
                os.close(fd)

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


def file_lock(path: Path) -> FileLock:
    """An exclusive lock on ``path`` (made 0600 if missing), usable from any thread."""
    return FileLock(path, PRIVATE_FILE_MODE)


def try_lock(lock: FileLock, timeout: float = 0) -> bool:
    """Take ``lock`` waiting at most ``timeout`` seconds; False if another holds it."""
    try:
        lock.acquire(timeout=timeout)
    except LockTimeout:
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
