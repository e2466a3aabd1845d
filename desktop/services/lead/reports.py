"""What the lead exports: calls of a filter, the statistics, the complaint handbook. No Qt.

`CallQuery` is a plain filter (local dates in the agent's zone, agent, intent, status,
outcome); the review browser's `CallFilter` plugs in through `calls_sheet(rows=…)`. Reading
happens on whatever connection is passed (a worker opens its own); `record_export` writes the
audit row after the file is complete.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from db.database import Database
from desktop.core.calendar import AgentCalendar
from desktop.core.calls import INTENT_LABELS, OUTCOME_LABELS, PRIORITY_LABELS, STATUS_LABELS
from desktop.core.clock import parse_iso, to_iso
from desktop.core.content.model import ContentPack
from desktop.core.progress import Progress
from desktop.services.audit import AuditLog
from desktop.services.lead.export import Column, Sheet, write_csv, write_xlsx
from desktop.services.review.dialect import SQLITE, Dialect
from desktop.services.review.period import Period
from desktop.services.review.stats import adherence_by_agent, checklists_from_pack, compute

FORMATS = ("csv", "xlsx")


class Readable(Protocol):
    """What the statistics sheets read through: a `Database`, or `SourceReader` (the
    review's source: the lead's file or the center)."""

    @property
    def conn(self) -> Any: ...

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...


@dataclass(frozen=True, slots=True)
class SourceReader:
    """A review source's connection (sqlite3 or the center's psycopg one) as the statistics
    sheets read it: `conn`, and `execute` in the source's SQL dialect."""

    conn: Any
    dialect: Dialect = SQLITE

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.dialect.sql(sql), list(params))


CALL_COLUMNS: tuple[Column, ...] = (
    Column("started_at", "来电时间", "datetime", 19),
    Column("answered_at", "接听时间", "datetime", 19),
    Column("agent", "坐席", "text", 8),
    Column("phone", "号码", "phone", 14),
    Column("caller_name", "来电人", "text", 10),
    Column("intent", "类型", "text", 9, INTENT_LABELS),
    Column("priority", "优先级", "text", 7, PRIORITY_LABELS),
    Column("status", "状态", "text", 8, STATUS_LABELS),
    Column("outcome", "结果", "text", 10, OUTCOME_LABELS),
    Column("talk_s", "通话时长", "duration", 10),
    Column("wrap_s", "话后时长", "duration", 10),
    Column("skip_reason", "跳过步骤原因", "text", 16),
    Column("id", "通话编号", "text", 34, in_xlsx=False),
)


@dataclass(frozen=True, slots=True)
class CallQuery:
    date_from: date | None = None  # local dates in the agent's zone, both included
    date_to: date | None = None
    agent: str | None = None
    intent: str | None = None
    status: str | None = None
    outcome: str | None = None

    def where(self, calendar: AgentCalendar, alias: str = "c") -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.date_from or self.date_to:
            first = self.date_from or date(1970, 1, 1)
            last = self.date_to or date(9998, 12, 31)
            start, end = calendar.day_bounds(first, last)
            clauses.append(f"{alias}.started_at >= ? AND {alias}.started_at < ?")
            params += [to_iso(start), to_iso(end)]
        for column in ("agent", "intent", "status", "outcome"):
            value = getattr(self, column)
            if value:
                clauses.append(f"{alias}.{column} = ?")
                params.append(value)
        return (" AND ".join(clauses) or "1"), params

    def describe(self) -> str:
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'} 至 {self.date_to or '…'}")
        if self.agent:
            parts.append(f"坐席 {self.agent}")
        if self.intent:
            parts.append(f"类型 {INTENT_LABELS.get(self.intent, self.intent)}")
        if self.status:
            parts.append(f"状态 {STATUS_LABELS.get(self.status, self.status)}")
        if self.outcome:
            parts.append(f"结果 {OUTCOME_LABELS.get(self.outcome, self.outcome)}")
        return "，".join(parts) or "全部通话"


_TALK = "(julianday(c.ended_at) - julianday(c.answered_at)) * 86400.0"
_WRAP = "(julianday(c.completed_at) - julianday(c.ended_at)) * 86400.0"
_CALL_SELECT = {
    "talk_s": f"CAST(round({_TALK}) AS INTEGER)",
    "wrap_s": f"CAST(round({_WRAP}) AS INTEGER)",
}


