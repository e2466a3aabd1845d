"""WAL checkpoints leave the writer's commits to a thread of their own (a real SQLite file)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from db.checkpoint import AUTO_PAGES, KEEP_BYTES, WalCheckpointer
from db.connection import connect, transaction

PAGES = 1500  # more than SQLite's automatic checkpoint would let the log grow to


def _log_frames(path: Path) -> tuple[int, int]:
    """(frames in the WAL, frames in the database file) after one more PASSIVE checkpoint:
    equal when nothing was left to copy or the rest could be copied now."""
    conn = sqlite3.connect(path)
    try:
        _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()
    return frames, copied


def _write_pages(db, pages: int) -> None:
    for n in range(pages):
        with transaction(db):
            db.execute("INSERT INTO t (blob) VALUES (?)", [bytes(4000) + n.to_bytes(4, "big")])


def test_commits_do_not_checkpoint_while_the_thread_runs(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    db = connect(path)
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, blob BLOB)")
    checkpointer = WalCheckpointer(db, path, interval_s=3600)  # only at stop
    checkpointer.start()
    try:
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        wal = path.with_name(path.name + "-wal")
        _write_pages(db, PAGES)
        # with the automatic checkpoint the log would restart after ~1,000 pages
        assert wal.stat().st_size > PAGES * 4096
        assert checkpointer.checkpoints == 0
    finally:
        checkpointer.stop()
    assert checkpointer.checkpoints == 1  # the last one, at stop
    frames, copied = _log_frames(path)
    assert frames == copied  # everything is in the database file
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == AUTO_PAGES
    db.close()


def test_the_thread_checkpoints_soon_after_the_log_changes(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    db = connect(path)
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, blob BLOB)")
    checkpointer = WalCheckpointer(db, path, interval_s=0.02)
    checkpointer.start()
    try:
        _write_pages(db, 50)
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpointer.checkpoints >= 1
        _write_pages(db, 1)  # the writer goes on while the thread checkpoints
        assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 51
    finally:
        checkpointer.stop()
        db.close()


def test_a_log_grown_by_a_burst_is_cut_back_when_it_restarts(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    db = connect(path)
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, blob BLOB)")
    checkpointer = WalCheckpointer(db, path, interval_s=3600)
    checkpointer.start()
    wal = path.with_name(path.name + "-wal")
    try:
        _write_pages(db, PAGES)
        assert wal.stat().st_size > KEEP_BYTES
        frames, copied = _log_frames(path)  # what the thread does after a burst
        assert frames == copied
        _write_pages(db, 1)  # the next commit restarts the log from its start
        assert wal.stat().st_size <= KEEP_BYTES
    finally:
        checkpointer.stop()
        db.close()
