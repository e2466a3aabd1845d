"""Where the review reads from: the center database saved in the lead's settings, or the
local file. The review window asks `open_review_source()` once (on a worker) and shows
`banner` when it is not empty: the center could not be reached and the local database is
shown instead. The saved connection is a URL without a password (refused otherwise), kept in
the local settings table under `center_url`; the password stays with libpq (PGPASSWORD,
.pgpass, pg_service.conf)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.services.center.connection import CenterError, check_url, connect, safe_url
from desktop.services.center.dialect import POSTGRES
from desktop.services.center.schema import check_version
from desktop.services.review.dialect import SQLITE, Dialect

SETTING = "center_url"


def saved_center_url(conn: sqlite3.Connection | Any) -> str:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", [SETTING]).fetchone()
    return str(row[0]) if row and row[0] else ""


def save_center_url(conn: sqlite3.Connection | Any, url: str) -> None:
    """Save (or with "" forget) the center connection; CenterError for a URL with a password."""
    if url:
        check_url(url)
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [SETTING, url],
    )
    conn.commit()


@dataclass
class ReviewSource:
    conn: Any
    dialect: Dialect
    label: str  # shown in the review window's title / status
    banner: str = ""  # non-empty: the center failed, this is the local fallback
    is_center: bool = False

    def close(self) -> None:
        self.conn.close()


def open_review_source(local_db: Path, center_url: str = "") -> ReviewSource:
    """The center when one is saved and it answers with a schema we know; else the local
    database, read-only, with a banner saying why."""
    banner = ""
    if center_url:
        try:
            conn = connect(center_url)
            try:
                check_version(conn)
                conn.read_only = True
            except BaseException:
                conn.close()
                raise
            return ReviewSource(
                conn, POSTGRES, f"中心数据库 {safe_url(center_url)}", is_center=True
            )
        except CenterError as exc:
            banner = f"{exc.message}。现在显示的是本机数据库。"
    local = sqlite3.connect(
        f"file:{Path(local_db).as_posix()}?mode=ro", uri=True, check_same_thread=False
    )
    return ReviewSource(local, SQLITE, f"本机数据库 {Path(local_db).name}", banner=banner)