def count_calls(db: Database, query: CallQuery, calendar: AgentCalendar) -> int:
    where, params = query.where(calendar)
    return int(db.execute(f"SELECT count(*) FROM calls c WHERE {where}", params).fetchone()[0])


def iter_calls(
    db: Database, query: CallQuery, calendar: AgentCalendar
) -> Iterator[tuple[Any, ...]]:
    """The calls of `query`, oldest first, as tuples in CALL_COLUMNS order (durations in whole
    seconds)."""
    where, params = query.where(calendar)
    select = ", ".join(_CALL_SELECT.get(c.key, f"c.{c.key}") for c in CALL_COLUMNS)
    # row by row, not fetchmany: a row then dies young, and thousands of rows alive at once
    # do not push the collector into full collections, which hold the GIL (the GUI stalls)
    yield from db.execute(
        f"SELECT {select} FROM calls c WHERE {where} ORDER BY c.started_at", params
    )


def calls_sheet(
    db: Database,
    query: CallQuery,
    calendar: AgentCalendar,
    rows: Any = None,
    total: int | None = None,
) -> Sheet:
    """The calls sheet; `rows` (any iterable of call row dicts) replaces the query's rows,
    e.g. the review browser's filtered rows."""
    if rows is None:
        total = count_calls(db, query, calendar)
        return Sheet("通话", CALL_COLUMNS, iter_calls(db, query, calendar), total, positional=True)
    return Sheet("通话", CALL_COLUMNS, rows, total or 0)


# ---- statistics ------------------------------------------------------------------------
# Every figure comes from desktop.services.review.stats.compute (docs/metrics.md), the one
# statistics module: the workbook, the review window and `callassist report stats` agree.
STATS_BY_INTENT = (
    Column("intent", "类型", "text", 12, INTENT_LABELS),
    Column("calls", "通话数", "int", 9),
    Column("share", "占比", "percent", 9),
    Column("aht_s", "平均处理时长", "duration", 13),
    Column("talk_s", "平均通话时长", "duration", 13),
    Column("acw_s", "平均话后时长", "duration", 13),
    Column("fcr", "首次解决率", "percent", 11),
)
STATS_BY_AGENT = (
    Column("agent", "坐席", "text", 10),
    Column("calls", "通话数", "int", 9),
    Column("answered", "接听数", "int", 9),
    Column("missed", "未接", "int", 8),
    Column("aht_s", "平均处理时长", "duration", 13),
    Column("talk_s", "平均通话时长", "duration", 13),
    Column("acw_s", "平均话后时长", "duration", 13),
    Column("fcr", "首次解决率", "percent", 11),
    Column("qa_avg", "质检平均分", "float", 11),
    Column("qa_count", "质检通话数", "int", 11),
)
ADHERENCE = (
    Column("agent", "坐席", "text", 10),
    Column("intent", "类型", "text", 10, INTENT_LABELS),
    Column("calls", "完成通话", "int", 10),
    Column("all_required_calls", "必做步骤全部完成", "int", 16),
    Column("all_required", "流程遵循率", "percent", 12),
    Column("most_skipped", "最常跳过的必做步骤", "text", 18),
)
ALL_AGENTS = "全部"
TOTAL = "合计"
UNCLASSIFIED = "（未分类）"


@dataclass(frozen=True, slots=True)
class StatsInputs:
    """What the statistics need besides the period: the pack's checklists (which steps are
    required) and their labels, and `now` (which callbacks have come due)."""

    now: datetime
    checklists: Mapping[str, Sequence[tuple[str, bool]]] = field(default_factory=dict)
    step_labels: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, pack: ContentPack | None, now: datetime) -> StatsInputs:
        if pack is None:
            return cls(now)
        labels = {
            (intent, step.key): step.label
            for intent, steps in pack.checklists.items()
            for step in steps
        }
        return cls(now, checklists_from_pack(pack), labels)


def stats_period(db: Readable, query: CallQuery, calendar: AgentCalendar, now: datetime) -> Period:
    """The query's local dates as a Period; open ends are the first / last call's date (today
    when there is none)."""
    first, last = query.date_from, query.date_to
    if first is None or last is None:
        low, high = db.execute("SELECT min(started_at), max(started_at) FROM calls").fetchone()
        today = calendar.today(now)
        first = first or (calendar.today(parse_iso(low)) if low else today)
        last = last or (calendar.today(parse_iso(high)) if high else today)
        if last < first:
            last = first
    return Period(first, last, calendar.zone_name)


