"""db/call_facts.py: the triggers set aside and `refresh()` leave call_facts as the triggers
would have (the bulk bundle import relies on it)."""

from __future__ import annotations

from pathlib import Path

from db import call_facts, open_db
from db.schema_v7 import COLUMNS


def _write(db, prefix: str, older: str = "") -> None:
    """Calls of every kind (handled, missed, ringing) with ticks before and after completion
    and an untick; with `older`, a tick added to one older call and another one reopened."""
    for n, (status, outcome) in enumerate(
        [
            ("completed", "resolved"),
            ("completed", "unresolved"),
            ("missed", None),
            ("ringing", None),
        ]
    ):
        call = f"{prefix}{n}"
        done = "2026-01-01T00:06:00.000Z" if status == "completed" else None
        db.execute(
            "INSERT INTO calls (id, phone, started_at, answered_at, ended_at, completed_at, "
            "status, intent, outcome, agent) VALUES (?, '13800138000', ?, ?, ?, ?, ?, "
            "'inquiry', ?, 'A1')",
            [
                call,
                f"2026-01-0{n + 1}T00:00:00.000Z",
                "2026-01-01T00:00:10.000Z" if done else None,
                "2026-01-01T00:05:00.000Z" if done else None,
                done,
                status,
                outcome,
            ],
        )
        db.execute(
            "INSERT INTO checklist_ticks (call_id, step_key, ticked_at, unticked_at) VALUES "
            "(?, 'greeting', '2026-01-01T00:00:20.000Z', NULL), "
            "(?, 'answer', '2026-01-01T00:00:30.000Z', '2026-01-01T00:00:40.000Z'), "
            "(?, 'close', '2026-01-01T00:07:00.000Z', NULL)",
            [call, call, call],
        )
    if older:
        db.execute(
            "INSERT INTO checklist_ticks (call_id, step_key, ticked_at) "
            "VALUES (?, 'late', '2026-01-01T00:01:00.000Z')",
            [f"{older}0"],
        )
        db.execute("UPDATE calls SET outcome = 'resolved' WHERE id = ?", [f"{older}1"])


def _facts(db) -> list[tuple]:
    return db.execute(f"SELECT {COLUMNS} FROM call_facts ORDER BY call_id").fetchall()


def _schema(db) -> list[tuple]:
    return db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()


def test_refresh_after_suspended_writes_equals_the_triggers(tmp_path: Path) -> None:
    by_triggers = open_db(tmp_path / "t.sqlite3")
    _write(by_triggers, "a")
    _write(by_triggers, "b", older="a")
    expected = _facts(by_triggers)

    bulk = open_db(tmp_path / "b.sqlite3")
    _write(bulk, "a")
    schema = _schema(bulk)
    bulk.execute("BEGIN")
    last = bulk.execute("SELECT max(rowid) FROM calls").fetchone()[0]
    triggers = call_facts.suspend(bulk.conn)
    assert [name for name, _sql in triggers] == list(call_facts.TRIGGERS)
    assert not any("call_facts" in str(sql) for _n, sql in _schema(bulk))
    _write(bulk, "b", older="a")  # a0 gains a tick, a1 is reopened: refreshed by id below
    call_facts.refresh(bulk.conn, "c.rowid > ? OR c.id IN ('a0', 'a1')", [last])
    call_facts.restore(bulk.conn, triggers)
    bulk.execute("COMMIT")
    assert _facts(bulk) == expected and len(expected) == 8
    facts = {f[1]: f for f in expected}
    assert "late" in facts["a0"][-1] and facts["a1"][10] == 1  # what the refresh had to redo
    assert _schema(bulk) == schema
    for db in (by_triggers, bulk):
        db.close()
