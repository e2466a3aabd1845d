"""Which reminders a wrap-up creates: the content pack's rules applied to one finished call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from desktop.core.content.model import ReminderRule
from desktop.core.reminders.model import PlannedReminder
from desktop.core.reminders.office_hours import OfficeHours, next_opening


def rule_applies(rule: ReminderRule, call_type: str, outcome: str) -> bool:
    """An empty call-type or outcome list in a rule means "any"."""
    return (not rule.call_types or call_type in rule.call_types) and (
        not rule.outcomes or outcome in rule.outcomes
    )


def reminders_for_wrap_up(
    rules: Sequence[ReminderRule],
    call_type: str,
    outcome: str,
    wrapped_at: datetime,
    promised_at: datetime | None,
    office_hours: OfficeHours,
    tz: tzinfo,
) -> list[PlannedReminder]:
    """Reminders the rules ask for, in due order.

    A callback rule needs a time promised to the customer and keeps it as promised (plus the
    rule's offset), even outside office hours; without a promise it plans nothing. Every other
    rule counts from the wrap-up and, when the rule says so, moves into office hours.
    """
    planned: list[PlannedReminder] = []
    for rule in rules:
        if not rule_applies(rule, call_type, outcome):
            continue
        offset = timedelta(minutes=rule.offset_minutes)
        if rule.kind == "callback":
            if promised_at is None:
                continue
            due = promised_at + offset
        else:
            due = wrapped_at + offset
            if rule.office_hours:
                due = next_opening(due, office_hours, tz)
        planned.append(
            PlannedReminder(
                rule_key=rule.key,
                kind=rule.kind,
                due_at=due,
                note=rule.message or rule.label,
                repeat_minutes=max(0, rule.repeat_minutes),
                shift_office_hours=rule.office_hours,
            )
        )
    return sorted(planned, key=lambda p: p.due_at)


def next_repeat(
    committed_at: datetime,
    repeat_minutes: int,
    shift: bool,
    office_hours: OfficeHours,
    tz: tzinfo,
    now: datetime | None = None,
) -> datetime:
    """When the next repeat of a repeating reminder (progress updates) falls due.

    It counts from the committed time of the one just done (its target_at), not from when
    it was marked done, so "every 24 hours" keeps its rhythm however late an update is
    ticked off. Repeats that would already be past at `now` are skipped: the next one is
    the first of the rhythm still ahead.
    """
    step = timedelta(minutes=max(1, repeat_minutes))
    due = committed_at + step
    if now is not None and due <= now:
        due += step * ((now - due) // step + 1)
    return next_opening(due, office_hours, tz) if shift else due
