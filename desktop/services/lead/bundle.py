"""Log bundles: one agent's log as a SQLite file, and merging many into the lead's database.

The format is written down in docs/bundles.md (format 1); this module is its reference reader
and writer. No Qt. Export and import are each one use case: import is one transaction per
bundle with its audit row inside, so a refused or failed bundle changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import sqlite3
import threading
import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from db import call_facts
from db.database import Database
from db.schema_v5 import NOW_SQL, UID_SQL
from desktop.core.calendar import AgentCalendar
from desktop.core.clock import Clock, to_iso
from desktop.core.progress import Cancelled, Progress
from desktop.services.audit import AuditLog
from desktop.services.lead.export import DISK_FULL, ExportError, atomic_output

PRODUCT = "callassist-bundle"
FORMAT_VERSION = 1
APPLICATION_ID = 0x43414C42  # "CALB"
SQLITE_HEADER = b"SQLite format 3\x00"
DATABASE_ID_KEY = "database_id"
log = logging.getLogger(__name__)
IMPORT_CACHE_KB = 128 * 1024  # page cache while merging a bundle (default is 2 MB)


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    key: str
    columns: tuple[str, ...]
    versioned: bool = False  # rows carry updated_at: a later one replaces an older one
    optional: bool = False  # exported only when the source has the table


CALL_COLUMNS = (
    "id", "phone", "caller_name", "started_at", "answered_at", "ended_at", "completed_at",
    "intent", "priority", "status", "outcome", "notes", "notes_saved_at", "skip_reason",
    "agent", "source", "softphone_call_id", "reminder_id", "updated_at", "direction",
)  # fmt: skip
REMINDER_COLUMNS = (
    "id", "call_id", "case_id", "call_type", "phone", "customer_name", "kind", "rule_key",
    "due_at", "target_at", "status", "created_at", "fired_at", "done_at", "note", "result",
    "repeat_minutes", "shift_office_hours", "callback_call_id", "callback_at", "agent",
    "updated_at",
)  # fmt: skip

TABLES: tuple[TableSpec, ...] = (
    TableSpec("calls", "id", CALL_COLUMNS, versioned=True),
    TableSpec("call_intents", "uid", ("uid", "call_id", "intent", "set_at")),
    TableSpec("checklist_ticks", "uid", ("uid", "call_id", "step_key", "ticked_at", "unticked_at")),
    TableSpec("script_uses", "uid", ("uid", "call_id", "script_id", "used_at")),
    TableSpec("reminders", "id", REMINDER_COLUMNS, versioned=True),
    TableSpec("qa_evaluations", "id", (), optional=True),  # columns: the source's own
    TableSpec(
        "audit_log", "uid", ("uid", "at", "actor", "action", "entity", "entity_id", "detail")
    ),
)
SPECS = {spec.name: spec for spec in TABLES}


class BundleError(Exception):
    """A bundle refused; `str()` names the file and the reason (Chinese, for the user)."""

    def __init__(self, path: Path, reason: str, *, skipped: bool = False) -> None:
        super().__init__(f"{Path(path).name}：{reason}")
        self.path = Path(path)
        self.reason = reason
        self.skipped = skipped  # not an error: the lead's own bundle


# ---- identity ----------------------------------------------------------------------------
def database_id(db: Database) -> str:
    """The UUID naming this database file (made on first use), so a bundle knows its source."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [DATABASE_ID_KEY]).fetchone()
    if row and row[0]:
        return str(row[0])
    new = uuid.uuid4().hex
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
        [DATABASE_ID_KEY, new],
    )
    return str(
        db.execute("SELECT value FROM settings WHERE key = ?", [DATABASE_ID_KEY]).fetchone()[0]
    )