def compute_stats(
    db: Readable,
    query: CallQuery,
    calendar: AgentCalendar,
    inputs: StatsInputs,
    *,
    dialect: Dialect = SQLITE,
    agents: Sequence[str] | None = None,
) -> tuple[Period, dict[str, Any]]:
    """The statistics of the query's period and agent (its other filters do not apply), by
    the same call `callassist report stats` makes; `agents`: a center team's agents."""
    period = stats_period(db, query, calendar, inputs.now)
    stats = compute(
        db.conn,
        period,
        agent=query.agent or None,
        checklists=inputs.checklists,
        grace=calendar.grace,
        now=inputs.now,
        dialect=dialect,
        agents=agents,
    )
    return period, stats


def _percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def stats_sheets(
    db: Readable,
    query: CallQuery,
    calendar: AgentCalendar,
    inputs: StatsInputs,
    *,
    dialect: Dialect = SQLITE,
    agents: Sequence[str] | None = None,
    source_text: str = "",
) -> list[Sheet]:
    """The statistics workbook's sheets; `dialect` and `agents` read a center (a team's
    agents), `source_text` names where the figures come from in the sheets' notes."""
    period, stats = compute_stats(db, query, calendar, inputs, dialect=dialect, agents=agents)
    agent = f"，坐席 {query.agent}" if query.agent else ""
    if not query.agent and agents is not None:
        agent = f"，{len(agents)} 名坐席的班组"
    where = f"{source_text}，" if source_text else ""
    note = (f"{where}范围：{period.first} 至 {period.last}{agent}（时区 {calendar.zone_name}）",)
    by_intent: list[dict[str, Any]] = [
        dict(figures, intent=intent) for intent, figures in stats["by_intent"].items()
    ]
    unclassified = stats["calls"] - sum(r["calls"] for r in by_intent)
    if unclassified:
        by_intent.append({"intent": UNCLASSIFIED, "calls": unclassified})
    by_intent.append(
        {
            "intent": TOTAL,
            "calls": stats["calls"],
            **{k: stats[k] for k in ("aht_s", "talk_s", "acw_s", "fcr")},
        }
    )
    by_agent = [dict(figures, agent=a) for a, figures in stats["by_agent"].items()]
    adherence = [
        _adherence_row(ALL_AGENTS, intent, figures, inputs)
        for intent, figures in stats["adherence"].items()
    ]
    # per agent too when there are several (a lead's merged file); one agent's own rows
    # would only repeat the 全部 rows
    for intent in stats["adherence"] if len(stats["by_agent"]) > 1 else ():
        grid = adherence_by_agent(
            db.conn,
            period,
            intent,
            inputs.checklists,
            agent=query.agent or None,
            dialect=dialect,
            agents=agents,
        )
        adherence += [_adherence_row(a, intent, f, inputs) for a, f in sorted(grid.items())]
    callbacks, complaints = stats["callbacks"], stats["complaints"]
    follow_up = (
        f"回电提醒（目标时间在范围内）：到期 {callbacks['due']}，按时 {callbacks['kept']}，"
        f"迟到 {callbacks['late']}，未回电 {callbacks['missed']}，"
        f"按时回电率 {_percent_text(callbacks['kept_rate'])}；逾期未办提醒 {callbacks['overdue']}",
        f"投诉：{complaints['cases']} 起，首次解决 {complaints['resolved_first_call']}，"
        f"待首次响应 {complaints['awaiting_response']}，未解决 {complaints['unresolved']}",
    )
    return [
        Sheet("统计", STATS_BY_INTENT, by_intent, len(by_intent), notes=note),
        Sheet("按坐席", STATS_BY_AGENT, by_agent, len(by_agent), notes=note),
        Sheet("流程遵循", ADHERENCE, adherence, len(adherence), notes=note + follow_up),
    ]


def _adherence_row(
    agent: str, intent: str, figures: Mapping[str, Any], inputs: StatsInputs
) -> dict[str, Any]:
    skipped = figures.get("most_skipped")
    return {
        "agent": agent,
        "intent": intent,
        "calls": figures["calls"],
        "all_required_calls": figures["all_required_calls"],
        "all_required": figures["all_required"],
        "most_skipped": inputs.step_labels.get((intent, skipped), skipped) if skipped else "",
    }


