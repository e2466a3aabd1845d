"""The review's `Dialect` for the center's PostgreSQL database (desktop/services/review/
dialect.py names the members). Timestamps are stored as the same ISO text as in SQLite, so
only time arithmetic, the parameter style and the notes search differ."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_WORDS = re.compile(r'"([^"]+)"')


@dataclass(frozen=True, slots=True)
class PostgresDialect:
    """`rollups=False` is the plain path (every figure from the calls), kept for the test
    that holds the rollups to it."""

    rollups: bool = True
    row_key: str = "id"
    event_key: str = "uid"
    begin: str = "BEGIN"

    def sql(self, text: str) -> str:
        # psycopg's placeholders are %s; a literal % must be doubled
        return text.replace("%", "%%").replace("?", "%s")

    def seconds_between(self, start: str, end: str) -> str:
        # the same number SQLite's julianday gives after rounding to the stored milliseconds
        return (
            f"ROUND(EXTRACT(EPOCH FROM ({end})::timestamptz - ({start})::timestamptz), 3)"
            "::double precision"
        )

    def shifted(self, expr: str, hours: int) -> str:
        return (
            f"to_char((({expr})::timestamptz + interval '{int(hours)} hours') AT TIME ZONE 'UTC', "
            '\'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\')'
        )

    def notes_condition(
        self, conn: Any, expression: str, bounds: tuple[str, str] | None
    ) -> tuple[str, list[Any]]:
        """Every quoted word of the FTS expression appears in the notes: a substring test,
        narrowed by the notes' bigram index (center schema 3) for words of two or more
        characters (Chinese has no spaces for a tsvector to split on)."""
        words = _WORDS.findall(expression) or [w for w in expression.split() if w]
        if not words:
            return "1 = 0", []
        parts: list[str] = []
        params: list[Any] = []
        for word in words:
            if len(word) >= 2:
                parts.append("notes_bigrams(c.notes) @> notes_bigrams(?)")
                params.append(word)
            parts.append("strpos(c.notes, ?) > 0")
            params.append(word)
        return f"({' AND '.join(parts)})", params

    def call_sums(self, conn: Any, scope: Any, raw: Callable[[Any], Any]) -> Any:
        """`stats._call_groups` rows from the rollups where they cover the period."""
        if not self.rollups:
            return raw(scope)
        from desktop.services.center.rollups import call_sums

        return call_sums(conn, scope, raw)

    def hour_counts(self, conn: Any, scope: Any) -> Any:
        """The whole center's calls per UTC hour from the rollup, or None: the plain path."""
        if not self.rollups:
            return None
        from desktop.services.center.rollups import hour_counts

        return hour_counts(conn, scope)

    def adherence_counts(
        self, conn: Any, scope: Any, checklists: Any, raw: Callable[[Any], Any]
    ) -> Any:
        """`stats._adherence_counts` from the step rollup (center schema 5), or None."""
        if not self.rollups:
            return None
        from desktop.services.center.rollups import adherence_counts

        return adherence_counts(conn, scope, checklists, raw)

    def complaint_cases(self, conn: Any, scope: Any) -> Any:
        """The period's complaint cases from the stored figures (center schema 5), or None:
        the plain path."""
        if not self.rollups:
            return None
        from desktop.services.center.rollups import complaint_cases

        return complaint_cases(conn, scope)

    def complaint_totals(self, conn: Any, scope: Any) -> Any:
        """(cases, followed up, response times, resolution times) of the period from the
        stored cases, or None: the plain path."""
        if not self.rollups:
            return None
        from desktop.services.center.rollups import complaint_totals

        return complaint_totals(conn, scope)

    def has_table(self, conn: Any, name: str) -> bool:
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()
        return bool(row and row[0])


POSTGRES = PostgresDialect()
POSTGRES_PLAIN = PostgresDialect(rollups=False)