def _setting(conn: sqlite3.Connection | Any, key: str, schema: str = "main") -> str:
    row = conn.execute(f"SELECT value FROM {schema}.settings WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row and row[0] is not None else ""


def _uri(path: Path, query: str = "") -> str:
    return "file:" + urllib.parse.quote(Path(path).resolve().as_posix()) + query


# ---- the checksum (docs/bundles.md) ------------------------------------------------------
CHECKSUM_CHUNK = 50_000  # rows per group_concat: big strings, few Python steps
PRINTF_ARGS = 50  # columns per printf() call (SQLite allows 100 arguments at least)


def _row_line(
    conn: sqlite3.Connection | Any, table: str, schema: str, *, fast: bool = False
) -> str:
    """SQL rendering a row as the definition does: quote() of each column joined by ",".
    `fast` renders runs of TEXT columns with one printf('%Q,%Q,…') instead (half the work):
    the same text for every TEXT and NULL value, which is all a TEXT column holds but for a
    blob (quote() gives X'…', %Q the bytes)."""
    info = conn.execute(f'PRAGMA {schema}.table_info("{table}")').fetchall()
    if not fast:
        return " || ',' || ".join(f'quote("{r[1]}")' for r in info) or "''"
    parts: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            marks = ",".join("%Q" for _ in run)
            parts.append(f"printf('{marks}', {', '.join(run)})")
            run.clear()

    for row in info:
        name, declared = str(row[1]), str(row[2]).upper()
        if "INT" not in declared and any(t in declared for t in ("CHAR", "CLOB", "TEXT")):
            run.append(f'"{name}"')  # TEXT affinity: only NULL, text or blob stored
            if len(run) == PRINTF_ARGS:
                flush()
        else:
            flush()
            parts.append(f'quote("{name}")')
    flush()
    return " || ',' || ".join(parts) or "''"


def _has_blobs(conn: sqlite3.Connection | Any, table: str, schema: str) -> bool:
    info = conn.execute(f'PRAGMA {schema}.table_info("{table}")').fetchall()
    if not info:
        return False
    test = " OR ".join(f"typeof(\"{r[1]}\") = 'blob'" for r in info)
    return bool(conn.execute(f'SELECT 1 FROM {schema}."{table}" WHERE {test} LIMIT 1').fetchone())


def checksum(
    conn: sqlite3.Connection, tables: Sequence[str], schema: str = "main", *, exact: bool = True
) -> str:
    """sha256 over, per table, `name\n` then each row in rowid order (the writer's storage
    order) as SQLite's quote() of its values joined by "," plus "\n" (docs/bundles.md).
    SQLite renders and joins the rows in chunks, so hashing 1,000,000 rows takes ~2 s.
    TEXT columns are rendered the fast way (`_row_line`); `exact` first looks for blobs in
    the table and renders it with quote() if it holds any. Without `exact` (a reader that
    compares with the manifest, and falls back to `exact` on a mismatch), a text value
    turned into a blob of the same bytes would go unnoticed: no damage does that."""
    digest = hashlib.sha256()
    for table in tables:
        fast = not (exact and _has_blobs(conn, table, schema))
        line = _row_line(conn, table, schema, fast=fast)
        digest.update(f"{table}\n".encode())
        low, high = conn.execute(
            f'SELECT min(rowid), max(rowid) FROM {schema}."{table}"'
        ).fetchone()
        if low is None:
            continue
        for start in range(low, high + 1, CHECKSUM_CHUNK):
            (text,) = conn.execute(
                f"SELECT group_concat(line, char(10)) FROM (SELECT {line} AS line "
                f'FROM {schema}."{table}" WHERE rowid >= ? AND rowid < ? ORDER BY rowid)',
                [start, start + CHECKSUM_CHUNK],
            ).fetchone()
            if text is not None:
                digest.update((text + "\n").encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def checksum_by_rows(conn: sqlite3.Connection, tables: Sequence[str], schema: str = "main") -> str:
    """The same checksum one row at a time with quote(): the plain statement of the
    definition (tests hold `checksum` to it)."""
    digest = hashlib.sha256()
    for table in tables:
        digest.update(f"{table}\n".encode())
        cursor = conn.execute(
            f'SELECT {_row_line(conn, table, schema)} FROM {schema}."{table}" ORDER BY rowid'
        )
        for (text,) in cursor:
            digest.update((text + "\n").encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def _columns(conn: sqlite3.Connection | Any, table: str, schema: str = "main") -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA {schema}.table_info("{table}")').fetchall()]


def _has_table(conn: sqlite3.Connection | Any, table: str, schema: str = "main") -> bool:
    return bool(
        conn.execute(
            f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", [table]
        ).fetchone()
    )


# ---- export ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BundleSummary:
    path: Path
    agent_id: str
    since: date | None
    rows: dict[str, int]
    # Calls in this file recorded under another work number (merged from other agents, or
    # before the agent's number was changed): not this agent's log, so not exported — said,
    # never dropped silently.
    other_agents: dict[str, int] = field(default_factory=dict)


def export_bundle(
    source: Path,
    out: Path,
    clock: Clock,
    calendar: AgentCalendar,
    *,
    since: date | None = None,
    progress: Progress | None = None,
) -> BundleSummary:
    """Write the bundle of the agent whose database is `source` to `out` (temp name, renamed
    when complete). Reads `source` through its own connection (safe beside the running app)."""
    out = Path(out)
    with atomic_output(out) as temp:
        conn = sqlite3.connect(_uri(temp), uri=True, isolation_level=None)
        try:
            summary = _write_bundle(conn, Path(source), out, clock, calendar, since, progress)
        except sqlite3.OperationalError as exc:
            raise ExportError(out, _export_reason(exc)) from exc
        finally:
            conn.close()
    return summary


def _export_reason(exc: sqlite3.OperationalError) -> str:
    """A failed write of the bundle file, for the user: a full disk (or a file-size limit)
    shows up as "full" or as a disk I/O error."""
    text = str(exc).lower()
    if "full" in text or "disk i/o" in text:
        return DISK_FULL
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return "没有写入权限（文件夹只读）"
    return f"数据包未写完（{exc}），未留下不完整的文件"


def _write_bundle(
    conn: sqlite3.Connection,
    source: Path,
    out: Path,
    clock: Clock,
    calendar: AgentCalendar,
    since: date | None,
    progress: Progress | None,
) -> BundleSummary:
    conn.execute("PRAGMA journal_mode = OFF")  # a fresh file: all or nothing via the rename
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
    conn.execute("ATTACH DATABASE ? AS src", [_uri(source, "?mode=ro")])
    src_db = Database(sqlite3.connect(source, isolation_level=None, timeout=5))
    try:
        db_id = database_id(src_db)  # made once in the source, so later bundles agree
    finally:
        src_db.close()
    me = _setting(conn, "agent_id", "src") or "1001"
    schema_version = int(conn.execute("PRAGMA src.user_version").fetchone()[0])
    start = to_iso(calendar.day_start(since)) if since else ""
    conn.execute("BEGIN")
    conn.execute("CREATE TEMP TABLE picked (id TEXT PRIMARY KEY)")
    mine = "(c.agent = :me OR c.agent = '')"
    if since:
        conn.execute(
            f"INSERT INTO picked SELECT c.id FROM src.calls c WHERE {mine} "
            "AND (c.started_at >= :start OR c.updated_at >= :start)",
            {"me": me, "start": start},
        )
    else:
        conn.execute(f"INSERT INTO picked SELECT c.id FROM src.calls c WHERE {mine}", {"me": me})
    reminder_where = _reminder_where(since is not None, "r")
    # calls a kept reminder points at travel with it, so the bundle is complete on its own
    conn.execute(
        "INSERT OR IGNORE INTO picked SELECT x FROM (SELECT r.call_id AS x FROM src.reminders r "
        f"WHERE {reminder_where} UNION SELECT r.callback_call_id FROM src.reminders r "
        f"WHERE {reminder_where}) WHERE x IN (SELECT id FROM src.calls)",
        {"me": me, "start": start},
    )
    tables: list[str] = []
    counts: dict[str, int] = {}
    steps = len(TABLES)
    for number, spec in enumerate(TABLES):
        if progress is not None:
            progress.check()
            progress.report(number, steps, f"导出 {spec.name}")
        if spec.optional and not _has_table(conn, spec.name, "src"):
            continue
        columns = list(spec.columns) or _columns(conn, spec.name, "src")
        select = _export_select(spec, columns, since is not None)
        column_sql = ", ".join(f'"{c}"' for c in columns)
        conn.execute(
            f'CREATE TABLE main."{spec.name}" AS SELECT {column_sql} FROM src."{spec.name}" WHERE 0'
        )
        conn.execute(
            f'INSERT INTO main."{spec.name}" ({column_sql}) {select} ORDER BY {_storage_order(spec, columns)}',
            {"me": me, "start": start},
        )
        conn.execute(f'CREATE UNIQUE INDEX "{spec.name}_key" ON "{spec.name}" ("{spec.key}")')
        tables.append(spec.name)
        counts[spec.name] = int(conn.execute(f'SELECT count(*) FROM "{spec.name}"').fetchone()[0])
    if progress is not None:
        progress.report(steps, steps, "计算校验和")
    manifest = {
        "product": PRODUCT,
        "format_version": str(FORMAT_VERSION),
        "schema_version": str(schema_version),
        "agent_id": me,
        "agent_name": _setting(conn, "agent_name", "src"),
        "machine": platform.node(),
        "database_id": db_id,
        "created_at": to_iso(clock.now()),
        "since": since.isoformat() if since else "",
        "tables": json.dumps(tables),
        "checksum": checksum(conn, tables),
        **{f"rows.{t}": str(n) for t, n in counts.items()},
    }
    conn.execute("CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT)")
    conn.executemany("INSERT INTO manifest VALUES (?, ?)", manifest.items())
    others = dict(
        conn.execute(
            "SELECT agent, count(*) FROM src.calls WHERE id NOT IN (SELECT id FROM picked) "
            "AND agent != :me AND agent != '' GROUP BY agent ORDER BY agent",
            {"me": me},
        ).fetchall()
    )
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE src")
    return BundleSummary(out, me, since, counts, others)


def _reminder_where(since: bool, alias: str) -> str:
    """The agent's reminders; with --since, those of kept calls or made/changed since."""
    mine = f"({alias}.agent = :me OR {alias}.agent = '')"
    if not since:
        return mine
    return (
        f"{mine} AND ({alias}.case_id IN (SELECT id FROM picked) "
        f"OR {alias}.call_id IN (SELECT id FROM picked) "
        f"OR {alias}.updated_at >= :start OR {alias}.created_at >= :start)"
    )


def _storage_order(spec: TableSpec, columns: Sequence[str]) -> str:
    """Rows are stored by key; child rows by (call_id, key), so an importer appends them to
    its call_id indexes in order (4x faster on a million ticks)."""
    if "call_id" in columns and spec.name not in ("calls", "reminders"):
        return f't."call_id", t."{spec.key}"'
    return f't."{spec.key}"'


def _export_select(spec: TableSpec, columns: list[str], since: bool) -> str:
    cols = ", ".join(f't."{c}"' for c in columns)
    if spec.name == "calls":
        cols = cols.replace('t."agent"', "CASE WHEN t.agent = '' THEN :me ELSE t.agent END")
        return f"SELECT {cols} FROM src.calls t WHERE t.id IN (SELECT id FROM picked)"
    if spec.name == "reminders":
        cols = cols.replace('t."agent"', "CASE WHEN t.agent = '' THEN :me ELSE t.agent END")
        where = _reminder_where(since, "t")
        return f"SELECT {cols} FROM src.reminders t WHERE {where}"
    if spec.name == "audit_log":
        cols = cols.replace('t."actor"', "CASE WHEN t.actor = '' THEN :me ELSE t.actor END")
        where = "(t.actor = :me OR t.actor = '')" + (" AND t.at >= :start" if since else "")
        return f"SELECT {cols} FROM src.audit_log t WHERE {where}"
    if "call_id" in columns:
        return f'SELECT {cols} FROM src."{spec.name}" t WHERE t.call_id IN (SELECT id FROM picked)'
    return f'SELECT {cols} FROM src."{spec.name}" t'


# ---- reading -----------------------------------------------------------------------------
class Bundle:
    """An opened, structurally checked bundle (read-only). `verify()` checks its rows."""

    def __init__(self, path: Path, conn: sqlite3.Connection, manifest: dict[str, str]) -> None:
        self.path = path
        self.conn = conn
        self.manifest = manifest
        self.tables: list[str] = json.loads(manifest.get("tables") or "[]")

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def count(self, table: str) -> int:
        return int(self.manifest.get(f"rows.{table}", "0"))

    @property
    def total_rows(self) -> int:
        return sum(self.count(t) for t in self.tables)

    def verify(self) -> None:
        """Row counts and the checksum match the manifest, else BundleError."""
        try:
            for table in self.tables:
                actual = self.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                if actual != self.count(table):
                    raise BundleError(
                        self.path, "数据包校验失败（行数与清单不符，内容被改动或不完整）"
                    )
            expected = self.manifest.get("checksum")
            if checksum(self.conn, self.tables, exact=False) != expected and (
                checksum(self.conn, self.tables) != expected
            ):
                raise BundleError(self.path, "数据包校验失败（校验和不符，内容被改动或不完整）")
        except sqlite3.DatabaseError as exc:
            raise BundleError(self.path, "数据包已损坏（文件不完整）") from exc

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        cursor = self.conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))


def open_bundle(path: Path, *, check_pages: bool = True) -> Bundle:
    """Open `path` read-only and check it is a complete bundle this program understands;
    BundleError(path, reason) otherwise. Call `verify()` to check the rows too. Without
    `check_pages` the pages are not read through (`_check_pages`) for a caller that does it
    beside other work (the import's verifier thread)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise BundleError(path, f"无法读取文件（{exc.strerror or exc}）") from exc
    if size == 0:
        raise BundleError(path, "文件是空的")
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise BundleError(path, "不是有效的数据包（文件已损坏或不是 SQLite 文件）")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and pages and size < page_size * pages:
        raise BundleError(path, "数据包已损坏（文件不完整，可能复制时被截断）")
    try:
        conn = sqlite3.connect(_uri(path, "?mode=ro"), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise BundleError(path, "不是有效的数据包（无法打开）") from exc
    try:
        if check_pages:
            _check_pages(path, conn)
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if not _has_table(conn, "manifest"):
            raise BundleError(path, "不是坐席助手的数据包（其他程序的 SQLite 文件）")
        manifest = {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM manifest")}
        if app_id != APPLICATION_ID or manifest.get("product") != PRODUCT:
            raise BundleError(path, "不是坐席助手的数据包（其他程序的 SQLite 文件）")
        try:
            version = int(manifest.get("format_version", ""))
        except ValueError:
            raise BundleError(path, "数据包清单无效（缺少格式版本）") from None
        if version > FORMAT_VERSION:
            raise BundleError(
                path, f"数据包格式版本 {version} 比本程序（{FORMAT_VERSION}）新，请升级坐席助手"
            )
        bundle = Bundle(path, conn, manifest)
        unknown = [t for t in bundle.tables if t not in SPECS or not _has_table(conn, t)]
        if unknown:
            raise BundleError(path, f"数据包不完整（缺少或多出表：{', '.join(unknown)}）")
    except BundleError:
        conn.close()
        raise
    except (sqlite3.DatabaseError, ValueError) as exc:
        conn.close()
        raise BundleError(path, "数据包已损坏（文件不完整）") from exc
    return bundle


def _check_pages(path: Path, conn: sqlite3.Connection) -> None:
    """Every page of the file readable and well formed (SQLite's quick_check)."""
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError as exc:
        raise BundleError(path, "数据包已损坏（文件不完整）") from exc
    if not ok:
        raise BundleError(path, "数据包已损坏（文件不完整）")


# ---- import ------------------------------------------------------------------------------
@dataclass(slots=True)
class TableCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class ImportReport:
    path: Path
    agent_id: str
    tables: dict[str, TableCounts] = field(default_factory=dict)
    changed_call_ids: list[str] = field(default_factory=list)
    already_imported: str = ""  # when the same bundle was merged before: that time

    @property
    def added(self) -> int:
        return sum(c.added for c in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.tables.values())

    def lines(self) -> list[str]:
        head = (
            [f"  （此数据包已于 {self.already_imported} 导入过，无新内容）"]
            if self.already_imported
            else []
        )
        return head + [
            f"  {name}: 新增 {c.added}，更新 {c.updated}，未变 {c.unchanged}"
            for name, c in self.tables.items()
        ]


def check_target_writable(db: Database, target_file: Path | None) -> None:
    if target_file is not None and target_file.exists() and not os.access(target_file, os.W_OK):
        raise BundleError(target_file, "目标数据库只读，无法导入")
    if db.execute("PRAGMA query_only").fetchone()[0]:
        raise BundleError(target_file or Path("?"), "目标数据库只读，无法导入")


def import_bundle(
    db: Database,
    path: Path,
    audit: AuditLog,
    *,
    target_file: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Merge one bundle into `db` (docs/bundles.md, "Import rules"): one transaction, its
    audit row inside; BundleError (nothing changed) for any refusal."""
    path = Path(path)
    check_target_writable(db, target_file)
    with open_bundle(path, check_pages=False) as bundle:  # the verifier reads them through
        try:
            own_id = database_id(db)
        except sqlite3.OperationalError as exc:
            raise _write_error(path, exc) from exc
        if bundle.manifest.get("database_id") == own_id:
            _check_pages(path, bundle.conn)  # a damaged file is refused as damaged first
            raise BundleError(path, "这是本机数据库导出的数据包，已跳过", skipped=True)
        manifest = bundle.manifest
        tables = list(bundle.tables)
        seen = _already_imported(db, manifest)
        if seen is not None:
            # the very same bundle (same checksum, same source) was merged before: nothing in
            # it can change anything, so its rows are not read again (its pages are checked)
            _check_pages(path, bundle.conn)
            audit.record(
                "bundle.import",
                "bundle",
                manifest.get("database_id", ""),
                file=path.name,
                agent=manifest.get("agent_id", ""),
                already_imported=seen,
            )
            return ImportReport(
                path,
                manifest.get("agent_id", ""),
                {
                    t: TableCounts(unchanged=bundle.count(t))
                    for t in tables
                    if _has_table(db.conn, t)
                },
                already_imported=seen,
            )
    if progress is not None:
        progress.report(0, len(tables), "校验数据包")
    conn = db.conn
    alias = "bundle"
    try:
        conn.execute(f"ATTACH DATABASE ? AS {alias}", [str(path)])
    except sqlite3.Error as exc:
        raise BundleError(path, f"无法打开数据包（{exc}）") from exc
    # The checksum (a third of the work) is checked on a thread of its own while the rows
    # merge: nothing commits before it has passed, so a bad bundle still changes nothing.
    with _Verifier(path, manifest) as verifier:
        try:
            return _merge(conn, alias, path, manifest, tables, audit, progress, verifier)
        except Cancelled:
            raise
        except Exception as exc:
            bad = verifier.error()  # a damaged bundle is the reason, not what it broke
            if isinstance(bad, BundleError) and bad is not exc:
                raise bad from exc
            raise


def _merge(
    conn: sqlite3.Connection,
    alias: str,
    path: Path,
    manifest: dict[str, str],
    tables: list[str],
    audit: AuditLog,
    progress: Progress | None,
    verifier: _Verifier,
) -> ImportReport:
    report = ImportReport(path, manifest.get("agent_id", ""))
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KB}")  # index pages stay in memory
    journal = _rollback_journal(conn, alias, tables)
    try:
        conn.execute("BEGIN IMMEDIATE")
        # rows that refer to each other (a QA evaluation superseding another) may come in
        # any order; the references are checked at commit
        conn.execute("PRAGMA defer_foreign_keys = ON")
        try:
            bulk = _suspend_call_facts(conn, alias, tables)
            for number, table in enumerate(tables):
                if progress is not None:
                    progress.check()
                    progress.report(number, len(tables), f"合并 {table}")
                if not _has_table(conn, table):
                    continue  # e.g. qa_evaluations into a database without the review feature
                report.tables[table] = _merge_table(conn, SPECS[table], alias, report, bulk)
            if bulk is not None:
                _resume_call_facts(conn, bulk)
            conn.execute(
                "INSERT OR REPLACE INTO bundle_imports VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    manifest.get("checksum", ""),
                    manifest.get("database_id", ""),
                    manifest.get("agent_id", ""),
                    path.name,
                    manifest.get("created_at", ""),
                    audit_now(audit),
                    json.dumps(
                        {t: [c.added, c.updated, c.unchanged] for t, c in report.tables.items()}
                    ),
                ],
            )
            audit.record(
                "bundle.import",
                "bundle",
                manifest.get("database_id", ""),
                file=path.name,
                agent=manifest.get("agent_id", ""),
                machine=manifest.get("machine", ""),
                created_at=manifest.get("created_at", ""),
                counts={t: [c.added, c.updated, c.unchanged] for t, c in report.tables.items()},
            )
            if progress is not None:
                progress.report(len(tables), len(tables), "校验数据包")
            verifier.result()  # BundleError when the rows do not match the manifest
            conn.execute("COMMIT")  # deferred references are checked here
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.IntegrityError as exc:
        raise BundleError(path, f"数据包内容不一致，未导入，未做任何改动（{exc}）") from exc
    except sqlite3.OperationalError as exc:
        raise _write_error(path, exc) from exc
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        if journal is not None:
            _back_to_wal(conn, journal)
        conn.execute(f"DETACH DATABASE {alias}")
    if progress is not None:
        progress.report(len(tables), len(tables), "完成")
    return report


def _rollback_journal(conn: sqlite3.Connection, alias: str, tables: Sequence[str]) -> int | None:
    """For a bundle with more calls than the database (its rows go to pages the file does
    not have yet): merge with a rollback journal instead of the write-ahead log, when this
    connection is the only one on the file. The log would take every page written and the
    checkpoint after the commit copy all of them into the file again (~370 MB twice for
    100,000 calls, 2.5 s); a rollback journal keeps only the few pages there were before.
    Still one transaction: a failure or a crash rolls back from the journal. Another
    connection (the running app's) keeps the log: the switch fails at once and the merge goes
    as before. Returns the synchronous level to give back with the log (`_back_to_wal`), or
    None when the log stays."""
    if "calls" not in tables:
        return None
    incoming = conn.execute(f'SELECT count(*) FROM {alias}."calls"').fetchone()[0]
    present = conn.execute("SELECT count(*) FROM main.calls").fetchone()[0]
    if incoming <= present * REBUILD_SHARE:
        return None
    if str(conn.execute("PRAGMA main.journal_mode").fetchone()[0]).lower() != "wal":
        return None
    timeout = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute("PRAGMA busy_timeout = 0")  # a file another connection holds: no wait
    try:
        mode = str(conn.execute("PRAGMA main.journal_mode = DELETE").fetchone()[0])
    except sqlite3.OperationalError:  # "database is locked": not the only connection
        return None
    finally:
        conn.execute(f"PRAGMA busy_timeout = {timeout}")
    if mode.lower() != "delete":
        return None
    sync = int(conn.execute("PRAGMA main.synchronous").fetchone()[0])
    conn.execute("PRAGMA main.synchronous = FULL")  # a rollback journal's safe level
    return sync


def _back_to_wal(conn: sqlite3.Connection, sync: int) -> None:
    """The write-ahead log again after `_rollback_journal` (outside the transaction). If
    another connection opened the file meanwhile and holds it, the next connect() sets it."""
    try:
        conn.execute("PRAGMA main.journal_mode = WAL")
    except sqlite3.OperationalError as exc:
        log.warning("the lead database stays in rollback-journal mode until reopened: %s", exc)
    conn.execute(f"PRAGMA main.synchronous = {sync}")


@dataclass(slots=True)
class _BulkFacts:
    """call_facts' triggers set aside for one merge (db/call_facts.py): the calls and ticks
    rows there were before, and the calls whose rows or ticks the merge updated."""

    triggers: list[tuple[str, str]]
    last_call: int
    last_tick: int


def _suspend_call_facts(
    conn: sqlite3.Connection, alias: str, tables: Sequence[str]
) -> _BulkFacts | None:
    """For a bundle bigger than the calls already there: drop migration 7's call_facts
    triggers (they recompute a call's facts once per tick inserted: 700,000 times for
    100,000 calls), so `_resume_call_facts` computes the touched calls' facts in one
    statement and puts them back. Inside the transaction, like the rest."""
    if "calls" not in tables or not _has_table(conn, "call_facts"):
        return None
    incoming = conn.execute(f'SELECT count(*) FROM {alias}."calls"').fetchone()[0]
    present = conn.execute("SELECT count(*) FROM main.calls").fetchone()[0]
    if incoming <= present * REBUILD_SHARE:
        return None  # the triggers' per-row work is then the smaller part
    last_call = conn.execute("SELECT max(rowid) FROM main.calls").fetchone()[0] or 0
    last_tick = conn.execute("SELECT max(rowid) FROM main.checklist_ticks").fetchone()[0] or 0
    conn.execute("DROP TABLE IF EXISTS temp.facts_touched")
    conn.execute("CREATE TEMP TABLE facts_touched (id TEXT PRIMARY KEY) WITHOUT ROWID")
    return _BulkFacts(call_facts.suspend(conn), int(last_call), int(last_tick))


def _resume_call_facts(conn: sqlite3.Connection, bulk: _BulkFacts) -> None:
    """The facts of every call added, updated or given a new or changed tick by the merge:
    the added ones by their rowids, the few calls there before from what the merge noted.
    Then the FCR repeat flag (migration 8) of the other calls of every number an updated call
    had before (its facts row still says) or a merged call has now."""
    conn.execute("DROP TABLE IF EXISTS temp.merged_phones")
    conn.execute("CREATE TEMP TABLE merged_phones (phone TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute(
        "INSERT OR IGNORE INTO temp.merged_phones SELECT phone FROM main.call_facts "
        "WHERE call_id IN (SELECT id FROM temp.facts_touched) AND phone <> ''"
    )
    call_facts.refresh(conn, "c.rowid > ?", [bulk.last_call])
    call_facts.refresh(
        conn,
        "c.rowid <= ? AND (c.id IN (SELECT id FROM temp.facts_touched) OR EXISTS (SELECT 1 "
        "FROM main.checklist_ticks t WHERE t.call_id = c.id AND t.rowid > ?))",
        [bulk.last_call, bulk.last_tick],
    )
    if bulk.last_call:
        merged = (
            f"SELECT id FROM main.calls WHERE rowid > {int(bulk.last_call)} "
            "UNION SELECT id FROM temp.facts_touched"
        )
        conn.execute(
            "INSERT OR IGNORE INTO temp.merged_phones SELECT phone FROM main.calls "
            f"WHERE id IN ({merged}) AND phone <> ''"
        )
        call_facts.refresh_repeats(conn, "SELECT phone FROM temp.merged_phones", merged)
    # else no call was there before: every call is merged and its flag made by refresh()
    conn.execute("DROP TABLE temp.merged_phones")
    conn.execute("DROP TABLE temp.facts_touched")
    call_facts.restore(conn, bulk.triggers)


class _Verifier:
    """`Bundle.verify()` of one bundle on a worker thread, through its own read-only
    connection (SQLite runs without the GIL, so it overlaps the merge). Leaving the block
    interrupts it if still running and waits for it: no thread outlives the import."""

    def __init__(self, path: Path, manifest: dict[str, str]) -> None:
        self._path = path
        self._manifest = manifest
        self._conn: sqlite3.Connection | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bundle-verify", daemon=True)

    def __enter__(self) -> _Verifier:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._ready.wait()
        if self._thread.is_alive() and self._conn is not None:
            self._conn.interrupt()
        self._thread.join()

    def _run(self) -> None:
        try:
            self._conn = sqlite3.connect(
                _uri(self._path, "?mode=ro"), uri=True, isolation_level=None,
                check_same_thread=False,
            )  # fmt: skip
        except sqlite3.Error as exc:
            self._error = BundleError(self._path, "数据包已损坏（文件不完整）")
            self._error.__cause__ = exc
            return
        finally:
            self._ready.set()
        try:
            _check_pages(self._path, self._conn)
            Bundle(self._path, self._conn, self._manifest).verify()
        except BaseException as exc:  # handed to the merging thread by result()
            self._error = exc
        finally:
            self._conn.close()

    def error(self) -> BaseException | None:
        """Wait for the check; what it raised, if anything."""
        self._thread.join()
        return self._error

    def result(self) -> None:
        """Wait for the check; raise what it raised."""
        if (error := self.error()) is not None:
            raise error


def _already_imported(db: Database, manifest: dict[str, str]) -> str | None:
    if not _has_table(db.conn, "bundle_imports"):
        return None
    row = db.execute(
        "SELECT imported_at FROM bundle_imports WHERE checksum = ? AND database_id = ?",
        [manifest.get("checksum", ""), manifest.get("database_id", "")],
    ).fetchone()
    return str(row[0]) if row else None


def audit_now(audit: AuditLog) -> str:
    return to_iso(audit.clock.now())


def _write_error(path: Path, exc: sqlite3.Error) -> BundleError:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return BundleError(path, "目标数据库只读，无法导入")
    if "full" in text or "disk i/o" in text:
        return BundleError(path, "磁盘空间不足（或数据库文件超出允许的大小），未导入，未做任何改动")
    return BundleError(path, f"导入失败，未做任何改动（{exc}）")


OLD_VERSIONS = {
    "calls": "max(b.started_at, COALESCE(b.answered_at, ''), COALESCE(b.ended_at, ''), "
    "COALESCE(b.completed_at, ''), COALESCE(b.notes_saved_at, ''))",
    "reminders": "max(b.created_at, COALESCE(b.fired_at, ''), COALESCE(b.done_at, ''), "
    "COALESCE(b.callback_at, ''))",
}
REBUILD_SHARE = 1.0  # bundle rows / rows already there, above which indexes are rebuilt


def _merge_table(
    conn: sqlite3.Connection,
    spec: TableSpec,
    alias: str,
    report: ImportReport,
    bulk: _BulkFacts | None = None,
) -> TableCounts:
    name, key = spec.name, spec.key
    target_cols = set(_columns(conn, name))
    columns = [c for c in _columns(conn, name, alias) if c in target_cols]
    if key not in columns:
        return TableCounts()
    total = int(conn.execute(f'SELECT count(*) FROM {alias}."{name}"').fetchone()[0])
    if not total:
        return TableCounts()
    versioned = spec.versioned or (spec.optional and "updated_at" in columns)
    conn.execute("DROP TABLE IF EXISTS temp.merge_update")
    if versioned and "updated_at" in columns:
        differs = " OR ".join(
            f'b."{c}" IS NOT m."{c}"' for c in columns if c not in (key, "updated_at")
        )
        conn.execute(
            f'CREATE TEMP TABLE merge_update AS SELECT b."{key}" AS k FROM {alias}."{name}" b '
            f'JOIN main."{name}" m ON m."{key}" = b."{key}" '
            f"WHERE (m.updated_at IS NULL OR b.updated_at > m.updated_at) AND ({differs or '0'})"
        )
    elif name == "checklist_ticks":
        conn.execute(
            f"CREATE TEMP TABLE merge_update AS SELECT b.uid AS k FROM {alias}.checklist_ticks b "
            "JOIN main.checklist_ticks m ON m.uid = b.uid "
            "WHERE m.unticked_at IS NULL AND b.unticked_at IS NOT NULL"
        )
    else:
        conn.execute("CREATE TEMP TABLE merge_update (k TEXT)")
    updated = int(conn.execute("SELECT count(*) FROM temp.merge_update").fetchone()[0])
    if bulk is not None and updated and name in ("calls", "checklist_ticks"):
        # the facts of updated calls, and of the calls an updated tick leaves or joins
        conn.execute(
            "INSERT OR IGNORE INTO temp.facts_touched SELECT k FROM temp.merge_update"
            if name == "calls"
            else "INSERT OR IGNORE INTO temp.facts_touched SELECT call_id FROM "
            f"main.checklist_ticks WHERE uid IN (SELECT k FROM temp.merge_update) UNION "
            f"SELECT call_id FROM {alias}.checklist_ticks WHERE uid IN (SELECT k FROM temp.merge_update)"
        )
    col_sql = ", ".join(f'"{c}"' for c in columns)
    plain_values = ", ".join(f'b."{c}"' for c in columns)
    values = plain_values
    insert_cols = col_sql
    params: list[Any] = []
    if name == "calls" and "customer_id" in target_cols:
        insert_cols += ', "customer_id"'
        values += (
            ", (SELECT cu.id FROM main.customers cu WHERE cu.phone = b.phone AND b.phone != '')"
        )
    # a bundle of an older schema lacks newer columns: whose reminder it is, and the rows'
    # versions (made as migration 5 made them, never from this machine's clock)
    if name == "reminders" and "agent" in target_cols and "agent" not in columns:
        insert_cols += ', "agent"'
        values += ", ?"
        params.append(report.agent_id)
    if name in OLD_VERSIONS and "updated_at" in target_cols and "updated_at" not in columns:
        insert_cols += ', "updated_at"'
        values += ", " + OLD_VERSIONS[name]
    if name == "calls":
        # the notes index follows: stale entries of updated calls go, the indexer redoes them
        conn.execute(
            "DELETE FROM main.notes_fts WHERE rowid IN (SELECT c.rowid FROM main.calls c "
            "WHERE c.id IN (SELECT k FROM temp.merge_update))"
        )
    last_rowid = conn.execute(f'SELECT max(rowid) FROM main."{name}"').fetchone()[0] or 0
    present = int(conn.execute(f'SELECT count(*) FROM main."{name}"').fetchone()[0])
    # A bundle bigger than what is there (the first merge of an agent) goes in faster with
    # the table's indexes dropped and built again after from sorted keys: inserts into the
    # three indexes of 700,000 ticks, or ten indexes of 100,000 calls, cost more than sorting
    # once. The keys already there are then looked up in a temporary copy. The insert
    # triggers that only fill a column left NULL go too, the INSERT filling it. Inside the
    # transaction: a failure rolls the drops back too.
    bulk_table = total > present * REBUILD_SHARE
    rebuild = _droppable_indexes(conn, name, keep_call_id=bulk is None) if bulk_table else []
    fills = _fill_triggers(conn, name, columns) if bulk_table else []
    for trigger, _sql, column, expression in fills:
        conn.execute(f'DROP TRIGGER main."{trigger}"')
        values = _fill_in(values, column, expression)
    existing = f'main."{name}" m WHERE m."{key}" = b."{key}"'
    if any(keyed == [key] for _n, _sql, keyed in rebuild):
        conn.execute("DROP TABLE IF EXISTS temp.merge_keys")
        conn.execute("CREATE TEMP TABLE merge_keys (k PRIMARY KEY) WITHOUT ROWID")
        conn.execute(
            f'INSERT INTO temp.merge_keys SELECT "{key}" FROM main."{name}" '
            f'WHERE "{key}" IS NOT NULL'
        )
        existing = f'temp.merge_keys m WHERE m.k = b."{key}"'
    for index_name, _sql, _keyed in rebuild:
        conn.execute(f'DROP INDEX main."{index_name}"')
    # the value checks no row to be added would trip go too: run per row, they cost more
    # than the insert itself (0.9 s of 1.1 s for 100,000 calls)
    filled = {column for _trigger, _sql, column, _expression in fills}
    guards = (
        _idle_guards(conn, name, alias, existing, [c for c in columns if c not in filled])
        if bulk_table
        else []
    )
    for trigger, _sql in guards:
        conn.execute(f'DROP TRIGGER main."{trigger}"')
    # in the bundle's storage order (child rows by call): the call_id indexes grow at their end
    added = conn.execute(
        f'INSERT INTO main."{name}" ({insert_cols}) SELECT {values} FROM {alias}."{name}" b '
        f"WHERE NOT EXISTS (SELECT 1 FROM {existing}) ORDER BY b.rowid",
        params,
    ).rowcount
    for _name, sql, _keyed in rebuild:
        conn.execute(sql)
    for _trigger, sql, _column, _expression in fills:
        conn.execute(sql)
    for _trigger, sql in guards:
        conn.execute(sql)
    conn.execute("DROP TABLE IF EXISTS temp.merge_keys")
    if name == "calls":
        report.changed_call_ids = [
            r[0]
            for r in conn.execute(
                "SELECT k FROM temp.merge_update UNION ALL "
                "SELECT id FROM main.calls WHERE rowid > ?",
                [last_rowid],
            )
        ]
    if updated:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != key)
        conn.execute(
            f'INSERT INTO main."{name}" ({col_sql}) SELECT {plain_values} '
            f'FROM {alias}."{name}" b WHERE b."{key}" IN (SELECT k FROM temp.merge_update) '
            f'ON CONFLICT("{key}") DO UPDATE SET {sets}'
        )
    conn.execute("DROP TABLE temp.merge_update")
    return TableCounts(added, updated, total - added - updated)


def _droppable_indexes(
    conn: sqlite3.Connection, table: str, *, keep_call_id: bool
) -> list[tuple[str, str, list[str]]]:
    """(name, CREATE sql, indexed columns) of the table's own indexes that may go while rows
    pour in: not those SQLite made for a PRIMARY KEY or UNIQUE constraint (they cannot be
    dropped), nor, with `keep_call_id`, those led by call_id (the call_facts triggers, when
    in place, find a call's ticks by it once per row inserted)."""
    out = []
    for index_name, sql in conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name",
        [table],
    ).fetchall():
        keyed = [r[2] for r in conn.execute(f'PRAGMA main.index_info("{index_name}")')]
        if not keep_call_id or keyed[:1] != ["call_id"]:
            out.append((str(index_name), str(sql), keyed))
    return out


# AFTER INSERT triggers that only fill a column a row leaves NULL (migration 5): a row's
# stable uid, a row's first version. (column, the SQL value they set)
FILLED_ON_INSERT = {
    "calls_updated_at_insert": ("updated_at", NOW_SQL),
    "reminders_updated_at_insert": ("updated_at", NOW_SQL),
    "call_intents_uid_insert": ("uid", UID_SQL),
    "checklist_ticks_uid_insert": ("uid", UID_SQL),
    "script_uses_uid_insert": ("uid", UID_SQL),
    "audit_log_uid_insert": ("uid", UID_SQL),
}


def _fill_triggers(
    conn: sqlite3.Connection, table: str, columns: Sequence[str]
) -> list[tuple[str, str, str, str]]:
    """(trigger, CREATE sql, column, value) of the table's FILLED_ON_INSERT triggers whose
    body is still exactly that fill (any other trigger stays in place and runs per row)."""
    out = []
    for trigger, sql in conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        [table],
    ).fetchall():
        fill = FILLED_ON_INSERT.get(str(trigger))
        if fill is None or fill[0] not in columns:
            continue
        column, expression = fill
        body = " ".join(str(sql).split())
        if (
            f"AFTER INSERT ON {table} WHEN NEW.{column} IS NULL BEGIN UPDATE {table} SET "
            f"{column} = {expression} WHERE rowid = NEW.rowid; END"
        ) in body:
            out.append((str(trigger), str(sql), column, expression))
    return out


# BEFORE INSERT triggers that refuse a value outside a set (db/schema_v1.py `_enum_guard`):
# trigger, table, column, the allowed values
_GUARD = re.compile(
    r"CREATE TRIGGER (\w+) BEFORE INSERT ON (\w+) WHEN NEW\.(\w+) IS NOT NULL AND "
    r"NEW\.\3 NOT IN \(('[^']*'(?:, '[^']*')*)\) BEGIN SELECT RAISE\(ABORT, '[^']*'\); END"
)


def _idle_guards(
    conn: sqlite3.Connection, table: str, alias: str, existing: str, columns: Sequence[str]
) -> list[tuple[str, str]]:
    """(trigger, CREATE sql) of the table's value guards (`_GUARD`) on a column inserted as
    the bundle has it that no row to be added trips (one scan of the bundle's table): set
    aside, they change nothing. A guard some row trips stays, so the INSERT fails as before."""
    out = []
    for trigger, sql in conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        [table],
    ).fetchall():
        found = _GUARD.fullmatch(" ".join(str(sql).split()))
        if found is None or found[2] != table or found[3] not in columns:
            continue
        column, allowed = found[3], found[4]
        tripped = conn.execute(
            f'SELECT 1 FROM {alias}."{table}" b WHERE b."{column}" IS NOT NULL AND '
            f'b."{column}" NOT IN ({allowed}) AND NOT EXISTS (SELECT 1 FROM {existing}) LIMIT 1'
        ).fetchone()
        if tripped is None:
            out.append((str(trigger), str(sql)))
    return out


def _fill_in(values: str, column: str, expression: str) -> str:
    """The INSERT's value list with `column` filled as its trigger would have filled it."""
    plain = f'b."{column}"'
    return ", ".join(
        f"COALESCE({plain}, {expression})" if value == plain else value
        for value in values.split(", ")
    )
