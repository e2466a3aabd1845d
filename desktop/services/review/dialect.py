"""What the review's SQL needs that differs between engines, in one small object.

The statistics and browser queries are standard SQL (CTEs, CASE, COUNT/SUM, row values);
only what is listed here is engine-specific. `SQLITE` is the implementation for the agent's
own file; a PostgreSQL one (issue 17) supplies the same members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class Dialect(Protocol):
    @property
    def row_key(self) -> str:
        """A column that orders rows uniquely and cheaply (the keyset tie-breaker)."""

    @property
    def event_key(self) -> str:
        """The column naming one row of call_intents / audit_log (a tie-breaker after the
        time): SQLite's integer id (insertion order); the center's bundle `uid`."""

    @property
    def begin(self) -> str:
        """The statement that opens a write transaction (on an autocommit connection)."""

    def sql(self, text: str) -> str:
        """The query in the engine's parameter style (written with `?`)."""

    def seconds_between(self, start: str, end: str) -> str:
        """SQL for the seconds from ISO text `start` to ISO text `end` (a number)."""

    def shifted(self, expr: str, hours: int) -> str:
        """SQL for ISO text `expr` moved by whole `hours`, as comparable ISO UTC text."""

    def notes_condition(
        self, conn: Any, expression: str, bounds: tuple[str, str] | None
    ) -> tuple[str, list[Any]]:
        """(condition on calls `c`, parameters): the call's notes match `expression` (from
        `desktop.services.notes_search.match_expression`); `bounds` is the period's
        [start, end) in stored text, when there is one, to narrow the index read."""

    def has_table(self, conn: Any, name: str) -> bool:
        """Whether the database has this table (an old file may lack qa_evaluations)."""


# a notes search matching this many calls of a period walks the period instead of sorting them
MANY_MATCHES = 1000


@dataclass(frozen=True, slots=True)
class SQLiteDialect:
    row_key: str = "rowid"
    event_key: str = "id"
    begin: str = "BEGIN IMMEDIATE"

    def sql(self, text: str) -> str:
        return text

    def seconds_between(self, start: str, end: str) -> str:
        # julianday is a double in days: rounding to the stored milliseconds removes its noise
        return f"ROUND((julianday({end}) - julianday({start})) * 86400.0, 3)"

    def shifted(self, expr: str, hours: int) -> str:
        return f"strftime('%Y-%m-%dT%H:%M:%fZ', {expr}, '{int(hours):+d} hours')"

    def notes_condition(
        self, conn: Any, expression: str, bounds: tuple[str, str] | None
    ) -> tuple[str, list[Any]]:
        """The FTS index yields rowids; sorting them by date costs what the matches number
        (a common word: a quarter of the file). Within a period, the index read is limited
        to the rowid range the period's calls span, found from the started_at index: tight
        in an agent's file (rows arrive in time order), still correct in a merged one.

        Then two plans, chosen by how many calls match there: a few are looked up and
        sorted; many (a common word) are only tested for membership while the period's
        started_at index is walked in the page's order, which stops at the page's end
        (the `+` keeps SQLite from driving the query by the matches)."""
        match = "c.rowid IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?"
        if bounds is None:  # the whole file: the same choice, walking the whole index
            many = _matches(conn, "", [expression]) >= MANY_MATCHES
            return ("+" if many else "") + match + ")", [expression]
        low, high = conn.execute(
            "SELECT MIN(rowid), MAX(rowid) FROM calls WHERE started_at >= ? AND started_at < ?",
            list(bounds),
        ).fetchone()
        if low is None:
            return "1 = 0", []
        params = [expression, low, high]
        many = _matches(conn, " AND rowid BETWEEN ? AND ?", params) >= MANY_MATCHES
        return ("+" if many else "") + match + " AND rowid BETWEEN ? AND ?)", params

    def has_table(self, conn: Any, name: str) -> bool:
        row = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]
        ).fetchone()
        return row is not None


def _matches(conn: Any, bounds: str, params: list[Any]) -> int:
    """How many calls match, counted up to MANY_MATCHES (the count stops there)."""
    sql = (
        "SELECT COUNT(*) FROM (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?"
        f"{bounds} LIMIT {MANY_MATCHES})"
    )
    return int(conn.execute(sql, params).fetchone()[0])


SQLITE = SQLiteDialect()
