"""The story of one call, in time order: ring, answer, every intent, each tick and untick,
scripts copied, notes, wrap-up, the reminders it made and what became of them, the calls
that answered them, and the audit trail. Read-only."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from desktop.core.calls import INTENT_LABELS, OUTCOME_LABELS, PRIORITY_LABELS, STATUS_LABELS
from desktop.core.clock import parse_iso
from desktop.core.reminders.timing import kept_status
from desktop.services.review.dialect import SQLITE, Dialect
from desktop.services.review.stats import DEFAULT_GRACE

KIND_LABELS = {
    "callback": "回电",
    "first_response": "首次响应",
    "progress": "进度",
    "revisit": "回访",
}
# Audit actions the timeline already tells from the tables; the rest appear as audit lines.
_TOLD = {
    "call.start",
    "call.intent",
    "checklist.tick",
    "checklist.untick",
    "call.active",
    "call.wrap_up",
    "call.completed",
    "call.missed",
    "reminder.created",
    "reminder.fired",
    "reminder.done",
    "reminder.cancelled",
    "reminder.call_back",
}


class CallNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class StoryEvent:
    at: str  # ISO UTC text
    kind: str  # ring, answer, intent, tick, untick, script, notes, end, wrap_up, reminder, …
    text: str  # Chinese, for the lead
    call_id: str | None = None  # a linked call to open (callbacks)


@dataclass(frozen=True, slots=True)
class Story:
    call: dict[str, Any]
    events: list[StoryEvent]
    audit: list[dict[str, Any]]
    reminders: list[dict[str, Any]]
    other_calls: list[dict[str, Any]] = field(default_factory=list)


def reminder_fate(reminder: dict[str, Any], grace: timedelta, now: datetime) -> str:
    """What became of a reminder, in a few Chinese words."""
    status = reminder["status"]
    target = parse_iso(reminder["target_at"])
    if status == "cancelled":
        return f"已取消：{reminder.get('result') or '未填原因'}"
    if status == "done":
        done = parse_iso(reminder["callback_at"] or reminder["done_at"])
        late = done - (target + grace)
        if late <= timedelta():
            return "已完成（准时）"
        return f"已完成（晚 {_duration(late)}）"
    state = kept_status(target, None, grace, now)
    if state == "missed":
        return "已逾期，尚未处理"
    return {"fired": "已提醒，待处理", "snoozed": "已稍后提醒"}.get(status, "待提醒")


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(1, minutes)} 分钟"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    return f"{hours // 24} 天"


def call_story(
    conn: Any,
    call_id: str,
    *,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
    script_title: Callable[[str], str | None] = lambda _id: None,
    step_label: Callable[[str, str], str | None] = lambda _type, _key: None,
    local_time: Callable[[str], str] = lambda iso: iso,
    dialect: Dialect = SQLITE,
    other_limit: int = 50,
) -> Story:
    """Everything known about one call, oldest first. `script_title` and `step_label` name
    pack items for display (the raw key is shown when the pack no longer has them);
    `local_time` formats a stored time in the agent's zone for texts that quote one."""
    q = lambda sql, params: conn.execute(dialect.sql(sql), params).fetchall()  # noqa: E731
    cols = (
        "id, started_at, answered_at, ended_at, completed_at, intent, priority, status, "
        "outcome, notes, notes_saved_at, skip_reason, agent, source, phone, caller_name, "
        "reminder_id"
    )
    found = q(f"SELECT {cols} FROM calls WHERE id = ?", [call_id])
    if not found:
        raise CallNotFound(call_id)
    call = dict(zip([c.strip() for c in cols.split(",")], found[0], strict=True))
    intent = call["intent"] or ""
    events: list[StoryEvent] = [StoryEvent(call["started_at"], "ring", _ring_text(call))]
    if call["reminder_id"]:
        events.append(
            StoryEvent(call["started_at"], "ring", "这是为一条提醒拨出的回电", call["reminder_id"])
        )
    if call["answered_at"]:
        events.append(StoryEvent(call["answered_at"], "answer", "接通"))
    for chosen, at in q(
        f"SELECT intent, set_at FROM call_intents WHERE call_id = ? "
        f"ORDER BY set_at, {dialect.event_key}",
        [call_id],
    ):
        events.append(StoryEvent(at, "intent", f"选择类型：{INTENT_LABELS.get(chosen, chosen)}"))
    for step, ticked, unticked in q(
        "SELECT step_key, ticked_at, unticked_at FROM checklist_ticks WHERE call_id = ? "
        "ORDER BY ticked_at",
        [call_id],
    ):
        label = step_label(intent, step) or step
        events.append(StoryEvent(ticked, "tick", f"勾选：{label}"))
        if unticked:
            events.append(StoryEvent(unticked, "untick", f"取消勾选：{label}"))
    for script_id, used in q(
        "SELECT script_id, used_at FROM script_uses WHERE call_id = ? ORDER BY used_at", [call_id]
    ):
        events.append(
            StoryEvent(used, "script", f"复制话术：{script_title(script_id) or script_id}")
        )
    if call["ended_at"]:
        events.append(StoryEvent(call["ended_at"], "end", "挂断"))
    if call["notes"]:
        at = call["notes_saved_at"] or call["ended_at"] or call["started_at"]
        events.append(StoryEvent(at, "notes", f"记录：{call['notes']}"))
    if call["completed_at"]:
        text = f"结案：{OUTCOME_LABELS.get(call['outcome'] or '', call['outcome'] or '未选结果')}"
        if call["skip_reason"]:
            text += f"；跳过必做步骤的原因：{call['skip_reason']}"
        events.append(StoryEvent(call["completed_at"], "wrap_up", text))
    elif call["status"] == "missed":
        events.append(StoryEvent(call["ended_at"] or call["started_at"], "missed", "未接"))

    reminder_cols = (
        "id, kind, status, due_at, target_at, created_at, fired_at, done_at, note, result, "
        "callback_call_id, callback_at, case_id"
    )
    reminders = [
        dict(zip([c.strip() for c in reminder_cols.split(",")], row, strict=True))
        for row in q(
            f"SELECT {reminder_cols} FROM reminders WHERE call_id = ? ORDER BY created_at",
            [call_id],
        )
    ]
    answered_by: dict[str, list[tuple[str, str, str | None]]] = {}
    if reminders:
        ids = [r["id"] for r in reminders]
        marks = ", ".join("?" for _ in ids)
        for rid, cid, started, outcome in q(
            "SELECT reminder_id, id, started_at, outcome FROM calls "
            f"WHERE reminder_id IN ({marks}) ORDER BY started_at",
            ids,
        ):
            answered_by.setdefault(rid, []).append((cid, started, outcome))
    for r in reminders:
        kind = KIND_LABELS.get(r["kind"], r["kind"])
        r["fate"] = reminder_fate(r, grace, now)
        r["kind_label"] = kind
        events.append(
            StoryEvent(
                r["created_at"], "reminder", f"生成{kind}提醒（约定 {local_time(r['target_at'])}）"
            )
        )
        if r["fired_at"]:
            events.append(StoryEvent(r["fired_at"], "reminder", f"{kind}提醒已弹出"))
        linked = answered_by.get(r["id"], [])
        if r["callback_call_id"] and all(c[0] != r["callback_call_id"] for c in linked):
            linked.append((r["callback_call_id"], r["callback_at"] or r["created_at"], None))
        for cid, started, outcome in linked:
            text = f"为{kind}提醒回电"
            if outcome:
                text += f"：{OUTCOME_LABELS.get(outcome, outcome)}"
            events.append(StoryEvent(started, "callback", text, cid))
        if r["done_at"]:
            events.append(StoryEvent(r["done_at"], "reminder", f"{kind}提醒{r['fate']}"))
        elif r["status"] != "cancelled":
            events.append(StoryEvent(r["due_at"], "reminder", f"{kind}提醒：{r['fate']}"))

    audit = _audit(q, call_id, [r["id"] for r in reminders], dialect.event_key)
    for entry in audit:
        if entry["action"] not in _TOLD:
            events.append(StoryEvent(entry["at"], "audit", _audit_text(entry)))
    events.sort(key=lambda e: e.at or "")
    others = []
    if call["phone"]:
        others = [
            dict(
                zip(("id", "started_at", "intent", "outcome", "status", "agent"), row, strict=True)
            )
            for row in q(
                "SELECT id, started_at, intent, outcome, status, agent FROM calls "
                "WHERE phone = ? AND id <> ? ORDER BY started_at DESC LIMIT ?",
                [call["phone"], call_id, other_limit],
            )
        ]
    return Story(call, events, audit, reminders, others)


