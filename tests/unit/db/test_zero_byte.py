"""A zero-byte database file (a failed copy of the real one?) is not quietly used as new."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from db import open_db


def test_a_zero_byte_file_is_kept_reported_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "callassist.sqlite3"
    path.write_bytes(b"")
    notices: list[str] = []
    with caplog.at_level(logging.WARNING):
        db = open_db(path, backup_dir=tmp_path / "backups", notices=notices)
    try:
        assert db.execute("SELECT count(*) FROM calls").fetchone() == (0,)
    finally:
        db.close()
    [kept] = list((tmp_path / "backups").glob("callassist-empty-*.sqlite3"))
    assert kept.stat().st_size == 0
    assert len(notices) == 1 and "0 字节" in notices[0] and str(kept) in notices[0]
    assert "was empty (0 bytes)" in caplog.text


def test_a_real_database_says_nothing(tmp_path: Path) -> None:
    path = tmp_path / "callassist.sqlite3"
    open_db(path).close()
    notices: list[str] = []
    open_db(path, notices=notices).close()
    assert notices == [] and not list((tmp_path / "backups").glob("*empty*"))
