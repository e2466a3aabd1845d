"""A durable, append-only file of call events between the hook process and the app.

The hook appends a JSON line per event (locked, flushed and fsynced) and returns; the app
drains the lines after its consumed offset, which it persists atomically after handling.
Delivery is at-least-once: if the app dies after handling an event but before the offset
is saved, that event comes again on the next drain, with the same ``event_id``. The consumer
therefore ignores event ids it has already stored (a unique index does it).

An event the app cannot record however often it tries is *set aside*: appended to
``DataDir.failed_events`` with the reason, so it is kept for IT and never blocks the events
behind it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.core.call_events import EVENT_KINDS, CallEvent
from desktop.instance.lock import file_lock, try_lock
from desktop.lazy_log import LazyLogger
from desktop.paths import DataDir

log = LazyLogger(__name__)  # the hook appends here: it imports no logging

_FIELDS = CallEvent._fields


def encode_event(event: CallEvent) -> bytes:
    """One spool line (with its newline)."""
    text = json.dumps(event._asdict(), ensure_ascii=False)
    # A lone surrogate (an undecodable name) must not cost the event: escape it instead.
    return text.encode("utf-8", "backslashreplace") + b"\n"


def decode_event(line: bytes) -> CallEvent | None:
    """The event on one spool line, or None (logged) when the line is damaged."""
    try:
        data: Any = json.loads(line.decode("utf-8"))
    except ValueError:
        log.warning("skipping a damaged spool line: %.80r", line)
        return None
    if (
        not isinstance(data, dict)
        or data.get("kind") not in EVENT_KINDS
        or not data.get("event_id")
        or not all(isinstance(data.get(name, ""), str) for name in _FIELDS)
    ):
        log.warning("skipping an invalid spool line: %.80r", line)
        return None
    return CallEvent(**{name: data.get(name, "") for name in _FIELDS})


class RetryLater(Exception):
    """Raised by a drain handler: stop here; this event is offered again on the next drain."""


class EventSpool:
    """``DataDir.spool`` plus its consumed offset (``events.spool.offset``)."""

    def __init__(self, path: Path, set_aside_path: Path | None = None) -> None:
        self.path = path
        self.set_aside_path = set_aside_path or path.with_name(path.name + ".set-aside")
        self._offset_path = path.with_name(path.name + ".offset")
        self._lock_path = path.with_name(path.name + ".lock")
        self._drain_lock = threading.Lock()

    @classmethod
    def in_dir(cls, data_dir: Path) -> EventSpool:
        layout = DataDir.at(data_dir)
        return cls(layout.spool, layout.failed_events)

    def append(self, event: CallEvent) -> None:
        """Durably add one event; safe from any number of processes at once."""
        line = encode_event(event)
        with file_lock(self._lock_path):
            created = not self.path.exists()
            with open(self.path, "a+b") as spool:
                # A writer killed mid-line leaves a torn line: end it, so ours stays whole.
                if spool.seek(0, os.SEEK_END) > 0:
                    spool.seek(-1, os.SEEK_END)
                    if spool.read(1) != b"\n":
                        line = b"\n" + line
                spool.write(line)
                spool.flush()
                os.fsync(spool.fileno())
            if created:
                _fsync_dir(self.path.parent)

    def has_pending(self) -> bool:
        """Cheap check (one stat) for a safety-net timer in case a poke was lost."""
        try:
            return self.path.stat().st_size > self._read_offset()
        except FileNotFoundError:
            return False

    def set_aside(self, event: CallEvent, reason: str) -> None:
        """Keep an event that cannot be recorded, with why, for IT (durably, JSON lines)."""
        record = {**event._asdict(), "set_aside_because": reason[:500]}
        line = json.dumps(record, ensure_ascii=False).encode("utf-8", "backslashreplace")
        with file_lock(self._lock_path), open(self.set_aside_path, "ab") as out:
            out.write(line + b"\n")
            out.flush()
            os.fsync(out.fileno())

    def drain(self, handle: Callable[[CallEvent], object], deadline: float | None = None) -> int:
        """Hand each unconsumed event to ``handle`` in order, then mark it consumed.

        If ``handle`` raises (``RetryLater`` or anything else), the events before it stay
        consumed and the failing one is offered again next time. With ``deadline`` (a
        ``time.monotonic()`` value) it stops once that has passed, after at least one event,
        so the GUI thread gets back to painting; ``has_pending()`` then stays true.
        Returns how many events were handled.
        """
        with self._drain_lock:
            offset = self._read_offset()
            try:
                with open(self.path, "rb") as spool:
                    size = os.fstat(spool.fileno()).st_size
                    if offset > size:
                        log.warning("spool is shorter than its consumed offset; rereading it")
                        offset = 0
                    spool.seek(offset)
                    pending = spool.read()
            except FileNotFoundError:
                return 0
            end = pending.rfind(b"\n") + 1  # a line still being written waits for next time
            handled = 0
            position = offset
            try:
                for line in pending[:end].splitlines(keepends=True):
                    if handled and deadline is not None and time.monotonic() >= deadline:
                        break
                    event = decode_event(line.strip()) if line.strip() else None
                    if event is not None:
                        handle(event)
                        handled += 1
                    position += len(line)
            finally:
                if position != offset:
                    self._write_offset(position)
            self._compact()
            return handled

    def _compact(self) -> None:
        """Empty the spool once everything in it is consumed, so it never grows for ever."""
        lock = file_lock(self._lock_path)
        if not try_lock(lock):
            return  # a hook is appending: try again on the next drain
        try:
            try:
                size = self.path.stat().st_size
            except FileNotFoundError:
                return
            if size == 0 or size != self._read_offset():
                return
            # Offset first: a crash between the two steps rereads (deduplicated) events
            # instead of skipping new ones.
            self._write_offset(0)
            with open(self.path, "r+b") as spool:
                spool.truncate(0)
                os.fsync(spool.fileno())
        finally:
            lock.release()

    def _read_offset(self) -> int:
        try:
            return max(0, int(self._offset_path.read_text(encoding="ascii").strip() or 0))
        except FileNotFoundError:
            return 0
        except ValueError:
            log.warning("unreadable %s; rereading the whole spool", self._offset_path.name)
            return 0

    def _write_offset(self, offset: int) -> None:
        tmp = self._offset_path.with_name(self._offset_path.name + ".tmp")
        with open(tmp, "w", encoding="ascii") as f:
            f.write(str(offset))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._offset_path)


def _fsync_dir(path: Path) -> None:
    """Make a new file's directory entry durable too (POSIX only; Windows has no dir fds)."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
