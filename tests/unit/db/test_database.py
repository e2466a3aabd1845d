"""db.Database: plain sqlite3 for the start-up reads, sqlite-utils only when a helper needs it."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlite_utils

from db import connect, open_db


def test_table_reads_match_sqlite_utils(tmp_path):
    db = open_db(tmp_path / "a.sqlite3")
    db["settings"].insert_all([{"key": "b", "value": "2"}, {"key": "a", "value": "1"}])
    plain = db["settings"]
    real = sqlite_utils.Database(db.conn)["settings"]
    assert list(plain.rows) == list(real.rows)
    assert list(plain.rows_where("key > ?", ["a"], order_by="key")) == list(
        real.rows_where("key > ?", ["a"], order_by="key")
    )
    assert list(plain.rows_where(order_by="key desc", limit=1)) == [{"key": "b", "value": "2"}]
    assert plain.count == real.count == 2
    db.close()


def test_writes_go_through_sqlite_utils_on_the_same_connection(tmp_path):
    db = open_db(tmp_path / "a.sqlite3")
    db["settings"].upsert({"key": "a", "value": "1"}, pk="key")
    assert db.execute("SELECT value FROM settings WHERE key = 'a'").fetchone() == ("1",)
    assert db.utils.conn is db.conn
    assert db.execute("PRAGMA recursive_triggers").fetchone() == (1,)
    db.close()


def test_opening_and_reading_do_not_import_sqlite_utils(tmp_path):
    path = tmp_path / "a.sqlite3"
    open_db(path).close()
    code = (
        "import sys; from pathlib import Path; from db import open_db; "
        f"db = open_db(Path({str(path)!r})); list(db['calls'].rows_where('status = ?', ['x'])); "
        "db['settings'].count; assert 'sqlite_utils' not in sys.modules, 'imported'; "
        "db.warm(); assert 'sqlite_utils' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    connect(path, readonly=True).close()


def test_plain_insert_and_update_match_sqlite_utils(tmp_path):
    db = open_db(tmp_path / "a.sqlite3")
    real = sqlite_utils.Database(connect(tmp_path / "b.sqlite3").conn)
    for d in (db.conn, real.conn):
        d.execute("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, s TEXT)")
        d.execute("CREATE TABLE auto (id INTEGER PRIMARY KEY, s TEXT)")
    plain_t, real_t = db["t"], real["t"]
    assert plain_t.insert({"id": "x", "n": 1, "s": None}).last_pk == 1
    assert real_t.insert({"id": "x", "n": 1, "s": None}).last_pk == 1
    assert db["auto"].insert({"s": "a"}).last_pk == real["auto"].insert({"s": "a"}).last_pk == 1
    plain_t.update("x", {"n": 2, "s": "b"})
    real_t.update("x", {"n": 2, "s": "b"})
    assert list(db["t"].rows) == list(real["t"].rows) == [{"id": "x", "n": 2, "s": "b"}]
    with pytest.raises(sqlite_utils.db.NotFoundError):
        plain_t.update("missing", {"n": 3})
    plain_t.insert({"id": "y", "n": True, "s": "c"})  # not plain: sqlite-utils' own insert
    assert db.execute("SELECT n FROM t WHERE id = 'y'").fetchone() == (1,)
    db.close()
    real.close()