# ---- the complaint handbook ------------------------------------------------------------
HANDBOOK = (
    Column("order", "序号", "int", 6),
    Column("step", "步骤", "text", 14),
    Column("required", "必做", "text", 6),
    Column("hint", "要点", "text", 40),
    Column("title", "话术", "text", 20),
    Column("method", "方法", "text", 10),
    Column("text", "话术内容", "text", 70),
)


def handbook_sheet(pack: ContentPack, call_type: str = "complaint") -> Sheet:
    """The complaint handbook: each step of the call type's checklist with its talk tracks."""
    rows: list[dict[str, Any]] = []
    for order, step in enumerate(pack.steps(call_type), start=1):
        scripts = [s for s in (pack.script(i) for i in step.scripts) if s is not None]
        scripts += [
            s
            for s in pack.scripts
            if s.call_type == call_type and s.step == step.key and s.id not in step.scripts
        ]
        base = {
            "order": order,
            "step": step.label,
            "required": "是" if step.required else "",
            "hint": step.hint,
        }
        if not scripts:
            rows.append(dict(base, title="", method="", text=""))
        for index, script in enumerate(scripts):
            head = base if index == 0 else {"order": None, "step": "", "required": "", "hint": ""}
            rows.append(dict(head, title=script.title, method=script.method, text=script.text))
    label = pack.call_type(call_type)
    return Sheet(f"{label.label if label else call_type}处理手册", HANDBOOK, rows, len(rows))


# ---- running an export -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    kind: str  # "calls", "stats", "handbook"
    format: str  # "csv" or "xlsx"
    rows: dict[str, int] = field(default_factory=dict)
    unmasked: bool = False
    scope: str = ""


def export_calls(
    db: Database,
    path: Path,
    fmt: str,
    query: CallQuery,
    calendar: AgentCalendar,
    *,
    now: datetime,
    unmask: bool = False,
    with_stats: bool = True,
    pack: ContentPack | None = None,
    progress: Progress | None = None,
    rows: Any = None,
    total: int | None = None,
) -> ExportResult:
    """The calls of `query` (or `rows`) to CSV (the calls only) or xlsx (calls, statistics,
    per agent, adherence, and the complaint handbook when `pack` is given; the statistics use
    the pack's checklists and `now`)."""
    sheet = calls_sheet(db, query, calendar, rows, total)
    if fmt == "csv":
        count = write_csv(path, sheet, zone=calendar.zone, unmask=unmask, progress=progress)
        counts = {sheet.name: count}
    elif fmt == "xlsx":
        stats = stats_sheets(db, query, calendar, StatsInputs.of(pack, now)) if with_stats else []
        sheets = [sheet, *stats]
        if pack is not None:
            sheets.append(handbook_sheet(pack))
        counts = write_xlsx(path, sheets, zone=calendar.zone, unmask=unmask, progress=progress)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return ExportResult(Path(path), "calls", fmt, counts, unmask, query.describe())


def export_stats(
    db: Readable,
    path: Path,
    fmt: str,
    query: CallQuery,
    calendar: AgentCalendar,
    *,
    inputs: StatsInputs,
    progress: Progress | None = None,
    dialect: Dialect = SQLITE,
    agents: Sequence[str] | None = None,
    source_text: str = "",
) -> ExportResult:
    """The statistics: xlsx gets its three sheets; CSV gets them as one long table (a
    "表" column naming the section), for scheduled reports that feed other tools."""
    sheets = stats_sheets(
        db, query, calendar, inputs, dialect=dialect, agents=agents, source_text=source_text
    )
    if fmt == "csv":
        combined = _combined_stats_sheet(sheets)
        counts = {"统计": write_csv(path, combined, zone=calendar.zone, progress=progress)}
    elif fmt == "xlsx":
        counts = write_xlsx(path, sheets, zone=calendar.zone, progress=progress)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    scope = (source_text + "：" if source_text else "") + query.describe()
    if agents is not None and not query.agent:
        scope += f"，班组（{len(agents)} 名坐席）"
    return ExportResult(Path(path), "stats", fmt, counts, False, scope)


