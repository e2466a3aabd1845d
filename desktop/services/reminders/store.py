"""The reminders table: reading (lists, counts, stats) and the row helpers the other parts
use inside their transactions. Times convert through the agent's calendar."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from db import Database
from desktop.core.calendar import AgentCalendar
from desktop.core.clock import Clock, parse_iso, to_iso
from desktop.core.content.model import REMINDER_KINDS
from desktop.core.reminders import (
    ARMED_STATUSES,
    OPEN_STATUSES,
    KeptStats,
    OfficeHours,
    Reminder,
    ReminderListing,
    ReminderNotFound,
    ReminderStateError,
    classify,
    count_kept,
    quick_pick_due,
)
from desktop.services.settings import SettingsStore

log = logging.getLogger(__name__)

NOTE_LIMIT = 500  # characters kept for a reminder's note or result
CASE_CLOSED_REASON = "案件已解决"
# Kinds that exist only while a case is open; resolving the case cancels them.
CASE_KINDS = ("first_response", "progress")

_OPEN = ",".join(f"'{s}'" for s in OPEN_STATUSES)
_ARMED = ",".join(f"'{s}'" for s in ARMED_STATUSES)
# This database's own reminders: those merged in from other agents' log bundles (migration 5,
# `agent` set) are kept for the lead's statistics and never fire or list here.
_OWN = "agent = ''"
_SELECT = """
    SELECT r.id, r.kind, r.status, r.due_at, r.target_at, r.created_at, r.call_id, r.case_id,
           COALESCE(NULLIF(r.phone, ''), c.phone, ''),
           COALESCE(NULLIF(r.customer_name, ''), NULLIF(cu.name, ''), c.caller_name, ''),
           r.note, r.rule_key, r.fired_at, r.done_at, COALESCE(r.result, ''), r.repeat_minutes,
           r.callback_call_id, r.callback_at, COALESCE(substr(c.notes, 1, 120), '')
    FROM reminders r
    LEFT JOIN calls c ON c.id = r.call_id
    LEFT JOIN customers cu ON cu.id = c.customer_id
