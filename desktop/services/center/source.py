"""Where the review reads from: the center database saved in the lead's settings, or the
local file. The review window asks `probe_center()` once (on a worker) before its first
query: "" means the center answers with a schema we know; otherwise the text is the banner
it shows over the local database it falls back to. The saved connection is a URL without a
password (refused otherwise), kept in the local settings table as `center_url`
(`Settings.center_url`); the password stays with libpq (PGPASSWORD, .pgpass,
pg_service.conf).

Review sessions are read-only on the server (`default_transaction_read_only`) and in
autocommit, so a review window left open holds no transaction (no snapshot keeping VACUUM
back on the center). QA evaluations are the one thing the review writes: `center_writer()`.
"""

from __future__ import annotations

import psycopg

from desktop.services.center.connection import CenterError, check_url, connect, explain
from desktop.services.center.schema import check_version

READ_ONLY = "-c default_transaction_read_only=on"


def normalized_url(url: str) -> str:
    """The URL to save: stripped, "" to forget; CenterError for a password or a non-PG URL."""
    url = (url or "").strip()
    return check_url(url) if url else ""


def center_reader(url: str) -> psycopg.Connection:
    """A read-only autocommit session on the center (CenterError when it fails)."""
    return connect(url, autocommit=True, options=READ_ONLY)


def center_writer(url: str) -> psycopg.Connection:
    """An autocommit session that may write (the review's QA evaluations); the caller runs
    its own BEGIN … COMMIT."""
    return connect(url, autocommit=True)


def probe_center(url: str) -> str:
    """ "" when the center at `url` answers with the schema this program knows; else the
    banner shown over the local fallback (down, wrong password, newer or missing schema)."""
    try:
        conn = center_reader(url)
        try:
            check_version(conn)
        finally:
            conn.close()
    except CenterError as exc:
        return f"{exc.message}。现在显示的是本机数据库。"
    except psycopg.Error as exc:
        return f"{explain(exc, url)}。现在显示的是本机数据库。"
    return ""
