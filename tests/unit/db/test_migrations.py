from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from db import StorageError, connect, open_db
from db.migrations import MIGRATIONS, current_version, migrate


def test_new_database_is_migrated_to_latest_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = open_db(tmp_path / "a.sqlite3")
    assert current_version(db) == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] <= 2  # NORMAL or FULL
    assert {"calls", "checklist_ticks", "reminders", "customers", "audit_log"} <= set(
        db.table_names()
    )
    db.close()


def test_each_migration_applies_in_order_from_every_earlier_version(tmp_path: Path) -> None:
    for start in range(len(MIGRATIONS)):
        db = connect(tmp_path / f"v{start}.sqlite3")
        migrate(db, None, MIGRATIONS[:start])
        assert current_version(db) == start
        migrate(db, tmp_path / "backups")
        assert current_version(db) == len(MIGRATIONS)
        db.close()


def test_backup_is_taken_before_migrating_an_existing_file(tmp_path: Path) -> None:
    db = connect(tmp_path / "old.sqlite3")
    db["legacy"].insert({"x": 1})
    steps = [lambda d: None, *MIGRATIONS]  # version 0 → pretend an older schema exists
    migrate(db, tmp_path / "backups", steps)
    backups = list((tmp_path / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    assert sqlite3.connect(backups[0]).execute("SELECT x FROM legacy").fetchone() == (1,)
    db.close()


def test_failed_migration_rolls_back_and_keeps_version(tmp_path: Path) -> None:
    db = connect(tmp_path / "f.sqlite3")

    def broken(d: sqlite_utils.Database) -> None:
        d["half"].insert({"x": 1})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        migrate(db, None, [broken])
    assert current_version(db) == 0
    assert "half" not in db.table_names()
    db.close()


def test_newer_schema_than_the_app_is_refused(tmp_path: Path) -> None:
    db = connect(tmp_path / "n.sqlite3")
    db.execute("PRAGMA user_version = 99")
    with pytest.raises(StorageError, match="版本"):
        migrate(db, None)
    db.close()


def test_invalid_status_is_refused_by_the_schema(tmp_path: Path) -> None:
    db = open_db(tmp_path / "s.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        db["calls"].insert({"id": "c1", "started_at": "x", "status": "flying"})
    db.close()


def test_corrupt_file_gives_a_clear_error_and_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "bad.sqlite3"
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    with pytest.raises(StorageError) as info:
        open_db(path)
    assert "损坏" in info.value.message and info.value.path == path
    assert path.read_bytes() == garbage


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    open_db(path).close()
    path.chmod(0o444)
    with pytest.raises(StorageError, match="权限"):
        open_db(path)


def test_locked_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    open_db(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")  # leave WAL so an exclusive lock blocks readers
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="占用"):
            connect(path, busy_timeout_ms=50)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_migration_5_keeps_updated_at_current_and_gives_stable_uids(tmp_path: Path) -> None:
    from db import schema_v5

    db = connect(tmp_path / "m.sqlite3")
    migrate(db, None, MIGRATIONS[:4])
    db.execute("INSERT INTO settings VALUES ('agent_id', '1007')")
    db.execute(
        "INSERT INTO calls (id, started_at, ended_at, status, agent) "
        "VALUES ('c1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:05:00.000Z', 'completed', '1007')"
    )
    db.execute("INSERT INTO checklist_ticks (call_id, step_key, ticked_at) VALUES ('c1', 'a', 'x')")
    db.execute(
        "INSERT INTO reminders (id, call_id, case_id, kind, due_at, target_at, status, created_at) "
        "VALUES ('r1', 'c1', 'c1', 'callback', 'd', 'd', 'pending', '2026-01-01T00:06:00.000Z')"
    )
    migrate(db, None, MIGRATIONS[:5])
    uid = db.execute("SELECT uid FROM checklist_ticks").fetchone()[0]
    assert uid == schema_v5._uid_for("checklist_ticks", (1, "c1", "a", "x", None))
    assert db.execute("SELECT updated_at FROM calls").fetchone()[0] == "2026-01-01T00:05:00.000Z"
    assert db.execute("SELECT agent, updated_at FROM reminders").fetchone() == (
        "1007",
        "2026-01-01T00:06:00.000Z",
    )
    db.execute("UPDATE calls SET notes = 'n' WHERE id = 'c1'")
    first = db.execute("SELECT updated_at FROM calls").fetchone()[0]
    db.execute("UPDATE calls SET notes = 'm' WHERE id = 'c1'")
    second = db.execute("SELECT updated_at FROM calls").fetchone()[0]
    assert "2026-01-01T00:05:00.000Z" < first < second  # strictly increasing per row
    db.execute("UPDATE calls SET notes = 'o', updated_at = '2020-01-01T00:00:00.000Z'")
    assert db.execute("SELECT updated_at FROM calls").fetchone()[0] == "2020-01-01T00:00:00.000Z"
    db.execute("INSERT INTO call_intents (call_id, intent, set_at) VALUES ('c1', 'help', 'x')")
    assert len(db.execute("SELECT uid FROM call_intents").fetchone()[0]) == 32
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO checklist_ticks (uid, call_id, step_key, ticked_at) VALUES (?, 'c1', 'b', 'y')",
            [uid],
        )


def test_migration_4_qa_evaluations_are_append_only_and_browser_indexes_exist(
    tmp_path: Path,
) -> None:
    db = open_db(tmp_path / "q.sqlite3")
    conn = db.conn
    conn.execute(
        "INSERT INTO qa_evaluations (id, call_id, agent, evaluator, created_at, items, score) "
        "VALUES ('e1', 'c1', 'A', 'L', '2026-03-01T00:00:00.000Z', '[]', 80)"
    )
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE qa_evaluations SET score = 10 WHERE id = 'e1'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM qa_evaluations")
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    for column in ("agent", "intent", "outcome", "priority"):
        assert f"idx_calls_{column}_started" in indexes
    assert "idx_checklist_ticks_call_step" in indexes
    plan = " ".join(
        str(r)
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM calls "
            "ORDER BY COALESCE(intent, '') DESC, started_at DESC, rowid DESC LIMIT 10"
        )
    )
    assert "idx_calls_intent_started" in plan and "TEMP B-TREE" not in plan
    db.close()


def test_v6_calls_have_a_direction_defaulting_to_incoming(tmp_path: Path) -> None:
    db = connect(tmp_path / "d.sqlite3")
    migrate(db, None, MIGRATIONS[:5])
    db.execute(
        "INSERT INTO calls (id, phone, caller_name, started_at, status, priority, notes, agent, "
        "source) VALUES ('old', '', '', '2026-01-01T00:00:00.000Z', 'completed', 'normal', '', "
        "'', 'manual')"
    )
    migrate(db, None)
    assert db.execute("SELECT direction FROM calls WHERE id = 'old'").fetchone()[0] == "incoming"
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE calls SET direction = 'sideways' WHERE id = 'old'")
    db.close()


def test_v7_call_facts_are_backfilled_and_kept_by_triggers(tmp_path: Path) -> None:
    db = connect(tmp_path / "f.sqlite3")
    migrate(db, None, MIGRATIONS[:6])
    db.execute(
        "INSERT INTO calls (id, phone, started_at, answered_at, ended_at, completed_at, status, "
        "intent, outcome, agent, notes) VALUES ('old', '13800138000', '2026-01-01T00:00:00.000Z', "
        "'2026-01-01T00:00:10.000Z', '2026-01-01T00:05:10.250Z', '2026-01-01T00:06:00.000Z', "
        "'completed', 'inquiry', 'resolved', 'A1', '')"
    )
    db.execute(
        "INSERT INTO checklist_ticks (call_id, step_key, ticked_at, unticked_at) VALUES "
        "('old', 'greeting', '2026-01-01T00:00:20.000Z', NULL), "
        "('old', 'answer', '2026-01-01T00:00:30.000Z', '2026-01-01T00:00:40.000Z'), "
        "('old', 'close', '2026-01-01T00:07:00.000Z', NULL)"  # after completion
    )
    migrate(db, None, MIGRATIONS[:7])
    assert current_version(db) == 7
    row = db.execute(
        "SELECT agent, intent, answered, handled, talk_ms, acw_ms, fcr_call, resolved, steps "
        "FROM call_facts WHERE call_id = 'old'"
    ).fetchone()
    assert row == ("A1", "inquiry", 1, 1, 300250, 49750, 1, 1, "greeting")
    db.execute("UPDATE checklist_ticks SET unticked_at = NULL WHERE step_key = 'answer'")
    steps = db.execute("SELECT steps FROM call_facts WHERE call_id = 'old'").fetchone()[0]
    assert sorted(steps.split("\x1f")) == ["answer", "greeting"]
    db.execute("INSERT INTO calls (id, started_at, status) VALUES ('new', 'x', 'ringing')")
    assert db.execute("SELECT steps, handled FROM call_facts WHERE call_id = 'new'").fetchone() == (
        None,
        0,
    )
    db.execute("DELETE FROM calls WHERE id = 'new'")
    assert db.execute("SELECT COUNT(*) FROM call_facts").fetchone()[0] == 1
    plan = " ".join(
        r[3]
        for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT 1 FROM calls r WHERE r.phone = ? AND r.intent = ? "
            "AND r.started_at > ? AND r.started_at <= ? AND r.reminder_id IS NULL",
            ["1", "inquiry", "a", "b"],
        )
    )
    assert "COVERING INDEX idx_calls_repeat" in plan
    db.close()


