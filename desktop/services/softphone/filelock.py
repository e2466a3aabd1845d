"""Exclusive OS file locks (fcntl on POSIX, msvcrt on Windows), released when the process dies.

OS locks rather than marker files: a killed app or hook must never leave a stale lock behind.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import IO

if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class FileLock:
    """An exclusive lock on ``path`` (created if missing; its content is never used)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def acquire(self, timeout: float | None = None) -> bool:
        """Take the lock; wait at most ``timeout`` seconds (None: forever, 0: just try)."""
        if self._handle is not None:
            raise RuntimeError(f"{self.path} is already locked by this object")
        handle = open(self.path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.001
        while not _try_lock(handle):
            if deadline is not None and time.monotonic() >= deadline:
                handle.close()
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            _unlock(self._handle)
        finally:
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
