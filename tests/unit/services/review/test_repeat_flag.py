"""`call_facts.repeated` (migration 8) equals the plain definition of docs/metrics.md — the
same number calls again with the same intent within 168 h, not for a reminder — after any mix
of inserts, updates, deletes, in-place replacements and bundle merges (both the merge that
keeps the triggers and the large one that sets them aside and recomputes)."""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import open_db
from db.schema_v8 import COLUMNS, FACTS_OF
from desktop.core.clock import FakeClock, to_iso
from desktop.services.audit import AuditLog
from desktop.services.lead.bundle import import_bundle
from tests.helpers.bundle_files import write_bundle

# the plain test, written on `calls` alone as the statistics make it without call_facts
PLAIN = """SELECT c.id, CASE WHEN c.status = 'completed' AND c.phone <> '' AND c.intent IS NOT NULL
        AND c.intent <> 'unrelated' AND c.outcome = 'resolved' THEN EXISTS (
            SELECT 1 FROM calls r WHERE r.phone = c.phone AND r.intent = c.intent
            AND r.started_at > c.started_at
            AND r.started_at <= strftime('%Y-%m-%dT%H:%M:%fZ', c.started_at, '+168 hours')
            AND r.reminder_id IS NULL) END
    FROM calls c"""

BASE = datetime(2026, 3, 1, tzinfo=UTC)
# few numbers and intents, close together: most calls fall in each other's 7-day windows
PHONES = ("13800000001",) * 8 + ("13800000002", "")
INTENTS = ("inquiry",) * 8 + ("complaint", "unrelated", None)
IDS = tuple(f"c{n}" for n in range(6))
# hours from BASE; 168 h apart sits exactly on the window's edge, 168 h + 1 ms just past it
MOMENTS = (
    *(BASE + timedelta(hours=12 * n) for n in range(20)),
    BASE + timedelta(hours=168, milliseconds=1),
)


def _call(rng: random.Random) -> dict:
    return {
        "phone": rng.choice(PHONES),
        "intent": rng.choice(INTENTS),
        "started_at": to_iso(rng.choice(MOMENTS)),
        "status": rng.choice(("completed",) * 8 + ("missed", "ringing")),
        "outcome": rng.choice(("resolved",) * 8 + ("follow_up", None)),
        "reminder_id": rng.choice((None,) * 8 + ("R1",)),
    }


def _edit(rng: random.Random) -> dict:
    every = _call(rng) | {"reminder_id": rng.choice((None, "R2"))}
    keys = rng.sample(sorted(every), rng.randint(1, 2))
    return {k: every[k] for k in keys}


def _operations(rng: random.Random, n: int) -> list[tuple[str, str, dict | None]]:
    """Writes of every kind, drawn so that they often flip a neighbour's flag (hypothesis
    alone mostly draws calls at one moment, which are never each other's repeats)."""
    out: list[tuple[str, str, dict | None]] = []
    for _ in range(n):
        verb = rng.choice(("insert", "insert", "update", "delete", "replace"))
        arg = None if verb == "delete" else _edit(rng) if verb == "update" else _call(rng)
        out.append((verb, rng.choice(IDS), arg))
    return out


_template: list[Path] = []


def _fresh_file() -> Path:
    """A copy of one migrated empty file (migrating per example would dominate the test)."""
    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="repeat-flag-"))
        db = open_db(folder / "template.sqlite3")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        _template.append(folder / "template.sqlite3")
    folder = Path(tempfile.mkdtemp(prefix="repeat-flag-"))
    shutil.copy(_template[0], folder / "c.sqlite3")
    return folder / "c.sqlite3"


def _insert(conn, cid: str, row: dict, verb: str = "INSERT") -> None:
    conn.execute(
        f"{verb} INTO calls (id, phone, started_at, answered_at, ended_at, completed_at, "
        "status, intent, outcome, reminder_id, agent, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'A', '')",
        [cid, row["phone"], row["started_at"], row["started_at"], row["started_at"],
         row["started_at"] if row["status"] == "completed" else None, row["status"],
         row["intent"], row["outcome"], row["reminder_id"]],
    )  # fmt: skip