def _call(
    db,
    cid: str,
    started: str,
    *,
    phone: str = "13800138000",
    intent: str = "inquiry",
    outcome: str = "resolved",
    status: str = "completed",
    reminder: str | None = None,
) -> None:
    db.execute(
        "INSERT INTO calls (id, phone, started_at, answered_at, ended_at, completed_at, status, "
        "intent, outcome, agent, notes, reminder_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'A1', '', ?)",
        [cid, phone, started, started, started, started, status, intent, outcome, reminder],
    )


def _repeated(db) -> dict[str, int | None]:
    return dict(db.execute("SELECT call_id, repeated FROM call_facts").fetchall())


def test_v8_backfills_the_fcr_repeat_flag_and_keeps_it_by_triggers(tmp_path: Path) -> None:
    db = connect(tmp_path / "r.sqlite3")
    migrate(db, None, MIGRATIONS[:7])
    _call(db, "a", "2026-03-01T00:00:00.000Z")  # repeated by b, 168 h later to the millisecond
    _call(db, "b", "2026-03-08T00:00:00.000Z", outcome="follow_up")
    _call(db, "c", "2026-03-20T00:00:00.000Z")  # d is 168 h + 1 ms later: not a repeat
    _call(db, "d", "2026-03-27T00:00:00.001Z", intent="inquiry", status="missed")
    _call(db, "e", "2026-04-01T00:00:00.000Z")  # f has another intent, g is a callback
    _call(db, "f", "2026-04-01T01:00:00.000Z", intent="complaint")
    _call(db, "g", "2026-04-01T02:00:00.000Z", reminder="R1")
    migrate(db, None)
    assert current_version(db) == 8
    assert _repeated(db) == {
        "a": 1, "b": None, "c": 0, "d": None, "e": 0, "f": 0, "g": 0,
    }  # fmt: skip
    # later writes flip the earlier calls' flags, whoever writes
    db.execute("UPDATE calls SET reminder_id = NULL WHERE id = 'g'")  # now a repeat of e
    db.execute("UPDATE calls SET started_at = '2026-03-26T23:59:59.999Z' WHERE id = 'd'")
    assert _repeated(db) == {
        "a": 1, "b": None, "c": 1, "d": None, "e": 1, "f": 0, "g": 0,
    }  # fmt: skip
    db.execute("DELETE FROM calls WHERE id = 'b'")
    db.execute("UPDATE calls SET phone = '13900000000' WHERE id = 'd'")
    db.execute("UPDATE calls SET intent = 'complaint' WHERE id = 'g'")  # a repeat of f now
    assert _repeated(db) == {"a": 0, "c": 0, "d": None, "e": 0, "f": 1, "g": 0}
    # a call replaced in place (INSERT OR REPLACE, recursive triggers off) moves its window
    raw = sqlite3.connect(tmp_path / "r.sqlite3", isolation_level=None)
    raw.execute("PRAGMA recursive_triggers = OFF")
    raw.execute("UPDATE calls SET intent = 'inquiry', phone = '13800138000' WHERE id = 'g'")
    assert (_repeated(db)["e"], _repeated(db)["f"]) == (1, 0)
    raw.execute(
        "INSERT OR REPLACE INTO calls (id, phone, started_at, status, intent, notes) "
        "VALUES ('g', '13700000000', '2026-04-01T02:00:00.000Z', 'ringing', 'inquiry', '')"
    )
    assert _repeated(db)["e"] == 0
    raw.close()
    plan = " ".join(
        r[3]
        for r in db.execute(
            "EXPLAIN QUERY PLAN UPDATE call_facts SET repeated = 0 WHERE call_facts.phone = ? "
            "AND call_facts.intent = ? AND call_facts.repeat_until IS NOT NULL "
            "AND call_facts.repeat_until >= ? AND call_facts.started_at < ?",
            ["1", "inquiry", "a", "a"],
        )
    )
    assert "idx_call_facts_repeat" in plan
    db.close()
