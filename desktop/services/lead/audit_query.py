"""Reading the audit log for the lead's view: filtered, newest first, bounded. No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from db.database import Database
from desktop.core.calendar import AgentCalendar
from desktop.core.clock import to_iso

ACTION_GROUPS: dict[str, str] = {
    "": "全部",
    "lead.": "组长模式与 PIN",
    "lead.unmask": "查看完整号码",
    "export.": "导出",
    "report.": "命令行报表",
    "bundle.": "日志包",
    "retention.": "数据保留清理",
    "call.": "通话",
    "checklist.": "检查清单",
    "reminder.": "提醒",
}

LIMIT = 2000


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action_prefix: str = ""
    actor: str = ""
    text: str = ""  # found in entity id or detail
    date_from: date | None = None
    date_to: date | None = None


def audit_rows(
    db: Database, flt: AuditFilter, calendar: AgentCalendar, limit: int = LIMIT
) -> list[dict[str, Any]]:
    clauses, params = [], []
    if flt.action_prefix:
        clauses.append("action LIKE ? ESCAPE '\\'")
        params.append(flt.action_prefix.replace("_", "\\_") + "%")
    if flt.actor:
        clauses.append("actor = ?")
        params.append(flt.actor)
    if flt.text:
        clauses.append("(entity_id LIKE ? OR detail LIKE ?)")
        params += [f"%{flt.text}%"] * 2
    if flt.date_from or flt.date_to:
        start, end = calendar.day_bounds(
            flt.date_from or date(1970, 1, 1), flt.date_to or date(9998, 12, 31)
        )
        clauses.append("at >= ? AND at < ?")
        params += [to_iso(start), to_iso(end)]
    where = " AND ".join(clauses) or "1"
    cursor = db.execute(
        f"SELECT at, actor, action, entity, entity_id, detail FROM audit_log WHERE {where} "
        "ORDER BY at DESC, id DESC LIMIT ?",
        [*params, limit],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