def _apply(app: sqlite3.Connection, raw: sqlite3.Connection, ops) -> None:
    for verb, cid, arg in ops:
        exists = app.execute("SELECT 1 FROM calls WHERE id = ?", [cid]).fetchone()
        if verb == "insert" and not exists:
            _insert(app, cid, arg)
        elif verb == "update" and exists and arg:
            sets = ", ".join(f"{k} = ?" for k in arg)
            app.execute(f"UPDATE calls SET {sets} WHERE id = ?", [*arg.values(), cid])
        elif verb == "delete" and exists:
            app.execute("DELETE FROM calls WHERE id = ?", [cid])
        elif verb == "replace":
            _insert(raw, cid, arg, "INSERT OR REPLACE")


def _merge(
    db, path: Path, rows, folder: Path, *, updated_at: str = "2030-01-01T00:00:00.000Z"
) -> None:
    """A bundle of another agent's calls (ids may be the file's own: newer versions)."""
    if not rows:
        return
    bundle_rows = []
    for cid, row in dict(rows).items():
        bundle_rows.append(
            {**row, "id": cid, "answered_at": row["started_at"], "ended_at": row["started_at"],
             "completed_at": row["started_at"] if row["status"] == "completed" else None,
             "agent": "B", "notes": "", "direction": "incoming", "priority": "normal",
             "updated_at": updated_at}
        )  # fmt: skip
    bundle = write_bundle(folder / "b.bundle", {"calls": bundle_rows}, agent_id="B")
    clock = FakeClock("2026-06-01T00:00:00Z")
    import_bundle(db, bundle, AuditLog(db, clock, actor="lead"), target_file=path)


def _assert_exact(conn: sqlite3.Connection) -> None:
    stored = dict(conn.execute("SELECT call_id, repeated FROM call_facts").fetchall())
    assert stored == dict(conn.execute(PLAIN).fetchall())
    facts = set(conn.execute(f"SELECT {COLUMNS} FROM call_facts").fetchall())
    assert facts == set(conn.execute(FACTS_OF).fetchall())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), sizes=st.tuples(*[st.integers(0, 20)] * 3))
def test_the_stored_repeat_flag_is_the_plain_definition(seed: int, sizes) -> None:
    rng = random.Random(seed)
    ops = _operations(rng, sizes[0])
    bundle = [(rng.choice((*IDS, "b1", "b2", "b3")), _call(rng)) for _ in range(sizes[1])]
    more = _operations(rng, sizes[2])
    path = _fresh_file()
    db = open_db(path)  # the app's connection: recursive triggers on
    raw = sqlite3.connect(path, isolation_level=None)  # a plain writer: recursive triggers off
    try:
        _apply(db.conn, raw, ops)
        _assert_exact(db.conn)
        _merge(db, path, bundle, path.parent)  # more calls than the file: triggers set aside
        _assert_exact(db.conn)
        _apply(db.conn, raw, more)
        _merge(db, path, bundle[: len(bundle) // 2], path.parent)  # small: triggers live
        _assert_exact(db.conn)
    finally:
        raw.close()
        db.close()
        shutil.rmtree(path.parent, ignore_errors=True)


@pytest.mark.parametrize("present", [1, 3], ids=["triggers set aside", "triggers live"])
def test_a_merged_agents_call_makes_the_leads_earlier_call_a_repeat(
    tmp_path: Path, present: int
) -> None:
    """Two agents, one customer: agent A resolved it, agent B's bundle brings the same
    number and intent back within 7 days; a newer version of B's call moves it out."""
    path = tmp_path / "lead.sqlite3"
    db = open_db(path)
    first = {"phone": "13800000001", "intent": "inquiry", "status": "completed",
             "outcome": "resolved", "reminder_id": None}  # fmt: skip
    for n in range(present):
        _insert(db.conn, f"a{n}", {**first, "started_at": to_iso(BASE + timedelta(days=30 * n))})
    again = {**first, "started_at": to_iso(BASE + timedelta(days=6)), "outcome": "follow_up"}
    other = {**first, "phone": "13800000002", "started_at": to_iso(BASE)}
    _merge(db, path, [("b1", again), ("b2", other)], tmp_path)
    assert db.execute("SELECT repeated FROM call_facts WHERE call_id = 'a0'").fetchone() == (1,)
    _assert_exact(db.conn)
    moved = {**again, "started_at": to_iso(BASE + timedelta(days=8))}
    _merge(db, path, [("b1", moved)], tmp_path, updated_at="2031-01-01T00:00:00.000Z")
    assert db.execute("SELECT repeated FROM call_facts WHERE call_id = 'a0'").fetchone() == (0,)
    _assert_exact(db.conn)
    db.close()
