"""The lead PIN: stored as a scrypt hash only, lock-out that survives a restart, idle lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from db import open_db
from desktop.core.clock import FakeClock
from desktop.services.audit import AuditLog
from desktop.services.lead.pin import (
    FREE_ATTEMPTS,
    KEY_HASH,
    LeadPin,
    LeadSession,
    PinError,
    format_wait,
)

PIN = "246810"


def _session(path: Path, clock: FakeClock) -> tuple[sqlite_utils.Database, LeadSession]:
    db = open_db(path)
    return db, LeadSession(LeadPin(db, clock, AuditLog(db, clock, "lead")), clock)


def _actions(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT action FROM audit_log ORDER BY id")]


def test_pin_is_stored_only_as_a_salted_scrypt_hash(tmp_path: Path, clock: FakeClock) -> None:
    db, session = _session(tmp_path / "a.sqlite3", clock)
    assert session.needs_setup and not session.unlocked
    session.set_first_pin(PIN)
    assert session.unlocked
    stored = {k: v for k, v in db.execute("SELECT key, value FROM settings")}
    assert all(PIN not in v for v in stored.values())
    record = json.loads(stored[KEY_HASH])
    assert record["algo"] == "scrypt" and record["n"] >= 2**14 and len(record["salt"]) == 32
    raw = (tmp_path / "a.sqlite3").read_bytes() + (tmp_path / "a.sqlite3-wal").read_bytes()
    assert PIN.encode() not in raw
    # a second PIN, same text, gets a different salt and hash
    other_db, other = _session(tmp_path / "b.sqlite3", clock)
    other.set_first_pin(PIN)
    other_record = json.loads(
        other_db.execute("SELECT value FROM settings WHERE key = ?", [KEY_HASH]).fetchone()[0]
    )
    assert other_record["salt"] != record["salt"] and other_record["hash"] != record["hash"]
    assert "lead.pin_set" in _actions(db)
    db.close()
    other_db.close()


@pytest.mark.parametrize("bad", ["12345", "", " 123456", "abc"])
def test_short_or_blank_pins_are_refused(tmp_path: Path, clock: FakeClock, bad: str) -> None:
    db, session = _session(tmp_path / "a.sqlite3", clock)
    with pytest.raises(PinError):
        session.set_first_pin(bad)
    assert session.needs_setup
    db.close()


def test_a_password_works_as_well_as_digits(tmp_path: Path, clock: FakeClock) -> None:
    db, session = _session(tmp_path / "a.sqlite3", clock)
    session.set_first_pin("组长 pass-word")
    session.lock()
    assert not session.unlock("wrong one").ok
    assert session.unlock("组长 pass-word").ok and session.unlocked
    db.close()


def test_lockout_after_five_wrong_grows_and_survives_a_restart(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "a.sqlite3"
    db, session = _session(path, clock)
    session.set_first_pin(PIN)
    session.lock()
    for n in range(1, FREE_ATTEMPTS):
        result = session.unlock("000000")
        assert not result.ok and result.attempts_left == FREE_ATTEMPTS - n
    fifth = session.unlock("000000")
    assert fifth.wait_seconds == 30 and "30 秒" in fifth.message
    db.close()

    db, session = _session(path, clock)  # restart: the wait is still there
    clock.advance(10)
    refused = session.unlock(PIN)  # even the right PIN waits
    assert not refused.ok and refused.wait_seconds == 20
    clock.advance(21)
    assert session.unlock("000000").wait_seconds == 60  # the next wrong one waits longer
    db.close()

    db, session = _session(path, clock)
    clock.advance(61)
    assert session.unlock("111111").wait_seconds == 300
    clock.advance(301)
    assert session.unlock(PIN).ok  # the right PIN resets the counters
    session.lock()
    assert session.unlock("000000").attempts_left == FREE_ATTEMPTS - 1
    actions = _actions(db)
    assert actions.count("lead.lockout") == 3
    assert actions.count("lead.pin_failed") == FREE_ATTEMPTS + 3
    db.close()


def test_lead_mode_locks_after_ten_idle_minutes_and_touch_keeps_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    db, session = _session(tmp_path / "a.sqlite3", clock)
    session.set_first_pin(PIN)
    clock.advance(minutes=9)
    session.touch()
    clock.advance(minutes=9)
    assert session.unlocked
    clock.advance(minutes=1, seconds=1)
    assert not session.unlocked
    session.touch()  # touching a locked session does not reopen it
    assert not session.unlocked
    db.close()


def test_change_needs_the_old_pin_and_reset_forgets_it(tmp_path: Path, clock: FakeClock) -> None:
    db, session = _session(tmp_path / "a.sqlite3", clock)
    session.set_first_pin(PIN)
    with pytest.raises(PinError):
        session.pin.set_pin("13579111", old_pin="999999")
    session.pin.set_pin("13579111", old_pin=PIN)
    session.lock()
    assert session.unlock("13579111").ok
    assert session.pin.reset(via="cli") is True
    assert session.needs_setup
    assert {"lead.pin_changed", "lead.pin_reset"} <= set(_actions(db))
    db.close()


def test_wait_text() -> None:
    assert format_wait(30) == "30 秒"
    assert format_wait(300) == "5 分钟"
    assert format_wait(90) == "1 分 30 秒"
