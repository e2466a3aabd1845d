"""The agent's database handle: plain sqlite3 for SQL, sqlite-utils' table helpers on first use.

Importing sqlite_utils costs more than a bare Qt window takes to appear (it imports numpy when
numpy is installed): 150-300 ms on the start-up path. Everything the running app needs is
plain SQL (`execute`, and `rows`/`insert`/`update` below), so the import waits until a table
helper is first used (`db["calls"].insert(..., pk=...)`): in the app only a new database's
schema and the demo data do. `warm()` imports it on purpose.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils
    from sqlite_utils.db import Table


def _import_sqlite_utils() -> Any:
    """sqlite_utils (and the numpy it brings), imported on first use: by a worker after the
    window is up, or by the first table helper. (Hiding numpy from it would be faster, but
    would break any other thread importing numpy at that moment, e.g. the review's charts.)"""
    import sqlite_utils

    return sqlite_utils


class Database:
    """One sqlite3 connection; `db[name]` is sqlite-utils' Table on that same connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._pks: dict[str, tuple[str, ...]] = {}  # primary key columns by table, read once
        self._utils: sqlite_utils.Database | None = None
        self._utils_lock = threading.Lock()

    def execute(
        self, sql: str, parameters: Iterable[Any] | Mapping[str, Any] | None = None
    ) -> sqlite3.Cursor:
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)  # type: ignore[arg-type]

    def executescript(self, sql: str) -> sqlite3.Cursor:
        return self.conn.executescript(sql)

    def close(self) -> None:
        self.conn.close()

    @property
    def utils(self) -> sqlite_utils.Database:
        """sqlite-utils' Database over this connection (imported and made once)."""
        utils = self._utils
        if utils is None:
            with self._utils_lock:
                if self._utils is None:
                    sqlite_utils = _import_sqlite_utils()

                    # connect() already set recursive_triggers, as sqlite-utils would.
                    self._utils = sqlite_utils.Database(self.conn, recursive_triggers=False)
                utils = self._utils
        return utils

    def warm(self) -> None:
        """Import sqlite-utils now (on a worker thread), so no later write on the GUI thread
        pays for the import."""
        _ = self.utils

    def table(self, table_name: str) -> Table:
        return self[table_name]

    def __getitem__(self, table_name: str) -> Table:
        """The table's reads in plain SQL; anything else is sqlite-utils' Table (typed as it)."""
        return _Table(self, table_name)  # type: ignore[return-value]

    def primary_keys(self, table_name: str) -> tuple[str, ...]:
        pks = self._pks.get(table_name)
        if pks is None:
            info = self.conn.execute(f'PRAGMA table_info("{table_name}")').fetchall()
            if not info:
                return ()  # no such table (yet): not cached
            pks = tuple(row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5]))
            self._pks[table_name] = pks or ("rowid",)
            pks = self._pks[table_name]
        return pks

    def table_names(self) -> list[str]:
        return [
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]


_PLAIN_VALUES = (str, int, float, bytes, type(None))


class _Table:
    """`db[name]`: what the start-up path and the per-click writes use (`rows`, `rows_where`,
    `count`, and `insert` / `update` of plain values without options) in plain SQL with
    sqlite-utils' semantics, without its per-call table introspection; anything else is
    sqlite-utils' own Table."""

    def __init__(self, db: Database, name: str) -> None:
        self._db = db
        self.name = name
        self.last_rowid: int | None = None
        self.last_pk: Any = None

    def insert(self, record: Mapping[str, Any], **options: Any) -> Any:
        if (
            options
            or not record
            or not _plain(record.values())
            or not self._db.primary_keys(self.name)  # sqlite-utils creates the table
        ):
            return self._db.utils.table(self.name).insert(dict(record), **options)
        columns = ", ".join(_quoted(c) for c in record)
        marks = ", ".join("?" for _ in record)
        cursor = self._db.execute(
            f"INSERT INTO {_quoted(self.name)} ({columns}) VALUES ({marks})", list(record.values())
        )
        self.last_rowid = self.last_pk = cursor.lastrowid  # as sqlite-utils without pk=
        return self

    def update(
        self, pk_values: Any, updates: Mapping[str, Any] | None = None, **options: Any
    ) -> Any:
        pks = self._db.primary_keys(self.name)
        if options or not updates or len(pks) != 1 or not _plain([pk_values, *updates.values()]):
            return self._db.utils.table(self.name).update(
                pk_values, dict(updates) if updates is not None else None, **options
            )
        assignments = ", ".join(f"{_quoted(c)} = ?" for c in updates)
        cursor = self._db.execute(
            f"UPDATE {_quoted(self.name)} SET {assignments} WHERE {_quoted(pks[0])} = ?",
            [*updates.values(), pk_values],
        )
        if cursor.rowcount == 0:
            from sqlite_utils.db import NotFoundError

            raise NotFoundError
        self.last_pk = pk_values
        return self

    def rows_where(
        self,
        where: str | None = None,
        where_args: Iterable[Any] | Mapping[str, Any] | None = None,
        order_by: str | None = None,
        select: str = "*",
        limit: int | None = None,
        offset: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        sql = f'SELECT {select} FROM "{self.name}"'
        if where is not None:
            sql += f" WHERE {where}"
        if order_by is not None:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if offset is not None:
            sql += f" OFFSET {int(offset)}"
        cursor = self._db.execute(sql, where_args or [])
        columns = [c[0] for c in cursor.description]
        for row in cursor:
            yield dict(zip(columns, row, strict=True))

    @property
    def rows(self) -> Iterator[dict[str, Any]]:
        return self.rows_where()

    @property
    def count(self) -> int:
        return int(self._db.execute(f'SELECT count(*) FROM "{self.name}"').fetchone()[0])

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._db.utils.table(self.name), attribute)


def _plain(values: Iterable[Any]) -> bool:
    return all(isinstance(v, _PLAIN_VALUES) and not isinstance(v, bool) for v in values)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
