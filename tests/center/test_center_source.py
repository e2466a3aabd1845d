"""The review's choice of database: the saved center when it answers, else a banner."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import open_db
from desktop.services.center.connection import CenterError, connect
from desktop.services.center.schema import migrate
from desktop.services.center.source import center_reader, normalized_url, probe_center
from desktop.services.settings import SettingsStore
from tests.helpers.pg import free_port


def test_the_saved_address_never_holds_a_password(tmp_path: Path) -> None:
    db = open_db(tmp_path / "lead.sqlite3")
    store = SettingsStore(db)
    with pytest.raises(CenterError, match="不能包含密码"):
        normalized_url("postgresql://u:secret@h/db")
    with pytest.raises(CenterError, match="不是中心数据库地址"):
        normalized_url("mysql://u@h/db")
    store.update(center_url=normalized_url(" postgresql://lead@db.example:5433/center "))
    assert SettingsStore(db).current.center_url == "postgresql://lead@db.example:5433/center"
    assert normalized_url("  ") == ""
    db.close()


def test_probe_says_why_a_center_cannot_be_used(pg_url: str) -> None:
    assert "尚未初始化" in probe_center(pg_url)  # an empty database: no schema yet
    with connect(pg_url) as pg:
        migrate(pg)
    assert probe_center(pg_url) == ""
    dead = f"postgresql://callassist_test@127.0.0.1:{free_port()}/center"
    banner = probe_center(dead)
    assert "无法连接中心数据库" in banner and banner.endswith("现在显示的是本机数据库。")


def test_review_sessions_are_read_only(pg_url: str) -> None:
    with connect(pg_url) as pg:
        migrate(pg)
    conn = center_reader(pg_url)
    try:
        assert conn.autocommit  # no transaction held open by an idle review window
        with pytest.raises(Exception, match="read-only"):
            conn.execute("INSERT INTO teams (id) VALUES ('x')")
    finally:
        conn.close()
