"""Open the agent's SQLite file safely: WAL, foreign keys, and clear errors for bad files."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from db.database import Database
from db.errors import StorageError

BUSY_TIMEOUT_MS = 3000


def connect(
    path: Path, *, readonly: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> Database:
    """A configured connection; raises StorageError (never creates a new file over a bad one)."""
    path = Path(path)
    if readonly:
        uri = f"file:{path.as_posix()}?mode=ro"
        conn = _sqlite_connect(path, uri, uri=True)
    else:
        _check_writable(path)
        conn = _sqlite_connect(path, str(path))
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA schema_version").fetchone()  # fails fast on a non-database file
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"journal mode stayed {mode}")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _explain(path, exc) from exc
    conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils sets it
    return Database(conn)


def _sqlite_connect(path: Path, target: str, uri: bool = False) -> sqlite3.Connection:
    try:
        return sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise _explain(path, exc) from exc


def _check_writable(path: Path) -> None:
    if path.exists():
        if path.is_dir():
            raise StorageError(path, "数据库路径是一个文件夹。", "请检查 --data-dir 设置。")
        if not os.access(path, os.R_OK | os.W_OK):
            raise StorageError(
                path, "数据库文件没有读写权限。", "请让 IT 管理员恢复该文件的读写权限后重新打开。"
            )
        return
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            path, f"无法创建数据目录（{exc.strerror}）。", "请检查 --data-dir 设置或磁盘权限。"
        ) from exc
    if not os.access(parent, os.W_OK):
        raise StorageError(path, "数据目录不可写。", "请检查 --data-dir 设置或文件夹权限。")


def _explain(path: Path, exc: sqlite3.Error) -> StorageError:
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "disk image" in text:
        return StorageError(
            path,
            "数据库文件已损坏，无法读取。",
            "原文件未被改动。请联系 IT 从备份（数据目录中的 backups 文件夹）恢复，或将该文件移走后重新打开。",
        )
    if "locked" in text or "busy" in text:
        return StorageError(
            path,
            "数据库文件正被另一个程序占用。",
            "请关闭其他正在使用该文件的程序（或另一个坐席助手窗口）后重试。",
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StorageError(
            path, "无法以读写方式打开数据库文件。", "请检查文件及其所在文件夹的权限。"
        )
    return StorageError(path, f"数据库错误：{exc}", "请联系 IT 管理员，并提供此信息。")


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """BEGIN IMMEDIATE … COMMIT, so a group of writes lands whole or not at all."""
    conn = db.conn
    if conn.in_transaction:  # nested: the outer transaction owns the commit
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
