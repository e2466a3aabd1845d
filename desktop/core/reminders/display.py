"""How reminders read to the agent: kind labels and due times, local and relative."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, tzinfo

KIND_LABELS: dict[str, str] = {
    "callback": "回电",
    "first_response": "首次响应",
    "progress": "进度",
    "revisit": "回访",
}

BUCKET_LABELS: dict[str, str] = {"overdue": "已逾期", "due": "到期", "upcoming": "即将"}


def _span(delta: timedelta, round_up: bool) -> str:
    seconds = delta.total_seconds()
    minutes = math.ceil(seconds / 60) if round_up else int(seconds // 60)
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} 小时 {minutes} 分钟" if minutes else f"{hours} 小时"
    return f"{hours // 24} 天"


def relative_text(due_at: datetime, now: datetime) -> str:
    """Like "15 分钟后", "现在" or "逾期 5 分钟", at minute precision."""
    delta = due_at - now
    if abs(delta) < timedelta(minutes=1):
        return "现在"
    if delta > timedelta(0):
        return f"{_span(delta, round_up=True)}后"  # 14:59 to go reads "15 分钟后"
    return f"逾期 {_span(-delta, round_up=False)}"


def local_time_text(due_at: datetime, now: datetime, tz: tzinfo) -> str:
    """Like "今天 09:15", "明天 09:00" or "03-05 09:00"; with the year when it differs."""
    local, today = due_at.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return f"今天 {clock}"
    if days == 1:
        return f"明天 {clock}"
    if days == -1:
        return f"昨天 {clock}"
    if local.year == today.year:
        return local.strftime("%m-%d ") + clock
    return local.strftime("%Y-%m-%d ") + clock