def _ring_text(call: dict[str, Any]) -> str:
    source = {"manual": "手动新建", "reminder": "提醒回电"}.get(call["source"] or "", "来电")
    priority = PRIORITY_LABELS.get(call["priority"] or "normal", "")
    status = STATUS_LABELS.get(call["status"], call["status"])
    return f"{source}（坐席 {call['agent'] or '—'}，{priority}，{status}）"


def _audit(
    q: Callable, call_id: str, reminder_ids: list[str], key: str = "id"
) -> list[dict[str, Any]]:
    cols = f"{key}, at, actor, action, entity, entity_id, detail"
    rows = q(
        f"SELECT {cols} FROM audit_log WHERE entity = 'call' AND entity_id = ? ORDER BY {key}",
        [call_id],
    )
    if reminder_ids:
        marks = ", ".join("?" for _ in reminder_ids)
        rows += q(
            f"SELECT {cols} FROM audit_log "
            f"WHERE entity = 'reminder' AND entity_id IN ({marks}) ORDER BY {key}",
            reminder_ids,
        )
    keys = ("id", "at", "actor", "action", "entity", "entity_id", "detail")
    out = [dict(zip(keys, row, strict=True)) for row in rows]
    out.sort(key=lambda e: (e["at"], e["id"]))
    return out


def _audit_text(entry: dict[str, Any]) -> str:
    labels = {
        "reminder.snoozed": "提醒稍后再说",
        "reminder.rescheduled": "提醒改期",
        "reminder.case_closed": "案件结案",
        "call.priority": "修改优先级",
    }
    text = labels.get(entry["action"], entry["action"])
    try:
        detail = json.loads(entry["detail"]) if entry["detail"] else {}
    except ValueError:
        detail = {}
    if isinstance(detail, dict):
        shown = [
            f"{k}={v}" for k, v in detail.items() if k in ("due_at", "reason", "priority", "until")
        ]
        if shown:
            text += "（" + "，".join(shown) + "）"
    return text
