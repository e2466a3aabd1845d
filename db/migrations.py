"""Numbered migrations keyed on PRAGMA user_version; the file is backed up before any runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from db import (
    schema_v1,
    schema_v2,
    schema_v3,
    schema_v4,
    schema_v5,
    schema_v6,
    schema_v7,
    schema_v8,
)
from db.database import Database
from db.errors import StorageError

Migration = Callable[[Database], None]

# Index + 1 is the user_version the migration leaves behind. Append only; never edit a
# released migration (write a new one).
MIGRATIONS: tuple[Migration, ...] = (
    schema_v1.apply,
    schema_v2.apply,
    schema_v3.apply,
    schema_v4.apply,
    schema_v5.apply,
    schema_v6.apply,
    schema_v7.apply,
    schema_v8.apply,
)


def current_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    db: Database,
    backup_dir: Path | None,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> int:
    """Bring the file to the newest schema; returns the version. Each step is one transaction."""
    version = current_version(db)
    target = len(migrations)
    if version > target:
        raise StorageError(
            Path(_file_of(db)),
            f"数据库版本（{version}）比本程序支持的版本（{target}）新。",
            "请安装最新版本的坐席助手后再打开。",
        )
    if version == target:
        return version
    if backup_dir is not None and _has_user_tables(db):
        backup(db, backup_dir, version)
    for number in range(version, target):
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations[number](db)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return target


def backup(db: Database, backup_dir: Path, version: int) -> Path:
    """A consistent copy via SQLite's online backup API (safe with WAL and open readers)."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"callassist-v{version}-{stamp}.sqlite3"
    dest = sqlite3.connect(target)
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target


def _has_user_tables(db: Database) -> bool:
    return bool(db.execute("SELECT 1 FROM sqlite_master WHERE type='table' LIMIT 1").fetchone())


def _file_of(db: Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] if row else ""
