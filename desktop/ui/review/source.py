"""Where the review's workers read from: the lead's local SQLite file, or the center's
PostgreSQL database (issue 17). One connection per worker thread (sqlite3 connections are not
shared across threads; a psycopg one serializes its queries), and the parts every query needs.

The center is chosen on the GUI thread from the result of a worker's probe
(`ReviewWindow` calls `probe()` on the task runner, then `use_center()` or `fall_back()`),
so a server that is down never blocks the window and the choice is never changed under a
running query's feet: connections opened for the old choice are dropped with it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.core.calendar import AgentCalendar
from desktop.services.review.browser import CallBrowser
from desktop.services.review.dialect import SQLITE, Dialect
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
    center_url: str = ""  # the saved center; used once probe() says it answers
    dialect: Dialect = SQLITE
    banner: str = ""  # why the center is not shown (the local file is), "" when all is well
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _generation: int = field(default=0, repr=False)
    _opened: list = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def is_center(self) -> bool:
        return self.dialect is not SQLITE

    @property
    def label(self) -> str:
        """What the window's title says it shows."""
        if self.is_center:
            from desktop.services.center.connection import safe_url

            return f"中心数据库 {safe_url(self.center_url)}"
        return f"本机数据库 {Path(self.db_file).name}"

    # ---- choosing the database (probe on a worker, apply on the GUI thread) ---------------
    def probe(self) -> str:
        """Worker: "" when the saved center can be used, else the banner text. No center
        saved: "" (the local file is what was asked for)."""
        if not self.center_url:
            return ""
        from desktop.services.center.source import probe_center

        return probe_center(self.center_url)

    def use_center(self) -> None:
        from desktop.services.center.dialect import POSTGRES

        self._switch(POSTGRES, "")

    def fall_back(self, banner: str) -> None:
        self._switch(SQLITE, banner)

    def _switch(self, dialect: Dialect, banner: str) -> None:
        self.dialect = dialect
        self.banner = banner
        self._generation += 1  # every thread reopens on its next query

    # ---- connections ---------------------------------------------------------------------
    def conn(self) -> Any:
        """This thread's read-only connection (opened on first use, reopened after the
        choice changed or the center's connection broke)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and (
            getattr(self._local, "generation", -1) != self._generation or _broken(conn)
        ):
            _close_quietly(conn)
            with self._lock:
                if conn in self._opened:
                    self._opened.remove(conn)
            conn = None
        if conn is None:
            conn = self._open_reader()
            self._local.conn = conn
            self._local.generation = self._generation
            with self._lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection the workers opened (once no query runs: at the app's
        close, or a test's end); a later query opens a new one."""
        with self._lock:
            opened, self._opened = self._opened, []
            self._generation += 1
        for conn in opened:
            _close_quietly(conn)

    def _open_reader(self) -> Any:
        if self.is_center:
            from desktop.services.center.source import center_reader

            return center_reader(self.center_url)
        return open_reader(Path(self.db_file))

    def writer(self) -> Any:
        """A short-lived writable connection, for QA evaluations only (their own table): on
        the center when the review shows the center, so the evaluation sits beside the call."""
        if self.is_center:
            from desktop.services.center.source import center_writer

            return center_writer(self.center_url)
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
            dialect=self.dialect,
        )

    def teams(self) -> dict[str, tuple[str, list[str]]]:
        """Worker: team id -> (name, agents) on the center; a local file has no teams."""
        if not self.is_center:
            return {}
        from desktop.services.center.teams import team_members

        return team_members(self.conn())


def _broken(conn: Any) -> bool:
    return bool(getattr(conn, "broken", False) or getattr(conn, "closed", False))


def _close_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):  # a broken connection may fail to close; it is gone
        conn.close()
