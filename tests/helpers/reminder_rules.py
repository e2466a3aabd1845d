"""The reminder rules the reminder tests share: the timing rules from the domain notes, fixed
here so the tests do not move when the content pack is edited."""

from __future__ import annotations

from desktop.core.content.model import ReminderRule

RULES = (
    ReminderRule("callback_promised", "callback", "约定回电", (), (), 0, office_hours=False),
    ReminderRule(
        "complaint_first",
        "first_response",
        "首次响应",
        ("complaint",),
        ("follow_up", "transferred"),
        15,
    ),
    ReminderRule(
        "complaint_progress",
        "progress",
        "进度",
        ("complaint",),
        ("follow_up", "transferred"),
        1440,
        1440,
    ),
    ReminderRule(
        "complaint_revisit",
        "revisit",
        "回访",
        ("complaint",),
        ("resolved",),
        4320,
        message="三天后回访",
    ),
)