def _combined_stats_sheet(sheets: list[Sheet]) -> Sheet:
    """One CSV table: section, then each sheet's columns (a long, tidy table)."""
    columns: list[Column] = [Column("section", "表")]
    seen: set[str] = set()
    for sheet in sheets:
        for column in sheet.columns:
            if column.key not in seen:
                seen.add(column.key)
                columns.append(column)
    rows = [dict(r, section=s.name) for s in sheets for r in s.rows]
    return Sheet("统计", columns, rows, len(rows), notes=sheets[0].notes if sheets else ())


def export_handbook(pack: ContentPack, path: Path, calendar: AgentCalendar) -> ExportResult:
    sheet = handbook_sheet(pack)
    counts = write_xlsx(path, [sheet], zone=calendar.zone)
    return ExportResult(Path(path), "handbook", "xlsx", counts)


def record_export(audit: AuditLog, result: ExportResult, via: str = "ui") -> None:
    """The audit row of a finished export (`export.*` from the UI, `report.*` from the CLI);
    an unmasked one also gets its `lead.unmask` row."""
    action = ("report." if via == "cli" else "export.") + result.kind
    detail = {
        "file": result.path.name,
        "format": result.format,
        "rows": result.rows,
        "unmasked": result.unmasked,
        "scope": result.scope,
        "via": via,
    }
    audit.record(action, "export", result.path.name, **detail)
    if result.unmasked:
        audit.record("lead.unmask", "export", result.path.name, scope=result.scope)


# ---- the review browser's filter -------------------------------------------------------
BROWSER_COLUMNS: tuple[Column, ...] = (
    Column("started_at", "来电时间", "datetime", 19),
    Column("agent", "坐席", "text", 8),
    Column("phone", "号码", "phone", 14),
    Column("caller", "来电人", "text", 10),
    Column("intent", "类型", "text", 9, INTENT_LABELS),
    Column("priority", "优先级", "text", 7, PRIORITY_LABELS),
    Column("status", "状态", "text", 8, STATUS_LABELS),
    Column("outcome", "结果", "text", 10, OUTCOME_LABELS),
    Column("talk_s", "通话时长", "duration", 10),
    Column("acw_s", "话后时长", "duration", 10),
    Column("checklist", "检查清单", "text", 10),
    Column("skip_reason", "跳过步骤原因", "text", 16),
    Column("reminders_open", "未完成提醒", "int", 10),
    Column("id", "通话编号", "text", 34, in_xlsx=False),
)


def browser_sheet(browser: Any, flt: Any) -> Sheet:
    """The calls the review browser shows for `flt` (its CallFilter), every page of them."""
    keys = [c.key for c in BROWSER_COLUMNS]

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in browser.iterate(flt):
            yield tuple(
                row.checklist_text if k == "checklist" else getattr(row, k, None) for k in keys
            )

    return Sheet("通话", BROWSER_COLUMNS, rows(), browser.count(flt), positional=True)


def export_browser(
    browser: Any,
    flt: Any,
    db: Readable,
    path: Path,
    fmt: str,
    calendar: AgentCalendar,
    *,
    now: datetime,
    unmask: bool = False,
    pack: ContentPack | None = None,
    progress: Progress | None = None,
    dialect: Dialect = SQLITE,
    agents: Sequence[str] | None = None,
    source_text: str = "",
) -> ExportResult:
    """The browser's filtered calls; xlsx adds the statistics of the filter's period, read
    from the same database as the calls (`db` in `dialect`: the lead's file or the center,
    `agents` a center's team)."""
    sheet = browser_sheet(browser, flt)
    period = getattr(flt, "period", None)
    query = CallQuery(period.first, period.last) if period is not None else CallQuery()
    if fmt == "csv":
        counts = {
            sheet.name: write_csv(path, sheet, zone=calendar.zone, unmask=unmask, progress=progress)
        }
    else:
        stats = stats_sheets(
            db,
            query,
            calendar,
            StatsInputs.of(pack, now),
            dialect=dialect,
            agents=agents,
            source_text=source_text,
        )
        sheets = [sheet, *stats]
        if pack is not None:
            sheets.append(handbook_sheet(pack))
        counts = write_xlsx(path, sheets, zone=calendar.zone, unmask=unmask, progress=progress)
    where = f"（{source_text}）" if source_text else ""
    return ExportResult(
        Path(path), "calls", fmt, counts, unmask, f"组长复盘筛选{where}：" + query.describe()
    )
