"""`callassist logs import --into postgresql://…`: bundles into the center database with the
meaning of the local merge (docs/bundles.md "Import rules"): idempotent, one transaction per
bundle, added / updated / unchanged per table, a refused bundle writes nothing.

Fast path per table: COPY the bundle's rows into a temporary staging table; read the stored
versions of the staged keys once; UPDATE the stored rows the bundle has newer and changed,
then INSERT the new keys (imports serialize on an advisory lock, so no other writer adds a key
in between); added and updated are the two statements' row counts, unchanged the rest. The
bundle's checksum is verified on a second thread meanwhile; the commit waits for it.
docs/center.md "Import".
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from desktop.core.progress import Progress
from desktop.services.center import rollups
from desktop.services.center.connection import CenterError, explain, safe_url
from desktop.services.center.schema import check_version, month_partition
from desktop.services.lead.bundle import (
    SPECS,
    TABLES,
    BundleError,
    ImportReport,
    TableCounts,
    open_bundle,
)

# the key a table's rows are matched on (calls: the partitioned table's primary key)
CONFLICT_KEYS = {"calls": ("started_at", "id")}


def _table_columns(conn: psycopg.Connection, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _update_sql(table: str, columns: Sequence[str], stage: str, old: str) -> str | None:
    """The UPDATE of the stored rows the bundle changes (None: the table's rows never change):
    versioned rows when the staged version is newer and differs, ticks only ticked → unticked.
    Only keys found stored (`old`) are probed, so a bundle of new rows updates nothing."""
    spec = SPECS[table]
    keys = CONFLICT_KEYS.get(table, (spec.key,))
    match = " AND ".join(f't."{k}" = s."{k}"' for k in keys)
    stored = " AND ".join(f'o."{k}" = s."{k}"' for k in keys)
    head = (
        f'UPDATE "{table}" AS t SET {{sets}} FROM {stage} s JOIN {old} o ON {stored} WHERE {match}'
    )
    if table == "calls":
        head += " AND t.started_at >= %(low)s AND t.started_at <= %(high)s"
    others = [c for c in columns if c not in keys]
    if (spec.versioned or table == "qa_evaluations") and "updated_at" in columns:
        sets = ", ".join(f'"{c}" = s."{c}"' for c in others)
        mine = ", ".join(f't."{c}"' for c in others if c != "updated_at")
        theirs = ", ".join(f's."{c}"' for c in others if c != "updated_at")
        return head.format(sets=sets) + (
            " AND COALESCE(t.updated_at, '') < COALESCE(s.updated_at, '') "
            f"AND ({mine}) IS DISTINCT FROM ({theirs})"
        )
    if table == "checklist_ticks":
        return head.format(sets="unticked_at = s.unticked_at") + (
            " AND t.unticked_at IS NULL AND s.unticked_at IS NOT NULL"
        )
    return None


def import_bundle(
    conn: psycopg.Connection,
    path: Path,
    *,
    url: str = "",
    progress: Progress | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ImportReport:
    """Import one bundle in one transaction. BundleError when the file is refused (nothing is
    written), CenterError when the server fails mid-way (the transaction is rolled back by
    the server: nothing is written either)."""
    path = Path(path)
    with open_bundle(path) as bundle:
        # the checksum (~1.5 s per 200,000 rows) is computed on a second thread while the
        # rows are staged; the transaction commits only once it matched (else: rolled back)
        checked = _Verification(path)
        manifest = bundle.manifest
        agent_id = manifest.get("agent_id", "")
        report = ImportReport(path, agent_id)
        tables = [t.name for t in TABLES if t.name in bundle.tables]
        total = bundle.total_rows
        done = 0
        try:
            check_version(conn)
            with conn.transaction():
                # one import at a time: the rollups are recomputed from what is committed
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('callassist.center.import'))")
                conn.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
                # the commit stays atomic (all of the bundle or none of it); only its flush to
                # disk is not waited for: a server crash in the next ~0.6 s may lose the whole
                # import (its bundle_imports row too), and running it again restores it
                conn.execute("SET LOCAL synchronous_commit = off")
                # the notes index's new entries wait in its pending list (merged by
                # autovacuum) instead of being merged by this import every 4 MB
                conn.execute(f"SET LOCAL gin_pending_list_limit = '{GIN_PENDING}'")
                conn.execute(
                    "INSERT INTO agents (id, name, machine) VALUES (%s, %s, %s) "
                    "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "
                    "machine = EXCLUDED.machine, last_import_at = now()",
                    [agent_id, manifest.get("agent_name", ""), manifest.get("machine", "")],
                )
                for table in tables:
                    if progress is not None:
                        progress.report(done, total, table)
                        progress.check()
                    counts = _import_table(conn, bundle, table)
                    report.tables[table] = counts
                    done += bundle.count(table)
                    if table == "calls" and counts.added + counts.updated:
                        report.changed_call_ids = []  # the center has no notes index to feed
                # the complaint cases the bundle's calls, reminders and audit rows touched,
                # and the step rollup of the cells its calls and ticks touched
                rollups.refresh_cases(conn)
                rollups.refresh_steps(conn)
                checked.wait()  # a bundle that fails its checksum: nothing is committed
                detail = {
                    "file": path.name,
                    "agent": agent_id,
                    "database_id": manifest.get("database_id", ""),
                    "counts": {
                        t: [c.added, c.updated, c.unchanged] for t, c in report.tables.items()
                    },
                }
                conn.execute(
                    "INSERT INTO bundle_imports (file_name, agent_id, database_id, checksum, "
                    "counts) VALUES (%s, %s, %s, %s, %s)",
                    [
                        path.name,
                        agent_id,
                        manifest.get("database_id", ""),
                        manifest.get("checksum", ""),
                        json.dumps(detail["counts"]),
                    ],
                )
                conn.execute(
                    "INSERT INTO audit_log (uid, at, actor, action, entity, entity_id, detail) "
                    "VALUES (%s, %s, %s, 'bundle.import', 'bundle', %s, %s)",
                    [
                        secrets.token_hex(16),
                        _iso(now()),
                        "center",
                        manifest.get("database_id", ""),
                        json.dumps(detail, ensure_ascii=False),
                    ],
                )
            if progress is not None:
                progress.report(total, total, "")
        except psycopg.Error as exc:
            _rollback_quietly(conn)
            checked.wait()  # a damaged bundle says so, whatever the server made of its rows
            if isinstance(exc, psycopg.errors.CheckViolation | psycopg.errors.DataError):
                raise BundleError(
                    path, f"数据包内容不符合中心数据库的格式（{exc.diag.message_primary}）"
                ) from exc
            raise CenterError(
                f"{explain(exc, url)}；数据包 {path.name} 未导入，中心数据库未改动"
            ) from exc
        except CenterError:
            _rollback_quietly(conn)
            raise
        finally:
            checked.join()
    return report


GIN_PENDING = "256MB"


class _Verification:
    """`Bundle.verify()` of `path` on its own thread and its own SQLite connection (hashing
    releases the GIL; the import's thread mostly waits on the server meanwhile)."""

    def __init__(self, path: Path) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            with open_bundle(path) as bundle:
                bundle.verify()
        except BaseException as exc:  # handed to the importing thread
            self._error = exc

    def join(self) -> None:
        self._thread.join()

    def wait(self) -> None:
        """Return once verified; raise its BundleError if the bundle is refused."""
        self._thread.join()
        if self._error is not None:
            raise self._error


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _rollback_quietly(conn: psycopg.Connection) -> None:
    if conn.closed:
        return
    with contextlib.suppress(psycopg.Error):
        conn.rollback()


# columns a bundle may hold empty where the center's column is NOT NULL: what empty means
NULL_MEANS = {("calls", "direction"): "COALESCE(\"direction\", 'incoming')"}


def _import_table(conn: psycopg.Connection, bundle: Any, table: str) -> TableCounts:
    target = _table_columns(conn, table)
    source = [d[1] for d in bundle.conn.execute(f'PRAGMA table_info("{table}")').fetchall()]
    columns = [c for c in source if c in target]
    stage = f"stage_{table}"
    conn.execute(f'CREATE TEMP TABLE {stage} (LIKE "{table}" INCLUDING DEFAULTS) ON COMMIT DROP')
    key = SPECS[table].key
    select = ", ".join(NULL_MEANS.get((table, c), f'"{c}"') for c in columns)
    cols = ", ".join(f'"{c}"' for c in columns)
    staged = 0
    with conn.cursor() as cur, cur.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
        for row in bundle.conn.execute(f'SELECT {select} FROM "{table}"'):
            copy.write_row(row)
            staged += 1
    # a temporary table has no statistics: without them the joins below plan for a few rows
    # and, at 100,000, scan every month of calls instead of probing their keys
    conn.execute(f"ANALYZE {stage}")
    if table == "calls":
        for (month,) in conn.execute(
            f"SELECT DISTINCT substr(started_at, 1, 7) FROM {stage} ORDER BY 1"
        ).fetchall():
            if re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", month or ""):
                month_partition(conn, month)  # other values fail the insert: refused
    counts = TableCounts()
    if not staged:
        return counts
    # the stored versions of the staged rows, read once: which keys are new (added), which
    # rows may change (the UPDATE probes only these), and what the rollups must refresh.
    # (Two statements instead of one INSERT … ON CONFLICT: a plain insert of the new rows
    # skips the speculative insertion per row; imports serialize on the advisory lock, so no
    # other writer adds a key in between.)
    keys = CONFLICT_KEYS.get(table, (key,))
    match = " AND ".join(f't."{k}" = s."{k}"' for k in keys)
    old = f"{stage}_old"
    bounds: dict[str, str] = {}
    span = ("", "", "")
    where = ""
    if table == "calls":
        span = rollups.stage_span(conn, stage)
        bounds = {"low": span[1], "high": span[2]}
        where = " WHERE t.started_at >= %(low)s AND t.started_at <= %(high)s"  # pruning
    conn.execute(
        f'CREATE TEMP TABLE {old} ON COMMIT DROP AS SELECT t.* FROM "{table}" t '
        f"JOIN {stage} s ON {match}{where}",
        bounds or None,
    )
    conn.execute(f"ANALYZE {old}")
    row = conn.execute(f"SELECT COUNT(*) FROM {old}").fetchone()
    known = int(row[0]) if row else 0
    rollups.note_cases(conn, table, stage, old)
    if table == "calls":
        rollups.touch(conn, stage, span, before=True)
        rollups.count_new_hours(conn, stage)
    stored = " AND ".join(f'o."{k}" = s."{k}"' for k in keys)
    with conn.cursor() as cur:
        # the update first, and only when some staged keys are stored: after the insert the
        # table holds rows its statistics do not know of, and the planner, counting on few,
        # could rescan the stage per row
        update = _update_sql(table, columns, stage, old)
        if update is not None and known:
            cur.execute(update, bounds or None)
            counts.updated = cur.rowcount
        if known < staged:
            cur.execute(
                f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM {stage} s '
                f"WHERE NOT EXISTS (SELECT 1 FROM {old} o WHERE {stored})"
            )
            counts.added = cur.rowcount
    if table == "calls":
        rollups.touch(conn, stage, span, before=False)
        rollups.refresh_touched(conn)
    if table == "checklist_ticks":
        rollups.note_tick_cells(conn, stage)
    counts.unchanged = staged - counts.added - counts.updated
    return counts


def import_files(
    url: str, files: Sequence[Path], out: Callable[[str], None]
) -> tuple[list[ImportReport], list[BundleError]]:
    """Import each file in its own transaction; refused files are reported and skipped.
    CenterError (server down, wrong password, newer schema, lost connection) stops the run."""
    from desktop.services.center.connection import connect

    reports: list[ImportReport] = []
    refused: list[BundleError] = []
    conn = connect(url)
    try:
        check_version(conn)
        for file in files:
            try:
                report = import_bundle(conn, Path(file), url=url)
            except BundleError as exc:
                refused.append(exc)
                out(f"已拒绝 {exc}")
                continue
            reports.append(report)
            out(f"{Path(file).name}（坐席 {report.agent_id}）→ {safe_url(url)}：")
            for line in report.lines():
                out(line)
    finally:
        conn.close()
    return reports, refused
