"""Retention (PIPL: keep personal data no longer than needed): notes older than "keep notes N
days" are cleared, and with "keep calls N days" whole calls older than that are deleted with
their intents, ticks and script uses (reminders keep working from their own phone and name).
The notes index follows. A dry run counts without changing anything; each purge writes one
audit row. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from db import transaction
from db.database import Database
from db.row_version import TOUCH
from desktop.core.clock import Clock, to_iso
from desktop.core.progress import Progress
from desktop.services.audit import AuditLog

KEY_NOTES_DAYS = "keep_notes_days"
KEY_CALLS_DAYS = "keep_calls_days"
CHILD_TABLES = ("call_intents", "checklist_ticks", "script_uses")


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    notes_days: int = 0  # 0 = keep notes forever
    calls_days: int = 0  # 0 = keep calls forever

    @property
    def active(self) -> bool:
        return self.notes_days > 0 or self.calls_days > 0


@dataclass(frozen=True, slots=True)
class PurgeResult:
    calls: int  # calls deleted (or that would be)
    notes: int  # notes cleared on calls that stay (or that would be)
    dry_run: bool

    @property
    def message(self) -> str:
        verb = "将删除" if self.dry_run else "已删除"
        return f"{verb} {self.calls} 条通话记录，{'将清除' if self.dry_run else '已清除'} {self.notes} 条备注"


def load_policy(db: Database) -> RetentionPolicy:
    values = {
        k: v
        for k, v in db.execute(
            "SELECT key, value FROM settings WHERE key IN (?, ?)", [KEY_NOTES_DAYS, KEY_CALLS_DAYS]
        )
    }

    def days(key: str) -> int:
        try:
            return max(0, int(values.get(key) or 0))
        except ValueError:
            return 0

    return RetentionPolicy(days(KEY_NOTES_DAYS), days(KEY_CALLS_DAYS))


def save_policy(db: Database, policy: RetentionPolicy) -> None:
    if policy.notes_days < 0 or policy.calls_days < 0:
        raise ValueError("保留天数不能为负数")
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?), (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [KEY_NOTES_DAYS, str(policy.notes_days), KEY_CALLS_DAYS, str(policy.calls_days)],
    )


def _cutoffs(policy: RetentionPolicy, clock: Clock) -> tuple[str | None, str | None]:
    now = clock.now()
    notes = to_iso(now - timedelta(days=policy.notes_days)) if policy.notes_days else None
    calls = to_iso(now - timedelta(days=policy.calls_days)) if policy.calls_days else None
    return notes, calls


# open calls are never touched: the agent may be typing into them
_CLOSED = "status IN ('completed', 'missed')"


def purge(
    db: Database,
    clock: Clock,
    audit: AuditLog,
    policy: RetentionPolicy | None = None,
    *,
    dry_run: bool = False,
    via: str = "start",
    progress: Progress | None = None,
) -> PurgeResult:
    """One transaction: count, then (unless `dry_run`) clear and delete, with its audit row.
    `progress` hears of each step and may cancel between them (nothing is then changed)."""
    policy = policy or load_policy(db)
    notes_cut, calls_cut = _cutoffs(policy, clock)
    steps = 1 if dry_run else 3

    def step(done: int, text: str) -> None:
        if progress is not None:
            progress.check()
            progress.report(done, steps, text)

    with transaction(db):
        step(0, "统计要清理的记录")
        conn = db.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS purge_calls (rid INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.purge_calls")
        if calls_cut:
            conn.execute(
                f"INSERT INTO temp.purge_calls SELECT rowid FROM calls WHERE {_CLOSED} "
                "AND started_at < ?",
                [calls_cut],
            )
        calls = int(conn.execute("SELECT count(*) FROM temp.purge_calls").fetchone()[0])
        notes = 0
        if notes_cut:
            notes = int(
                conn.execute(
                    f"SELECT count(*) FROM calls WHERE {_CLOSED} AND started_at < ? "
                    "AND notes != '' AND rowid NOT IN (SELECT rid FROM temp.purge_calls)",
                    [notes_cut],
                ).fetchone()[0]
            )
        if not dry_run and (calls or notes):
            step(1, "清除过期备注")
            if notes_cut:
                conn.execute(
                    "DELETE FROM notes_fts WHERE rowid IN (SELECT rowid FROM calls "
                    f"WHERE {_CLOSED} AND started_at < ? AND notes != '')",
                    [notes_cut],
                )
                conn.execute(
                    f"UPDATE calls SET notes = '', {TOUCH} WHERE {_CLOSED} AND started_at < ? "
                    "AND notes != ''",
                    [to_iso(clock.now()), notes_cut],
                )
            step(2, "删除过期通话记录")
            if calls:
                ids = "SELECT id FROM calls WHERE rowid IN (SELECT rid FROM temp.purge_calls)"
                # qa_evaluations are append-only (migration 4) and hold no number or note:
                # they stay, naming a call that is gone
                for table in CHILD_TABLES:
                    conn.execute(f"DELETE FROM {table} WHERE call_id IN ({ids})")
                conn.execute(
                    "DELETE FROM notes_fts WHERE rowid IN (SELECT rid FROM temp.purge_calls)"
                )
                conn.execute("DELETE FROM calls WHERE rowid IN (SELECT rid FROM temp.purge_calls)")
        if not dry_run:
            audit.record(
                "retention.purge",
                "retention",
                "",
                calls=calls,
                notes=notes,
                keep_notes_days=policy.notes_days,
                keep_calls_days=policy.calls_days,
                via=via,
            )
        conn.execute("DELETE FROM temp.purge_calls")
    if progress is not None:
        progress.report(steps, steps, "完成")
    return PurgeResult(calls, notes, dry_run)
