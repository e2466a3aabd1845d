"""Bundle files for the center tests, written to the docs/bundles.md contract (format 1)
with the reference checksum: from an agent database (any schema version) or from rows."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from desktop.services.lead.bundle import APPLICATION_ID, FORMAT_VERSION, PRODUCT, TABLES, checksum

QA_COLUMNS = ("id", "call_id", "agent", "evaluator", "created_at", "items", "score", "comment",
              "supersedes_id")  # fmt: skip


def _uid(table: str, row: Mapping[str, Any]) -> str:
    text = "|".join(f"{k}={row[k]}" for k in sorted(row) if k not in ("id", "uid"))
    return hashlib.sha256(f"{table}|{text}".encode()).hexdigest()[:32]


def write_bundle(
    path: Path,
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    agent_id: str = "A",
    agent_name: str = "坐席A",
    database_id: str = "db-test-0001",
    created_at: str = "2026-03-20T00:00:00.000Z",
) -> Path:
    """A bundle holding `tables` (missing columns are NULL / defaults)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT)")
    names: list[str] = []
    for spec in TABLES:
        if spec.name not in tables:
            continue
        columns = spec.columns or QA_COLUMNS
        conn.execute(f'CREATE TABLE "{spec.name}" ({", ".join(columns)}, PRIMARY KEY ({spec.key}))')
        marks = ", ".join("?" for _ in columns)
        conn.executemany(
            f'INSERT INTO "{spec.name}" VALUES ({marks})',
            [[row.get(c) for c in columns] for row in tables[spec.name]],
        )
        names.append(spec.name)
    import json

    manifest = {
        "product": PRODUCT,
        "format_version": str(FORMAT_VERSION),
        "schema_version": "5",
        "agent_id": agent_id,
        "agent_name": agent_name,
        "machine": "test-pc",
        "database_id": database_id,
        "created_at": created_at,
        "since": "",
        "tables": json.dumps(names),
    }
    for name in names:
        manifest[f"rows.{name}"] = str(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
    manifest["checksum"] = checksum(conn, names)
    conn.executemany("INSERT INTO manifest VALUES (?, ?)", list(manifest.items()))
    conn.execute("COMMIT")
    conn.close()
    return path


def rows_from_db(
    db_file: Path, updated_at: str = "2026-03-19T00:00:00.000Z"
) -> dict[str, list[dict]]:
    """Every row of an agent database in bundle form (uids made like migration 5's)."""
    conn = sqlite3.connect(db_file)
    conn.row_factory = sqlite3.Row
    out: dict[str, list[dict]] = {}
    for spec in TABLES:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [spec.name]
        ).fetchone()
        if not exists:
            continue
        rows = [dict(r) for r in conn.execute(f'SELECT * FROM "{spec.name}"')]
        for row in rows:
            if spec.key == "uid" and "uid" not in row:
                row["uid"] = _uid(spec.name, row)
            if spec.versioned:  # the fixture's own time, not the machine's (migration 5)
                row["updated_at"] = updated_at
        out[spec.name] = rows
    conn.close()
    return out
