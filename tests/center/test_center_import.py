"""Bundles into a real PostgreSQL center: the local merge's meaning, and every fault leaves
nothing half-written (docs/center.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from desktop.core.progress import Progress
from desktop.services.center.connection import CenterError, check_url, connect
from desktop.services.center.importer import import_bundle
from desktop.services.center.schema import SCHEMA_VERSION, check_version, migrate
from desktop.services.lead.bundle import BundleError
from tests.helpers.bundle_files import rows_from_db, write_bundle
from tests.helpers.pg import PgServer, free_port
from tests.helpers.review_fixture import build_review_db

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )


@pytest.fixture
def rows(tmp_path: Path) -> dict:
    return rows_from_db(build_review_db(tmp_path / "agent.sqlite3"))


@pytest.fixture
def center(pg_url: str):
    with connect(pg_url) as conn:
        migrate(conn)
        yield conn


def _count(conn: psycopg.Connection, table: str) -> int:
    value = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    conn.rollback()
    return int(value)


def test_import_is_idempotent_and_newer_rows_update(tmp_path, rows, center, pg_url) -> None:
    first = write_bundle(tmp_path / "a1.bundle", rows)
    report = import_bundle(center, first, url=pg_url)
    assert report.tables["calls"].added == len(rows["calls"])
    assert report.tables["checklist_ticks"].added == len(rows["checklist_ticks"])
    again = import_bundle(center, first, url=pg_url)
    assert again.added == 0 and again.updated == 0
    assert again.tables["calls"].unchanged == len(rows["calls"])
    # a newer export: one call's notes changed, one tick unticked, one call new
    calls = [dict(c) for c in rows["calls"]]
    calls[0].update(notes="已补充说明", updated_at="2026-03-19T12:00:00.000Z")
    calls.append({**calls[1], "id": "C99", "updated_at": "2026-03-19T12:00:00.000Z"})
    ticks = [dict(t) for t in rows["checklist_ticks"]]
    open_tick = next(t for t in ticks if t["unticked_at"] is None)
    open_tick["unticked_at"] = "2026-03-19T12:00:00.000Z"
    newer = write_bundle(tmp_path / "a2.bundle", {**rows, "calls": calls, "checklist_ticks": ticks})
    report = import_bundle(center, newer, url=pg_url)
    assert (report.tables["calls"].added, report.tables["calls"].updated) == (1, 1)
    assert report.tables["checklist_ticks"].updated == 1
    assert report.tables["call_intents"].unchanged == len(rows["call_intents"])
    # the older bundle again changes nothing
    old = import_bundle(center, first, url=pg_url)
    assert old.added == 0 and old.updated == 0
    note = center.execute("SELECT notes FROM calls WHERE id = %s", [calls[0]["id"]]).fetchone()
    assert note[0] == "已补充说明"
    center.rollback()
    assert _count(center, "bundle_imports") == 4
    assert _count(center, "audit_log WHERE action = 'bundle.import'") == 4


def test_a_bad_bundle_is_refused_with_nothing_written(tmp_path, rows, center, pg_url) -> None:
    good = write_bundle(tmp_path / "good.bundle", rows)
    raw = bytearray(good.read_bytes())
    tampered = tmp_path / "tampered.bundle"
    tampered.write_bytes(raw)
    conn = __import__("sqlite3").connect(tampered)
    conn.execute("UPDATE calls SET notes = 'x' WHERE id = 'C1'")
    conn.commit()
    conn.close()
    empty = tmp_path / "empty.bundle"
    empty.write_bytes(b"")
    for bad in (tampered, empty):
        with pytest.raises(BundleError):
            import_bundle(center, bad, url=pg_url)
        assert _count(center, "calls") == 0 and _count(center, "bundle_imports") == 0
    # a row the center's schema refuses (not a time) rolls the whole bundle back
    calls = [dict(c) for c in rows["calls"]] + [
        {**rows["calls"][0], "id": "Z", "started_at": "yesterday"}
    ]
    broken = write_bundle(tmp_path / "broken.bundle", {**rows, "calls": calls})
    with pytest.raises(BundleError):
        import_bundle(center, broken, url=pg_url)
    for table in ("calls", "checklist_ticks", "reminders", "agents", "bundle_imports"):
        assert _count(center, table) == 0, table


def test_a_lost_connection_mid_import_writes_nothing(
    tmp_path, rows, pg_server: PgServer, pg_url
) -> None:
    """The backend is killed (pg_terminate_backend from another connection) after the calls
    were staged and upserted, before the bundle commits."""
    bundle = write_bundle(tmp_path / "a.bundle", rows)
    with connect(pg_url) as conn:
        migrate(conn)
        pid = conn.info.backend_pid
        killed = threading.Event()

        def sink(done: int, total: int, text: str) -> None:
            if text == "checklist_ticks" and not killed.is_set():
                with psycopg.connect(pg_url, autocommit=True) as other:
                    other.execute("SELECT pg_terminate_backend(%s)", [pid])
                killed.set()

        with pytest.raises(CenterError) as caught:
            import_bundle(conn, bundle, url=pg_url, progress=Progress(sink))
    assert killed.is_set()
    assert "连接中断" in caught.value.message or "中心数据库" in caught.value.message
    assert "未导入" in caught.value.message
    with connect(pg_url) as fresh:
        for table in ("calls", "agents", "bundle_imports", "audit_log"):
            assert _count(fresh, table) == 0, table
        report = import_bundle(fresh, bundle, url=pg_url)  # and it can simply be run again
        assert report.tables["calls"].added == len(rows["calls"])


def test_a_newer_schema_is_refused_untouched(tmp_path, rows, center, pg_url) -> None:
    center.execute("INSERT INTO schema_version (version) VALUES (%s)", [SCHEMA_VERSION + 1])
    center.commit()
    with pytest.raises(CenterError, match="比本程序"):
        check_version(center)
    with pytest.raises(CenterError, match="比本程序"):
        migrate(center)
    with pytest.raises(CenterError, match="比本程序"):
        import_bundle(center, write_bundle(tmp_path / "a.bundle", rows), url=pg_url)
    assert _count(center, "calls") == 0
    done = _cli("center", "init", pg_url)
    assert done.returncode == 3 and "比本程序" in done.stderr


def test_server_down_and_wrong_password_are_clear(pg_server: PgServer, pg_url) -> None:
    down = f"postgresql://callassist_test@127.0.0.1:{free_port()}/center"
    with pytest.raises(CenterError, match="无法连接中心数据库"):
        connect(down)
    done = _cli("center", "init", pg_url, env={"PGPASSWORD": "wrong"})
    assert done.returncode == 3 and "用户名或密码错误" in done.stderr
    assert "wrong" not in done.stderr and "Traceback" not in done.stderr


def test_a_password_in_the_url_is_refused() -> None:
    for url in ("postgresql://u:pw@localhost/db", "postgresql://u@localhost/db?password=pw"):
        with pytest.raises(CenterError, match="不能包含密码"):
            check_url(url)
    done = _cli("center", "init", "postgresql://u:pw@127.0.0.1/db")
    assert done.returncode == 2 and "不能包含密码" in done.stderr


def test_cli_init_import_and_report(tmp_path, rows, pg_server: PgServer, pg_url) -> None:
    first = _cli("center", "init", pg_url)
    assert first.returncode == 0, first.stderr
    assert "从版本 0 升级到" in first.stdout
    assert "已是最新版本" in _cli("center", "init", pg_url).stdout
    bundle = write_bundle(tmp_path / "a.bundle", rows)
    bad = tmp_path / "bad.bundle"
    bad.write_text("not a bundle")
    done = _cli("center", "import", "--into", pg_url, str(bundle), str(bad))
    assert done.returncode == 1
    assert "calls: 新增 9" in done.stdout and "bad.bundle" in done.stderr
    assert (
        "calls: 新增 0，更新 0，未变 9"
        in _cli("center", "import", "--into", pg_url, str(bundle)).stdout
    )
    again = _cli("logs", "import", "--into", pg_url, str(bundle))  # the spelling
    assert again.returncode == 0 and "calls: 新增 0，更新 0，未变 9" in again.stdout
    assert _cli("center", "team", pg_url, "B", "north", "北区").returncode == 0
    report = _cli(
        "report",
        "stats",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-07",
        "--tz",
        "Asia/Shanghai",
        "--db",
        pg_url,
        "--team",
        "north",
        "--data-dir",
        str(tmp_path / "data"),
    )
    assert report.returncode == 0, report.stderr
    figures = json.loads(report.stdout)
    assert set(figures["by_agent"]) == {"B"} and figures["period"]["team"] == "north"


def test_an_outgoing_call_keeps_its_direction(tmp_path, rows, center, pg_url) -> None:
    """Center schema 4: calls.direction arrives from the bundle; a bundle written before the
    column travelled gives incoming calls."""
    calls = [dict(c) for c in rows["calls"]]
    calls[0]["direction"] = "outgoing"
    import_bundle(center, write_bundle(tmp_path / "d.bundle", {**rows, "calls": calls}), url=pg_url)
    got = dict(center.execute("SELECT id, direction FROM calls").fetchall())
    center.rollback()
    assert got[calls[0]["id"]] == "outgoing"
    assert all(got[c["id"]] == "incoming" for c in calls[1:])


def test_logs_import_into_a_center_that_is_down_is_one_line_not_a_traceback(tmp_path) -> None:
    bundle = tmp_path / "a.bundle"
    bundle.write_bytes(b"")
    for command in (("logs", "import"), ("center", "import")):
        done = _cli(*command, "--into", "postgresql://nobody@127.0.0.1:1/x", str(bundle))
        assert done.returncode == 3, done.stderr
        assert "Traceback" not in done.stderr
        assert "无法连接中心数据库" in done.stderr
    done = _cli("logs", "import", "--into", "postgresql://u:secret@127.0.0.1/x", str(bundle))
    assert done.returncode == 2 and "不能包含密码" in done.stderr
