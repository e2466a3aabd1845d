"""How the review reads a file: read-only, with a page cache sized for a month of a large
file (the statistics, the browser and the story re-read the same pages; SQLite's default
cache is 2 MB). One connection per worker thread: sqlite3 connections are not shared."""

from __future__ import annotations

import sqlite3
from pathlib import Path

READ_CACHE_MB = 64
BUSY_TIMEOUT_MS = 3000


def open_reader(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        f"file:{Path(path).as_posix()}?mode=ro", uri=True, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute(f"PRAGMA cache_size = -{READ_CACHE_MB * 1024}")
    return conn