"""


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _dt(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None


def _to_reminder(row: Sequence[Any]) -> Reminder:
    return Reminder(
        id=row[0],
        kind=row[1],
        status=row[2],
        due_at=parse_iso(row[3]),
        target_at=parse_iso(row[4]),
        created_at=parse_iso(row[5]),
        call_id=row[6],
        case_id=row[7],
        phone=row[8],
        customer_name=row[9],
        note=row[10],
        rule_key=row[11],
        fired_at=_dt(row[12]),
        done_at=_dt(row[13]),
        result=row[14],
        repeat_minutes=row[15],
        callback_call_id=row[16],
        callback_at=_dt(row[17]),
        call_notes=row[18],
    )


class ReminderStore:
    """Reads reminders and holds the row helpers; writes only inside callers' transactions."""

    def __init__(self, db: Database, clock: Clock, settings_store: SettingsStore) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings_store

    def calendar(self) -> AgentCalendar:
        return self._settings.calendar()

    def timezone(self) -> tzinfo:
        """The agent's local zone (settings), for showing and picking times."""
        return self._settings.calendar().zone

    def office_hours(self) -> OfficeHours:
        return self._settings.calendar().office_hours

    def grace(self) -> timedelta:
        return self._settings.calendar().grace

    def quick_pick_due(self, pick: str, custom: datetime | None = None) -> datetime:
        """A quick pick ("15m", "2h", "tomorrow", "custom") as a UTC due time; a naive
        `custom` is local wall time in the agent's zone."""
        return quick_pick_due(pick, self._clock.now(), self.office_hours(), self.timezone(), custom)

    def get(self, reminder_id: str) -> Reminder:
        row = self._db.execute(_SELECT + " WHERE r.id = ?", [reminder_id]).fetchone()
        if row is None:
            raise ReminderNotFound("找不到该提醒，可能已被删除。")
        return _to_reminder(row)

    def query(self, where: str, params: Sequence[Any]) -> list[Reminder]:
        return [_to_reminder(r) for r in self._db.execute(_SELECT + where, params).fetchall()]

    def due_now(self) -> list[Reminder]:
        """Open reminders whose time has come (shown or not), earliest first."""
        now = to_iso(self._clock.now())
        return self.query(
            f" WHERE r.{_OWN} AND r.status IN ({_OPEN}) AND r.due_at <= ? ORDER BY r.due_at", [now]
        )

    def next_due_at(self) -> datetime | None:
        """The earliest due time not shown yet (possibly in the past), or None."""
        row = self._db.execute(
            f"SELECT MIN(due_at) FROM reminders WHERE {_OWN} AND fired_at IS NULL "
            f"AND status IN ({_ARMED})"
        ).fetchone()
        return _dt(row[0])

    def list_view(self, upcoming_limit: int = 200) -> ReminderListing:
        """Open reminders grouped for the list; every due or overdue one, and the first
        `upcoming_limit` upcoming ones (the rest are only counted)."""
        now = self._clock.now()
        now_iso, grace = to_iso(now), self.grace()
        past = self.query(
            f" WHERE r.{_OWN} AND r.status IN ({_OPEN}) AND r.due_at <= ? "
            "ORDER BY r.due_at, r.created_at",
            [now_iso],
        )
        # the first `upcoming_limit` picked from the bare table, then joined: joining all
        # the open reminders before the LIMIT took most of the listing's time at 10,000
        upcoming = self.query(
            " WHERE r.rowid IN (SELECT rowid FROM reminders "
            f"WHERE {_OWN} AND status IN ({_OPEN}) AND due_at > ? "
            "ORDER BY due_at, created_at LIMIT ?) ORDER BY r.due_at, r.created_at",
            [now_iso, upcoming_limit],
        )
        total_upcoming = self._db.execute(
            f"SELECT count(*) FROM reminders WHERE {_OWN} AND status IN ({_OPEN}) AND due_at > ?",
            [now_iso],
        ).fetchone()[0]
        overdue = tuple(r for r in past if classify(r.due_at, now, grace) == "overdue")
        due = tuple(r for r in past if classify(r.due_at, now, grace) == "due")
        return ReminderListing(now, overdue, due, tuple(upcoming), total_upcoming - len(upcoming))

    def callback_kept_stats(
        self, since: datetime, until: datetime, kinds: Sequence[str] = REMINDER_KINDS
    ) -> KeptStats:
        """Kept / late / missed / pending among reminders whose committed time falls in
        [since, until); cancelled ones do not count. Feeds the team lead's statistics."""
        marks = ",".join("?" for _ in kinds)
        rows = self._db.execute(
            "SELECT target_at, callback_at FROM reminders WHERE status != 'cancelled' "
            f"AND target_at >= ? AND target_at < ? AND kind IN ({marks})",
            [to_iso(since), to_iso(until), *kinds],
        ).fetchall()
        return count_kept(
            ((parse_iso(t), _dt(c)) for t, c in rows), self.grace(), self._clock.now()
        )

    def row(self, reminder_id: str) -> dict[str, Any]:
        rows = _dicts(self._db.execute("SELECT * FROM reminders WHERE id = ?", [reminder_id]))
        if not rows:
            raise ReminderNotFound("找不到该提醒，可能已被删除。")
        return rows[0]

    def open_row(self, reminder_id: str) -> dict[str, Any]:
        row = self.row(reminder_id)
        if row["status"] not in OPEN_STATUSES:
            word = "已完成" if row["status"] == "done" else "已取消"
            raise ReminderStateError(f"该提醒{word}，不能再操作。")
        return row

    def set(self, reminder_id: str, **columns: Any) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self._db.execute(
            f"UPDATE reminders SET {assignments} WHERE id = ?", [*columns.values(), reminder_id]
        )

    def insert(
        self,
        reminder_id: str,
        *,
        call_id: str | None,
        case_id: str,
        call_type: str,
        phone: str,
        customer_name: str,
        kind: str,
        rule_key: str,
        due: datetime,
        note: str,
        now: datetime,
        repeat_minutes: int = 0,
        shift: bool = False,
    ) -> None:
        due_iso = to_iso(due)
        self._db.execute(
            "INSERT INTO reminders (id, call_id, case_id, call_type, phone, customer_name, kind, "
            "rule_key, due_at, target_at, status, created_at, note, repeat_minutes, "
            "shift_office_hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
            [
                reminder_id,
                call_id,
                case_id,
                call_type,
                phone,
                customer_name,
                kind,
                rule_key,
                due_iso,
                due_iso,
                to_iso(now),
                note,
                repeat_minutes,
                int(shift),
            ],
        )

    def call_contact(self, call_id: str | None) -> tuple[str, str] | None:
        """(phone, customer name) of a stored call, or None if there is no such call."""
        row = self._db.execute(
            "SELECT c.phone, COALESCE(NULLIF(cu.name, ''), c.caller_name, '') FROM calls c "
            "LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?",
            [call_id],
        ).fetchone()
        return (row[0] or "", row[1] or "") if row else None

    def case_contact(self, case_id: str) -> tuple[str, str]:
        row = self._db.execute(
            "SELECT phone, customer_name FROM reminders WHERE case_id = ? "
            "ORDER BY created_at LIMIT 1",
            [case_id],
        ).fetchone()
        return (row[0], row[1]) if row else ("", "")

    def linked(self, call_id: str) -> list[dict[str, Any]]:
        """Reminders this call was made for: linked by `link_callback` or by the call's
        own `reminder_id`."""
        return _dicts(
            self._db.execute(
                "SELECT * FROM reminders WHERE callback_call_id = ? "
                "OR id = (SELECT reminder_id FROM calls WHERE id = ?) ORDER BY created_at",
                [call_id, call_id],
            )
        )

    def case_of(self, call_id: str) -> str:
        """The case a call belongs to: that of the reminder it was made for, else its own.
        A call made for a revisit starts a new case (the problem came back)."""
        linked = self.linked(call_id)
        if linked and linked[0]["kind"] != "revisit" and linked[0]["case_id"]:
            return str(linked[0]["case_id"])
        return call_id

    def case_call_type(self, case_id: str) -> str:
        row = self._db.execute(
            "SELECT call_type FROM reminders WHERE case_id = ? AND call_type != '' "
            "ORDER BY created_at LIMIT 1",
            [case_id],
        ).fetchone()
        if row:
            return str(row[0])
        call = self._db.execute("SELECT intent FROM calls WHERE id = ?", [case_id]).fetchone()
        return str(call[0] or "") if call else ""
