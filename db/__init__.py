"""Storage: one SQLite file per agent (WAL), numbered migrations, no Qt."""

from __future__ import annotations

from pathlib import Path

from db.connection import connect, transaction
from db.database import Database
from db.errors import StorageError
from db.migrations import migrate

__all__ = ["Database", "StorageError", "connect", "migrate", "open_db", "transaction"]


def open_db(path: Path) -> Database:
    """Open (creating on first use) and migrate the agent's database; backups go beside it."""
    db = connect(path)
    try:
        migrate(db, backup_dir=Path(path).parent / "backups")
    except BaseException:
        db.close()
        raise
    return db
