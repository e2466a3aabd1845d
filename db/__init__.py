"""Storage: one SQLite file per agent (WAL), numbered migrations, no Qt."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

from db.connection import connect, transaction
from db.database import Database
from db.errors import StorageError
from db.migrations import migrate

__all__ = ["Database", "StorageError", "connect", "migrate", "open_db", "transaction"]


log = logging.getLogger(__name__)


def open_db(
    path: Path, backup_dir: Path | None = None, notices: list[str] | None = None
) -> Database:
    """Open (creating on first use) and migrate the agent's database.

    Backups go to ``backup_dir`` (default: ``backups/`` beside the file). What the agent
    must be told (a zero-byte file started afresh) is appended to ``notices``.
    """
    path = Path(path)
    backup_dir = backup_dir or path.parent / "backups"
    if _is_empty_file(path):
        kept = _keep_empty_file(path, backup_dir)
        log.warning("the database file %s was empty (0 bytes); kept it as %s", path, kept)
        if notices is not None:
            notices.append(
                f"数据库文件是空的（0 字节，可能是一次失败的复制），已另存到 {kept}，"
                "并新建了空数据库。如需恢复原有数据，请联系 IT。"
            )
    db = connect(path)
    try:
        migrate(db, backup_dir=backup_dir)
    except BaseException:
        db.close()
        raise
    return db


def _is_empty_file(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False


def _keep_empty_file(path: Path, backup_dir: Path) -> Path:
    """Move the empty file (and any -wal/-shm beside it) into the backups, so what was
    there is kept and SQLite starts a new database. Raises StorageError if it cannot."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{path.stem}-empty-{stamp}{path.suffix}"
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm", ""):
            source = path.with_name(path.name + suffix)
            if source.exists():
                shutil.move(source, target.with_name(target.name + suffix))
    except OSError as exc:
        raise StorageError(
            path,
            f"数据库文件是空的（0 字节），且无法另存（{exc.strerror or exc}）。",
            "原文件未被改动。请检查数据目录的权限或磁盘空间后重试。",
        ) from exc
    return target
