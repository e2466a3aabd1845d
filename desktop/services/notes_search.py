"""Full-text search over call notes for team leads: jieba words in an FTS5 index.

Indexing runs on a worker thread with its own connection (it waits for jieba, and a
backfill over a large file must not freeze the window); searching is a single indexed query.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path

from desktop.core.breather import background
from desktop.core.progress import Runner
from desktop.core.text.normalize import normalize
from desktop.core.text.segmenter import Segmenter

log = logging.getLogger(__name__)
BACKFILL_BATCH = 50  # calls per transaction; the backfill steps aside between them


def note_tokens(text: str, segmenter: Segmenter) -> str:
    """Space-joined search words: jieba words, plus the two-character pieces of longer words
    so 快递 finds 快递员."""
    words: list[str] = []
    for token in segmenter.cut(normalize(text)):
        token = token.strip()
        if not token or not any(ch.isalnum() for ch in token):
            continue
        words.append(token)
        if len(token) >= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in token):
            words.extend(token[i : i + 2] for i in range(len(token) - 1))
    return " ".join(words)


def match_expression(query: str, segmenter: Segmenter) -> str:
    """An FTS5 MATCH string with every word quoted, so no user text is parsed as syntax."""
    words = [w for w in note_tokens(query, segmenter).split() if w]
    unique = list(dict.fromkeys(words))
    return " ".join('"' + w.replace('"', '""') + '"' for w in unique)


def search_notes(
    conn: sqlite3.Connection, query: str, segmenter: Segmenter, limit: int = 50
) -> list[str]:
    """Call ids whose notes contain every word of `query`, most recently recorded first
    (rowid order: the index walks it backwards and stops at `limit`, where sorting by
    started_at would sort every match first: 300 ms for a common word in 1M calls)."""
    expression = match_expression(query, segmenter)
    if not expression:
        return []
    rows = conn.execute(
        "SELECT c.id FROM notes_fts JOIN calls c ON c.rowid = notes_fts.rowid "
        "WHERE notes_fts MATCH ? ORDER BY notes_fts.rowid DESC LIMIT ?",
        [expression, limit],
    )
    return [r[0] for r in rows]


def classified_calls(db_file: Path, limit: int = 5000) -> list[tuple[str, str]]:
    """(notes, call type) of the agent's latest finished calls, read on the caller's thread
    through its own read-only connection: what the intent suggester learns from."""
    conn = sqlite3.connect(f"file:{db_file.as_posix()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT notes, intent FROM calls WHERE status = 'completed' AND intent IS NOT NULL "
            "AND notes != '' ORDER BY rowid DESC LIMIT ?",
            [limit],
        ).fetchall()
    finally:
        conn.close()
    return [(notes, intent) for notes, intent in rows]


def index_calls(conn: sqlite3.Connection, call_ids: Iterable[str], segmenter: Segmenter) -> int:
    """(Re)index these calls' notes in one transaction; returns how many were written."""
    written = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for call_id in call_ids:
            row = conn.execute("SELECT rowid, notes FROM calls WHERE id = ?", [call_id]).fetchone()
            if row is None:
                continue
            conn.execute("DELETE FROM notes_fts WHERE rowid = ?", [row[0]])
            if row[1]:
                conn.execute(
                    "INSERT INTO notes_fts(rowid, tokens) VALUES (?, ?)",
                    [row[0], note_tokens(row[1], segmenter)],
                )
                written += 1
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return written


class NotesIndexer:
    """Keeps notes_fts current: `enqueue(call_id)` after a call completes; `start` backfills
    every finished call missing from the index. All work goes through the app's task runner
    (`run(fn, on_done)`), one batch at a time, each on its own short-lived connection."""

    def __init__(self, db_file: Path, segmenter: Segmenter, run: Runner) -> None:
        self._db_file = db_file
        self._segmenter = segmenter
        self._run = run
        self._pending: list[str] = []
        self._busy = False
        self._started = False
        self._lock = threading.Lock()  # one indexing batch at a time
        self.idle = threading.Event()
        self.idle.set()

    def start(self) -> None:
        """Backfill once jieba is ready (the caller starts us after it loads)."""
        if self._started:
            return
        self._started = True
        self._submit(None)

    def enqueue(self, call_id: str) -> None:
        self._pending.append(call_id)
        if self._started and not self._busy:
            self._submit(self._take())

    def stop(self) -> None:
        """Nothing to stop: queued work is dropped with the runner, a running batch commits."""
        self._started = False

    def _take(self) -> list[str]:
        batch, self._pending = self._pending, []
        return batch

    def _submit(self, batch: list[str] | None) -> None:
        self._busy = True
        self.idle.clear()
        self._run(lambda: self._index(batch), self._finished)

    def _finished(self, future: Future) -> None:
        self._busy = False
        error = None if future.cancelled() else future.exception()
        if error is not None:
            log.error("notes indexing failed", exc_info=error)
        if self._pending and self._started:
            self._submit(self._take())
        else:
            self.idle.set()

    def _index(self, batch: list[str] | None) -> int:
        """Index `batch`, or (None) every finished call missing from the index."""
        with self._lock:
            conn = sqlite3.connect(self._db_file, isolation_level=None)
            try:
                conn.execute("PRAGMA busy_timeout = 5000")
                if batch is None:
                    batch = [
                        r[0]
                        for r in conn.execute(
                            "SELECT id FROM calls WHERE status IN ('completed', 'missed') "
                            "AND notes != '' AND rowid NOT IN (SELECT rowid FROM notes_fts)"
                        )
                    ]
                done = 0
                for start in range(0, len(batch), BACKFILL_BATCH):
                    background.breathe()  # between transactions: never while holding a lock
                    done += index_calls(
                        conn, batch[start : start + BACKFILL_BATCH], self._segmenter
                    )
                return done
            finally:
                conn.close()
