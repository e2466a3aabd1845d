"""`call_facts` (migration 7) is exact: after any write its rows equal the facts recomputed
from `calls` and `checklist_ticks`, and the statistics read from it equal those read from the
plain tables (the path a file or engine without it takes, e.g. the PostgreSQL center)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from db import open_db
from db.schema_v7 import COLUMNS, FACTS_OF, STEP_SEPARATOR
from desktop.core.clock import FakeClock, parse_iso
from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.services.audit import AuditLog
from desktop.services.calls import CallService
from desktop.services.review.dialect import SQLiteDialect
from desktop.services.review.period import Period
from desktop.services.review.stats import adherence_by_agent, compute
from tests.helpers.review_fixture import CHECKLISTS, NOW, ZONE

PACK = load_pack(bundled_pack_dir())


class PlainTables(SQLiteDialect):
    """The SQLite dialect as a file without migration 7 sees it."""

    def has_table(self, conn, name: str) -> bool:
        return name != "call_facts" and super().has_table(conn, name)


def stored(conn: sqlite3.Connection) -> set[tuple]:
    return _normal(conn.execute(f"SELECT {COLUMNS} FROM call_facts").fetchall())


def recomputed(conn: sqlite3.Connection) -> set[tuple]:
    return _normal(conn.execute(FACTS_OF).fetchall())


def _normal(rows) -> set[tuple]:
    """Steps as a set: their order inside the text does not matter."""
    out = set()
    for row in rows:
        steps = row[-1]
        out.add((*row[:-1], None if steps is None else frozenset(steps.split(STEP_SEPARATOR))))
    return out


def assert_exact(conn: sqlite3.Connection) -> None:
    facts = stored(conn)
    assert facts == recomputed(conn)
    assert len(facts) == conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0]


PERIODS = [
    Period.parse("2026-03-01", "2026-03-07", ZONE),
    Period.parse("2026-03-01", "2026-03-31", ZONE),
    Period.parse("2026-03-02", "2026-03-02", "UTC"),
    Period.parse("2026-03-01", "2026-03-07", "Asia/Kolkata"),
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.first}..{p.last}@{p.zone_name}")
@pytest.mark.parametrize("agent", [None, "A", "B", "nobody"])
def test_facts_give_the_figures_the_plain_tables_give(ro, period: Period, agent) -> None:
    now = parse_iso(NOW)
    fast = compute(ro, period, agent=agent, checklists=CHECKLISTS, now=now)
    plain = compute(ro, period, agent=agent, checklists=CHECKLISTS, now=now, dialect=PlainTables())
    assert repr(fast) == repr(plain)
    for intent in CHECKLISTS:
        assert adherence_by_agent(ro, period, intent, CHECKLISTS) == adherence_by_agent(
            ro, period, intent, CHECKLISTS, dialect=PlainTables()
        )


def test_the_fixture_is_backfilled_exactly(ro) -> None:
    assert_exact(ro)
    c2 = ro.execute("SELECT steps FROM call_facts WHERE call_id = 'C2'").fetchone()[0]
    assert set(c2.split(STEP_SEPARATOR)) == {"greeting"}  # 'answer' was unticked before


def test_raw_writes_of_every_kind_keep_the_facts_exact(review_db: Path) -> None:
    conn = sqlite3.connect(review_db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    writes = [
        "UPDATE calls SET intent = 'help' WHERE id = 'C3'",
        "UPDATE calls SET completed_at = '2026-03-01T16:20:30.000Z' WHERE id = 'C2'",
        "UPDATE checklist_ticks SET unticked_at = NULL WHERE call_id = 'C2'",
        "UPDATE checklist_ticks SET unticked_at = '2026-03-01T02:00:30.000Z' "
        "WHERE call_id = 'C1' AND step_key = 'accept'",
        "INSERT INTO checklist_ticks (call_id, step_key, ticked_at) "
        "VALUES ('C1', 'accept', '2026-03-01T02:00:40.000Z')",
        "INSERT INTO checklist_ticks (call_id, step_key, ticked_at) "
        "VALUES ('C1', 'accept', '2026-03-01T02:00:45.000Z')",  # a double tick counts once
        "DELETE FROM checklist_ticks WHERE call_id = 'C3'",
        "UPDATE checklist_ticks SET call_id = 'C9' WHERE call_id = 'C8'",
        "UPDATE calls SET status = 'wrap_up', completed_at = NULL WHERE id = 'C9'",
        "UPDATE calls SET phone = '', outcome = 'resolved' WHERE id = 'C6'",
        "UPDATE calls SET started_at = '2026-02-01T00:00:00.000Z', agent = 'Z' WHERE id = 'C5'",
        "UPDATE calls SET notes = '只改记录' WHERE id = 'C1'",
        "INSERT INTO calls (id, started_at, status, phone, notes) "
        "VALUES ('N1', '2026-03-03T00:00:00.000Z', 'ringing', '13900000000', '')",
        "INSERT INTO calls (id, started_at, status, phone, notes) "
        "VALUES ('N1', '2026-03-03T00:00:01.000Z', 'active', '13900000000', '') "
        "ON CONFLICT(id) DO UPDATE SET started_at = excluded.started_at, status = excluded.status",
        "INSERT OR REPLACE INTO calls (id, started_at, status, phone, notes, intent, "
        "answered_at, ended_at, completed_at, outcome) VALUES ('N1', '2026-03-03T00:00:02.000Z', "
        "'completed', '13900000000', '', 'inquiry', '2026-03-03T00:00:02.000Z', "
        "'2026-03-03T00:01:02.500Z', '2026-03-03T00:02:00.000Z', 'resolved')",
        "DELETE FROM calls WHERE id = 'C4'",
    ]
    for sql in writes:
        if "DELETE FROM calls" in sql:
            for table in ("checklist_ticks", "call_intents", "script_uses"):
                conn.execute(f"DELETE FROM {table} WHERE call_id = 'C4'")
            conn.execute("UPDATE reminders SET call_id = NULL WHERE call_id = 'C4'")
        conn.execute(sql)
        assert_exact(conn)
    assert conn.execute("SELECT talk_ms FROM call_facts WHERE call_id = 'N1'").fetchone() == (
        60500,
    )
    conn.close()


def test_a_call_taken_through_the_app_keeps_its_facts_exact(tmp_path: Path) -> None:
    db = open_db(tmp_path / "a.sqlite3")
    clock = FakeClock("2026-03-02T01:00:00Z")
    calls = CallService(db, clock, AuditLog(db, clock), lambda: PACK, agent=lambda: "1001")
    call = calls.start_call("13800138000", ringing=True, source="hook")
    clock.advance(5)
    calls.answer(call.id)
    calls.set_intent(call.id, "complaint")
    keys = [s.key for s in PACK.steps("complaint")]
    for key in keys[:3]:
        clock.advance(10)
        calls.tick(call.id, key)
    calls.untick(call.id, keys[1])
    clock.advance(60)
    calls.end(call.id)
    assert_exact(db.conn)
    calls.wrap_up(call.id, "follow_up", skip_reason="客户挂断")
    assert_exact(db.conn)
    steps = db.execute("SELECT steps FROM call_facts WHERE call_id = ?", [call.id]).fetchone()[0]
    assert set(steps.split(STEP_SEPARATOR)) == {keys[0], keys[2]}
    clock.advance(30)
    calls.save_notes(call.id, "补记")
    assert_exact(db.conn)
    period = Period(date(2026, 3, 2), date(2026, 3, 2), ZONE)
    checklists = {t.key: [(s.key, s.required) for s in PACK.steps(t.key)] for t in PACK.call_types}
    now = parse_iso("2026-03-03T00:00:00.000Z")
    fast = compute(db.conn, period, checklists=checklists, now=now)
    plain = compute(db.conn, period, checklists=checklists, now=now, dialect=PlainTables())
    assert repr(fast) == repr(plain) and fast["adherence"]["complaint"]["calls"] == 1
    db.close()
