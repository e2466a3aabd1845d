"""Agent databases with real calls made through the real CallService, for the lead tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlite_utils

from db import open_db
from desktop.core.calendar import AgentCalendar
from desktop.core.clock import FakeClock
from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.services.audit import AuditLog
from desktop.services.calls import CallService
from desktop.services.reminders import ReminderService
from desktop.services.script_usage import ScriptUsage
from desktop.services.settings import SettingsStore

PACK = load_pack(bundled_pack_dir())
CALENDAR = AgentCalendar("Asia/Shanghai")


@dataclass
class AgentDb:
    path: Path
    db: sqlite_utils.Database
    clock: FakeClock
    audit: AuditLog
    calls: CallService
    agent: str

    def reminders_for(self, call_id: str) -> str:
        """A callback reminder for `call_id`, due in an hour, through the real service."""
        service = ReminderService(
            self.db, self.clock, self.audit, SettingsStore(self.db), lambda: ()
        )
        due = self.clock.now() + timedelta(hours=1)
        return service.create_manual(call_id, "callback", due, note="回电").id

    def close(self) -> None:
        self.db.close()

    def call(
        self,
        phone: str = "13800138000",
        intent: str = "inquiry",
        notes: str = "",
        *,
        talk_s: int = 60,
        ticks: bool = True,
    ) -> str:
        """One finished call (answered, classified, ticked, noted, wrapped up)."""
        call = self.calls.start_call(phone, "张伟", ringing=True, source="hook")
        self.clock.advance(5)
        self.calls.answer(call.id)
        self.calls.set_intent(call.id, intent)
        if ticks:
            for step in PACK.steps(intent):
                self.calls.tick(call.id, step.key)
        ScriptUsage(self.db, self.clock, lambda: self.agent).mark_used(call.id, PACK.scripts[0].id)
        if notes:
            self.calls.save_notes(call.id, notes)
        self.clock.advance(talk_s)
        self.calls.end(call.id)
        self.clock.advance(20)
        self.calls.wrap_up(call.id, "resolved", skip_reason="" if ticks else "客户挂断")
        self.clock.advance(60)
        return call.id


def agent_db(folder: Path, agent: str, clock: FakeClock | None = None, name: str = "") -> AgentDb:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "callassist.sqlite3"
    db = open_db(path)
    db["settings"].upsert_all(
        [{"key": "agent_id", "value": agent}, {"key": "agent_name", "value": name or agent}],
        pk="key",
    )
    clock = clock or FakeClock("2026-03-02T01:00:00Z")
    audit = AuditLog(db, clock, actor=agent)
    calls = CallService(db, clock, audit, lambda: PACK, agent=lambda: agent)
    return AgentDb(path, db, clock, audit, calls, agent)
