"""WAL checkpoints on a thread of their own, so no commit on the GUI thread pays for one.

SQLite's automatic checkpoint runs inside the commit that takes the write-ahead log past
1,000 pages: that commit copies the log into the database file and syncs it (5-25 ms on
this machine's disk, far more on a busy laptop disk), on whatever thread committed. In the
app that is the GUI thread: a ring in a burst of softphone events, a tick, a notes save.
While a `WalCheckpointer` runs, the app's own connection does not checkpoint; a thread with
its own connection checkpoints (PASSIVE: it never waits for, nor blocks, a reader or the
writer) a moment after the log last changed, and the log is cut back to 4 MB when it
restarts. Stopping it gives the connection its automatic checkpoint back.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from db.database import Database

log = logging.getLogger(__name__)
AUTO_PAGES = 1000  # SQLite's default wal_autocheckpoint, given back on stop
# A burst of writes grows the log past the automatic checkpoint's ~4 MB (frames written while
# a checkpoint runs keep it from restarting); when it restarts it is cut back to this.
KEEP_BYTES = 4 * 1024 * 1024
INTERVAL_S = 1.0


class WalCheckpointer:
    """Checkpoints `path`'s WAL from a worker thread while the writer `db` commits."""

    def __init__(self, db: Database, path: Path, interval_s: float = INTERVAL_S) -> None:
        self._db = db
        self._path = Path(path)
        self._wal = self._path.with_name(self._path.name + "-wal")
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0  # checkpoints run that found frames to copy

    def start(self) -> None:
        if self._thread is not None:
            return
        try:
            conn = sqlite3.connect(
                self._path, timeout=0, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            log.warning("WAL checkpoints stay with the app's connection: %s", exc)
            return
        self._db.execute("PRAGMA wal_autocheckpoint = 0")
        self._db.execute(f"PRAGMA journal_size_limit = {KEEP_BYTES}")
        self._thread = threading.Thread(
            target=self._run, args=(conn,), name="wal-checkpoint", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (one last checkpoint first) and give the connection back its
        automatic checkpoint."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join(timeout=10)
        try:
            self._db.execute(f"PRAGMA wal_autocheckpoint = {AUTO_PAGES}")
        except sqlite3.Error as exc:  # a closed connection checkpoints as it closes anyway
            log.debug("could not restore the automatic checkpoint: %s", exc)

    def _run(self, conn: sqlite3.Connection) -> None:
        seen: tuple[int, int] | None = None  # a log left from before is checkpointed too
        try:
            while not self._stop.wait(self._interval):
                stamp = self._stamp()
                if stamp is not None and stamp != seen:  # the log changed since the last look
                    seen = stamp
                    self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = self._wal.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # locked, full disk: tried again when the log changes
            log.info("WAL checkpoint postponed: %s", exc)
            return
        if copied > 0:
            self.checkpoints += 1
        log.debug("WAL checkpoint: %d of %d frames in the database file", copied, frames)
