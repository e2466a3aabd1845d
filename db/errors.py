"""Storage errors that carry the file and what the user can do, never a bare traceback."""

from __future__ import annotations

from pathlib import Path


class StorageError(Exception):
    """The database cannot be used; `message` and `advice` are shown to the user as they are."""

    def __init__(self, path: Path, message: str, advice: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        self.advice = advice

    def user_text(self) -> str:
        return f"{self.message}\n文件：{self.path}\n{self.advice}"


def is_transient(exc: BaseException) -> bool:
    """A failure that may pass if tried again: the file is locked or busy, or the disk full."""
    import sqlite3

    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return any(word in text for word in ("locked", "busy", "full"))
