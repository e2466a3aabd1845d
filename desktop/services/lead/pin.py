"""The lead PIN: it keeps agents out of the lead's views. It is not encryption of the file.

Stored only as a salted `hashlib.scrypt` hash with its parameters (settings `lead_pin`, JSON).
Wrong attempts are counted in settings too, so a restart does not reset them: after
`FREE_ATTEMPTS` wrong ones each further wrong one starts a growing wait (30 s, 1 min, 5 min,
15 min, 30 min, then 1 h). An unlocked session locks itself after `IDLE_LIMIT` without use.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from db import transaction
from db.database import Database
from desktop.core.clock import Clock, parse_iso, to_iso
from desktop.services.audit import AuditLog

KEY_HASH = "lead_pin"
KEY_FAILURES = "lead_pin_failures"
KEY_LOCKOUTS = "lead_pin_lockouts"
KEY_LOCKED_UNTIL = "lead_pin_locked_until"

FREE_ATTEMPTS = 5
WAITS = (30, 60, 300, 900, 1800, 3600)  # seconds, one more step per lock-out
IDLE_LIMIT = timedelta(minutes=10)
MIN_LENGTH = 6

# scrypt cost: ~50 ms on a desk machine, 16 MB of memory; stored with the hash so it can grow.
SCRYPT_N, SCRYPT_R, SCRYPT_P, DKLEN = 2**14, 8, 1, 32


class PinError(ValueError):
    """A PIN that cannot be set (too short, blank); the message is for the user."""


def check_new_pin(pin: str) -> None:
    if pin != pin.strip() or not pin:
        raise PinError("PIN 不能为空，首尾不能有空格")
    if len(pin) < MIN_LENGTH:
        raise PinError(f"PIN 至少 {MIN_LENGTH} 位（数字或密码）")


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=DKLEN, maxmem=2**26)
    return json.dumps(
        {"algo": "scrypt", "n": n, "r": r, "p": p, "salt": salt.hex(), "hash": digest.hex()}
    )


def verify_pin(pin: str, stored: str) -> bool:
    record = json.loads(stored)
    if record.get("algo") != "scrypt":
        return False
    expected = bytes.fromhex(record["hash"])
    digest = hashlib.scrypt(
        pin.encode(),
        salt=bytes.fromhex(record["salt"]),
        n=int(record["n"]),
        r=int(record["r"]),
        p=int(record["p"]),
        dklen=len(expected),
        maxmem=2**26,
    )
    return hmac.compare_digest(digest, expected)


@dataclass(frozen=True, slots=True)
class UnlockResult:
    ok: bool
    wait_seconds: int = 0  # > 0: locked out, try again after this long
    attempts_left: int = 0  # wrong attempts left before the next lock-out

    @property
    def message(self) -> str:
        if self.ok:
            return ""
        if self.wait_seconds:
            return f"尝试次数过多，请在 {format_wait(self.wait_seconds)} 后重试"
        return f"PIN 错误，还可尝试 {self.attempts_left} 次"


def format_wait(seconds: int) -> str:
    if seconds >= 3600:
        return f"{seconds // 3600} 小时 {seconds % 3600 // 60} 分钟"
    if seconds >= 60:
        return f"{seconds // 60} 分 {seconds % 60} 秒" if seconds % 60 else f"{seconds // 60} 分钟"
    return f"{seconds} 秒"


class LeadPin:
    """The stored PIN and its failure counters (all in the settings table)."""

    def __init__(self, db: Database, clock: Clock, audit: AuditLog) -> None:
        self._db = db
        self._clock = clock
        self._audit = audit

    def _get(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def _put(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    @property
    def is_set(self) -> bool:
        return bool(self._get(KEY_HASH))

    def wait_seconds(self) -> int:
        """Seconds until a PIN may be tried again (0 = now)."""
        until = self._get(KEY_LOCKED_UNTIL)
        if not until:
            return 0
        left = (parse_iso(until) - self._clock.now()).total_seconds()
        return max(0, int(left + 0.999))

    def set_pin(self, new_pin: str, old_pin: str | None = None) -> None:
        """First use (no PIN yet) or a change, which needs the old PIN."""
        check_new_pin(new_pin)
        stored = self._get(KEY_HASH)
        if stored and (old_pin is None or not verify_pin(old_pin, stored)):
            raise PinError("原 PIN 不正确")
        record = hash_pin(new_pin)
        with transaction(self._db):
            self._put(KEY_HASH, record)
            self._reset_counters()
            self._audit.record("lead.pin_changed" if stored else "lead.pin_set", "lead", "pin")

    def reset(self, via: str = "cli") -> bool:
        """Forget the PIN (the next use sets a new one); True when one was set."""
        with transaction(self._db):
            had = self.is_set
            self._db.execute(
                "DELETE FROM settings WHERE key IN (?, ?, ?, ?)",
                [KEY_HASH, KEY_FAILURES, KEY_LOCKOUTS, KEY_LOCKED_UNTIL],
            )
            self._audit.record("lead.pin_reset", "lead", "pin", via=via, had_pin=had)
        return had

    def try_pin(self, pin: str) -> UnlockResult:
        """Check a PIN, counting a wrong one; refused without checking while locked out."""
        wait = self.wait_seconds()
        if wait:
            return UnlockResult(False, wait_seconds=wait)
        return self.record_attempt(self.matches(pin))

    def stored_hash(self) -> str | None:
        return self._get(KEY_HASH)

    def matches(self, pin: str, stored: str | None = None) -> bool:
        """Only the (slow, ~50 ms) hash check: no database access when `stored` is given, so
        the UI runs it on a worker and records the attempt back on the GUI thread."""
        stored = stored if stored is not None else self._get(KEY_HASH)
        return bool(stored) and verify_pin(pin, stored or "")

    def record_attempt(self, ok: bool) -> UnlockResult:
        """Count the outcome of a check (one transaction with its audit row)."""
        wait = self.wait_seconds()
        if wait:
            return UnlockResult(False, wait_seconds=wait)
        if not self.is_set:
            return UnlockResult(False, attempts_left=FREE_ATTEMPTS)
        if ok:
            with transaction(self._db):
                self._reset_counters()
                self._audit.record("lead.unlock", "lead", "pin")
            return UnlockResult(True)
        with transaction(self._db):
            failures = int(self._get(KEY_FAILURES) or 0) + 1
            self._put(KEY_FAILURES, str(failures))
            self._audit.record("lead.pin_failed", "lead", "pin", failures=failures)
            if failures < FREE_ATTEMPTS:
                return UnlockResult(False, attempts_left=FREE_ATTEMPTS - failures)
            lockouts = int(self._get(KEY_LOCKOUTS) or 0)
            wait = WAITS[min(lockouts, len(WAITS) - 1)]
            until = self._clock.now() + timedelta(seconds=wait)
            self._put(KEY_LOCKOUTS, str(lockouts + 1))
            self._put(KEY_LOCKED_UNTIL, to_iso(until))
            self._audit.record("lead.lockout", "lead", "pin", failures=failures, wait_seconds=wait)
        return UnlockResult(False, wait_seconds=wait)

    def _reset_counters(self) -> None:
        self._db.execute(
            "DELETE FROM settings WHERE key IN (?, ?, ?)",
            [KEY_FAILURES, KEY_LOCKOUTS, KEY_LOCKED_UNTIL],
        )


class LeadSession:
    """Whether lead mode is open now. Any lead action calls `touch()`; 10 minutes without one
    and `unlocked` is False again."""

    def __init__(self, pin: LeadPin, clock: Clock, idle_limit: timedelta = IDLE_LIMIT) -> None:
        self.pin = pin
        self._clock = clock
        self._idle_limit = idle_limit
        self._last_use: datetime | None = None
        self._lock = threading.Lock()

    @property
    def unlocked(self) -> bool:
        with self._lock:
            if self._last_use is None:
                return False
            if self._clock.now() - self._last_use >= self._idle_limit:
                self._last_use = None
                return False
            return True

    @property
    def needs_setup(self) -> bool:
        return not self.pin.is_set

    def unlock(self, pin: str) -> UnlockResult:
        return self.finish_unlock(self.pin.try_pin(pin))

    def apply_check(self, ok: bool) -> UnlockResult:
        """Record a hash check done elsewhere (a worker) and open lead mode if it matched."""
        return self.finish_unlock(self.pin.record_attempt(ok))

    def finish_unlock(self, result: UnlockResult) -> UnlockResult:
        if result.ok:
            with self._lock:
                self._last_use = self._clock.now()
        return result

    def set_first_pin(self, pin: str) -> None:
        """First use: the new PIN also opens lead mode."""
        if self.pin.is_set:
            raise PinError("PIN 已设置")
        self.pin.set_pin(pin)
        with self._lock:
            self._last_use = self._clock.now()

    def lock(self) -> None:
        with self._lock:
            self._last_use = None

    def touch(self) -> None:
        """A lead action happened: the idle timer starts again (only while unlocked)."""
        if self.unlocked:
            with self._lock:
                self._last_use = self._clock.now()
