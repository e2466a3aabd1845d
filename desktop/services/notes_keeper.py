"""Notes that are never lost: a save the database cannot take (locked by another program,
disk full) keeps the text in a small crash-safe side file and is retried until it lands;
at the next start a side file left behind is merged back into the call (issue 14.1).

The GUI thread never waits long on a lock: a notes save sets a short busy timeout for
itself, fails fast, and the retry timer tries again later.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from desktop.services.calls import CallService

log = logging.getLogger(__name__)

NOTES_BUSY_MS = 100  # how long a notes save may wait for a lock on the GUI thread
RESCUE_SUFFIX = ".notes.txt"


@dataclass(frozen=True, slots=True)
class SaveResult:
    saved: bool  # in the database
    whole: bool = True  # False: longer than the limit, the start was kept
    reason: str = ""  # why it is not in the database (Chinese, for the agent)
    kept_at: Path | None = None  # the side file holding the text meanwhile


def explain(error: BaseException) -> str:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return "数据库被其他程序占用"
    if "full" in text:
        return "磁盘已满"
    if "readonly" in text or "read-only" in text:
        return "数据库只读"
    return f"数据库错误：{error}"


@contextmanager
def short_busy_timeout(db: sqlite_utils.Database, ms: int) -> Iterator[None]:
    db.execute(f"PRAGMA busy_timeout = {int(ms)}")
    try:
        yield
    finally:
        from db.connection import BUSY_TIMEOUT_MS

        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


class NotesKeeper:
    def __init__(self, db: sqlite_utils.Database, calls: CallService, rescue_dir: Path) -> None:
        self._db = db
        self._calls = calls
        self.rescue_dir = Path(rescue_dir)
        self.pending: dict[str, str] = {}  # call id → text not in the database yet
        self._fallback_dir: Path | None = None

    # ---- saving ------------------------------------------------------------------------
    def save(self, call_id: str, text: str) -> SaveResult:
        """Save to the database; on failure keep the text (side file + memory) for retry."""
        self.pending[call_id] = text
        try:
            with short_busy_timeout(self._db, NOTES_BUSY_MS):
                whole = self._calls.save_notes(call_id, text)
        except sqlite3.Error as exc:
            reason = explain(exc)
            log.warning("notes of call %s not saved (%s); kept aside for retry", call_id, exc)
            return SaveResult(False, True, reason, self._keep_aside(call_id, text))
        del self.pending[call_id]
        self._drop_aside(call_id)
        return SaveResult(True, whole)

    def retry(self) -> list[str]:
        """Try every pending text again; returns the call ids still not saved."""
        for call_id, text in list(self.pending.items()):
            if self.pending.get(call_id) is text:
                self.save(call_id, text)
        return list(self.pending)

    # ---- recovering --------------------------------------------------------------------
    def recover(self) -> int:
        """At start: side files left by an earlier run are the newest text of their call;
        write them back (the side file goes only once the database has it)."""
        merged = 0
        for directory in (self.rescue_dir, self._fallback_root()):
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob("*" + RESCUE_SUFFIX)):
                call_id = path.name.removesuffix(RESCUE_SUFFIX)
                try:
                    text = path.read_text(encoding="utf-8")
                except OSError as exc:
                    log.warning("rescued notes %s unreadable: %s", path, exc)
                    continue
                if self._db.execute("SELECT 1 FROM calls WHERE id = ?", [call_id]).fetchone():
                    result = self.save(call_id, text)
                    merged += result.saved
                    if result.saved:
                        log.info("merged rescued notes of call %s back from %s", call_id, path)
        return merged

    # ---- side files ----------------------------------------------------------------------
    def _keep_aside(self, call_id: str, text: str) -> Path | None:
        """Write the text durably beside the database, else in a private temp folder."""
        for directory in (self.rescue_dir, self._fallback_root()):
            try:
                directory.mkdir(parents=True, exist_ok=True, mode=0o700)
                if hasattr(os, "getuid") and directory.stat().st_uid != os.getuid():
                    log.warning("%s belongs to another user; not used", directory)
                    continue
                target = directory / (call_id + RESCUE_SUFFIX)
                tmp = directory / f".{call_id}.{os.getpid()}.tmp"
                with open(tmp, "w", encoding="utf-8") as out:
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
                return target
            except OSError as exc:
                log.warning("could not keep notes aside in %s: %s", directory, exc)
        return None

    def _drop_aside(self, call_id: str) -> None:
        for directory in (self.rescue_dir, self._fallback_root()):
            path = directory / (call_id + RESCUE_SUFFIX)
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not remove %s: %s", path, exc)

    def _fallback_root(self) -> Path:
        """Another writable place when the data dir's disk is full: the user's temp dir."""
        if self._fallback_dir is None:
            uid = os.getuid() if hasattr(os, "getuid") else 0
            tag = hashlib.sha1(str(self.rescue_dir.resolve()).encode()).hexdigest()[:12]
            self._fallback_dir = Path(tempfile.gettempdir()) / f"callassist-notes-{uid}-{tag}"
        return self._fallback_dir
