"""The read model behind the workspace: everything the screen shows for a call, in one read.

`CallScreenReader.screen()` returns the call, its ticks, the missing required steps, the
open calls and (for a new caller on screen) the caller's history, so the controller renders
from one snapshot instead of asking the services piece by piece.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from db import Database
from desktop.core.calls import Call, OpenCall, missing_required_steps
from desktop.core.content.model import ContentPack
from desktop.core.softphone.numbers import national
from desktop.services.calls import CallService


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    call_id: str
    started_at: str
    intent: str | None
    outcome: str | None
    status: str
    notes_preview: str


@dataclass(frozen=True, slots=True)
class CallerHistory:
    phone: str
    customer_name: str
    calls: tuple[HistoryEntry, ...]
    open_reminders: tuple[dict[str, Any], ...]
    repeat_caller: bool
    open_complaint: bool


NO_HISTORY = CallerHistory("", "", (), (), False, False)


@dataclass(frozen=True, slots=True)
class CallScreen:
    """What the workspace shows: `history` is None when the caller did not change."""

    call: Call | None
    ticked: dict[str, str]
    missing_required: tuple[str, ...]
    open_calls: tuple[OpenCall, ...]
    history: CallerHistory | None


# One statement for the whole screen pop: the number's earlier calls and its open
# reminders, told apart by the first column, plus the stored customer name.
_HISTORY_SQL = """
    SELECT 'call', id, started_at, intent, outcome, status, substr(notes, 1, 80), caller_name,
           NULL, NULL, NULL
    FROM (SELECT * FROM calls WHERE phone = :phone AND id != :exclude
          ORDER BY started_at DESC LIMIT :limit)
    UNION ALL
    SELECT 'reminder', id, due_at, kind, status, NULL, note, NULL, call_id, case_id, NULL
    FROM reminders WHERE phone = :phone AND status IN ('pending', 'fired', 'snoozed')
    UNION ALL
    SELECT 'customer', NULL, NULL, NULL, NULL, NULL, NULL, name, NULL, NULL, NULL
    FROM customers WHERE phone = :phone
"""


class CallScreenReader:
    def __init__(self, db: Database, calls: CallService, pack: Callable[[], ContentPack]) -> None:
        self._db = db
        self._calls = calls
        self._pack = pack

    def caller_history(
        self, phone: str, exclude_call_id: str = "", limit: int = 20
    ) -> CallerHistory:
        """The screen pop: this number's earlier calls and open reminders, newest first."""
        phone = national(phone)
        if not phone:
            return NO_HISTORY
        rows = self._db.execute(
            _HISTORY_SQL, {"phone": phone, "exclude": exclude_call_id, "limit": limit}
        ).fetchall()
        entries = tuple(
            HistoryEntry(r[1], r[2], r[3], r[4], r[5], r[6] or "") for r in rows if r[0] == "call"
        )
        reminders = tuple(
            sorted(
                (
                    {
                        "id": r[1],
                        "due_at": r[2],
                        "kind": r[3],
                        "status": r[4],
                        "note": r[6] or "",
                        "call_id": r[8],
                        "case_id": r[9],
                        "phone": phone,
                    }
                    for r in rows
                    if r[0] == "reminder"
                ),
                key=lambda r: r["due_at"],
            )
        )
        stored = next((r[7] for r in rows if r[0] == "customer"), "") or ""
        name = stored or next((r[7] for r in rows if r[0] == "call" and r[7]), "")
        open_complaint = any(
            e.intent == "complaint" and (e.outcome in (None, "follow_up", "transferred"))
            for e in entries
        )
        return CallerHistory(phone, name, entries, reminders, len(entries) >= 1, open_complaint)

    def screen(self, call: Call | None, *, with_history: bool) -> CallScreen:
        """The snapshot for `call` (already read by the caller): ticks, missing steps, open
        calls, and the history when asked (a different caller came on screen)."""
        open_calls = tuple(self._calls.open_call_list())
        if call is None:
            return CallScreen(None, {}, (), open_calls, None if not with_history else NO_HISTORY)
        ticked = self._calls.ticked_steps(call.id) if call.intent else {}
        missing = tuple(missing_required_steps(self._pack(), call.intent, set(ticked)))
        history = self.caller_history(call.phone, call.id) if with_history else None
        return CallScreen(call, ticked, missing, open_calls, history)
