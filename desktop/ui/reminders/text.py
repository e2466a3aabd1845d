"""How a reminder reads in the list, the alert and the tray: one wording everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from desktop.core.privacy import mask_number
from desktop.core.reminders import KIND_LABELS, Reminder, local_time_text, relative_text
from desktop.services.settings import Settings


def phone_text(phone: str, settings: Settings) -> str:
    return mask_number(phone) if settings.mask_numbers else phone


def who_text(reminder: Reminder, settings: Settings) -> str:
    """Like "张三 138****8000"; whichever of the two is known."""
    parts = [reminder.customer_name, phone_text(reminder.phone, settings)]
    return " ".join(p for p in parts if p) or "（未留联系方式）"


def due_text(reminder: Reminder, now: datetime, tz: tzinfo) -> str:
    """Like "今天 09:15（15 分钟后）"."""
    return f"{local_time_text(reminder.due_at, now, tz)}（{relative_text(reminder.due_at, now)}）"


def kind_text(reminder: Reminder) -> str:
    return KIND_LABELS.get(reminder.kind, reminder.kind)


def notification_text(
    reminders: Sequence[Reminder], now: datetime, tz: tzinfo, settings: Settings
) -> tuple[str, str]:
    """Title and body for one tray message about the reminders that just fired."""
    if len(reminders) == 1:
        (r,) = reminders
        body = f"{who_text(r, settings)}\n{due_text(r, now, tz)}"
        return f"{kind_text(r)}提醒", body + (f"\n{r.note}" if r.note else "")
    late = sum(1 for r in reminders if r.due_at < now)
    first = "、".join(f"{kind_text(r)} {who_text(r, settings)}" for r in reminders[:3])
    more = "等" if len(reminders) > 3 else ""
    return f"{len(reminders)} 条提醒到期", f"{first}{more}" + (
        f"\n其中 {late} 条已逾期" if late else ""
    )
