"""The call's life as plain rules: which state may follow which, and what a call row means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from desktop.core.content.model import ContentPack

STATUS_LABELS: dict[str, str] = {
    "ringing": "振铃中",
    "active": "通话中",
    "wrap_up": "话后处理",
    "completed": "已完成",
    "missed": "未接",
}

PRIORITY_LABELS: dict[str, str] = {"urgent": "紧急", "important": "重要", "normal": "一般"}

# The eight domain call types' labels, for places that show stored calls without a pack at
# hand (reports, exports); the pack's own labels win where there is one.
INTENT_LABELS: dict[str, str] = {
    "inquiry": "咨询",
    "complaint": "投诉",
    "help": "求助",
    "order": "订购",
    "booking": "预订",
    "status": "查询",
    "fault": "报障",
    "unrelated": "与服务无关",
}

OUTCOME_LABELS: dict[str, str] = {
    "resolved": "已解决",
    "follow_up": "需跟进",
    "transferred": "已转组长",
    "unrelated": "与服务无关",
    "abandoned": "客户挂断",
}

# Which status may follow which; anything else is refused so a late or duplicate softphone
# event can never push a finished call backwards.
TRANSITIONS: dict[str, frozenset[str]] = {
    "ringing": frozenset({"active", "missed", "wrap_up"}),
    "active": frozenset({"wrap_up"}),
    "wrap_up": frozenset({"completed"}),
    "completed": frozenset(),
    "missed": frozenset(),
}

OPEN_STATUSES: frozenset[str] = frozenset({"ringing", "active", "wrap_up"})


def can_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


@dataclass(frozen=True, slots=True)
class Call:
    id: str
    phone: str
    caller_name: str
    status: str
    started_at: str
    answered_at: str | None
    ended_at: str | None
    completed_at: str | None
    intent: str | None
    priority: str
    outcome: str | None
    notes: str
    skip_reason: str | None
    source: str
    softphone_call_id: str | None
    reminder_id: str | None
    direction: str = "incoming"  # 'outgoing' for callbacks the agent makes

    @classmethod
    def from_row(cls, row: dict) -> Call:
        return cls(**{name: row[name] for name in cls.__slots__ if name in row})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class OpenCall(NamedTuple):
    """What the call bar lists of an unfinished call (a full Call per row made a burst of
    rings slow: every row of every redraw carried the notes and a dozen fields)."""

    id: str
    status: str
    phone: str


def missing_required_steps(pack: ContentPack, intent: str | None, ticked: set[str]) -> list[str]:
    """Required steps of the call's type not ticked yet, in checklist order."""
    if not intent:
        return []
    return [s.key for s in pack.steps(intent) if s.required and s.key not in ticked]
