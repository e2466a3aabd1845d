"""The review's source: the saved center, or the local file with a banner when it fails."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.services.center.connection import CenterError, connect
from desktop.services.center.schema import migrate
from desktop.services.center.source import open_review_source, save_center_url, saved_center_url
from tests.helpers.pg import free_port
from tests.helpers.review_fixture import build_review_db


def test_the_saved_center_is_used_and_a_dead_one_falls_back(tmp_path: Path, pg_url: str) -> None:
    local = build_review_db(tmp_path / "lead.sqlite3")
    conn = sqlite3.connect(local)
    with pytest.raises(CenterError, match="不能包含密码"):
        save_center_url(conn, "postgresql://u:secret@h/db")
    save_center_url(conn, pg_url)
    assert saved_center_url(conn) == pg_url
    assert "secret" not in "".join(v for (v,) in conn.execute("SELECT value FROM settings"))
    conn.close()
    before = local.read_bytes()
    with connect(pg_url) as pg:
        migrate(pg)
    source = open_review_source(local, pg_url)
    try:
        assert source.is_center and not source.banner
        assert source.conn.execute("SELECT count(*) FROM calls").fetchone()[0] == 0
    finally:
        source.close()
    dead = f"postgresql://callassist_test@127.0.0.1:{free_port()}/center"
    source = open_review_source(local, dead)
    try:
        assert not source.is_center
        assert "无法连接中心数据库" in source.banner and "本机数据库" in source.banner
        assert source.conn.execute("SELECT count(*) FROM calls").fetchone()[0] == 9
    finally:
        source.close()
    assert local.read_bytes() == before  # the lead's local database untouched
