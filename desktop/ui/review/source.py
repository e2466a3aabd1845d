"""Where the review's workers read from: a read-only connection per worker thread (sqlite3
connections are not shared across threads), and the parts every query needs."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.core.calendar import AgentCalendar
from desktop.services.review.browser import CallBrowser
from desktop.services.review.reader import open_reader
from desktop.services.review.stats import Checklists


@dataclass
class ReviewSource:
    db_file: Path
    now: Callable[[], datetime]
    calendar: Callable[[], AgentCalendar]
    checklists: Callable[[], Checklists]
    segmenter: Any = None
    pack: Callable[[], Any] = lambda: None
    evaluator: str = ""
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def conn(self) -> sqlite3.Connection:
        """This thread's read-only connection (opened on first use)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = open_reader(Path(self.db_file))
            self._local.conn = conn
        return conn

    def writer(self) -> sqlite3.Connection:
        """A short-lived writable connection, for QA evaluations only (their own table)."""
        conn = sqlite3.connect(self.db_file, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        return conn

    @property
    def grace(self) -> timedelta:
        return self.calendar().grace

    def browser(self) -> CallBrowser:
        return CallBrowser(
            self.conn(),
            now=self.now,
            checklists=self.checklists(),
            grace=self.grace,
            segmenter=self.segmenter,
        )
