"""The call log browser's queries: a `CallFilter`, keyset pages in a sort order, a count, and
the key of row N (to jump there), over the documented schema. Read-only.

Keyset paging: a page continues after the last row's sort key (sort column, started_at, row
key), so page 5,000 costs what page 1 costs; every sort walks an index from migration 4.
Jumping to row N reads N entries of that index (no table rows), then pages from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.core.clock import to_iso
from desktop.core.privacy import mask_number
from desktop.services.notes_search import match_expression
from desktop.services.review.dialect import SQLITE, Dialect
from desktop.services.review.period import Period, day_start_utc
from desktop.services.review.stats import DEFAULT_GRACE, OPEN_REMINDER_STATUSES, Checklists

PAGE = 200
REPEAT_WINDOW_HOURS = 168
NOTES_PREVIEW = 60

# Sortable columns -> the expression sorted on (nullable ones as indexed in migration 4).
# Talk and wrap-up time are computed (seconds, -1 when the call has none: a keyset key
# must never be NULL, row-value comparisons with NULL match nothing).
SORT_COLUMNS: dict[str, str] = {
    "started_at": "c.started_at",
    "agent": "COALESCE(c.agent, '')",
    "intent": "COALESCE(c.intent, '')",
    "priority": "COALESCE(c.priority, '')",
    "outcome": "COALESCE(c.outcome, '')",
    "talk_s": "COALESCE({talk}, -1)",
    "acw_s": "COALESCE({acw}, -1)",
}


class FilterError(ValueError):
    """A filter the browser cannot run; the message is for the user (Chinese)."""


@dataclass(frozen=True, slots=True)
class CallFilter:
    """What the lead is looking at. Empty tuples mean "any"; every condition must hold."""

    period: Period | None = None
    intents: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    missed_only: bool = False
    required_skipped: bool = False  # completed with a required step not ticked at completion
    reminder_overdue: bool = False  # has a reminder still open past its due time + grace
    repeat_callers: bool = False  # the number called at least twice within 7 days
    notes: str = ""  # words that must all appear in the notes (the jieba FTS index)
    phone: str = ""  # one caller's calls (canonical number)
    hours: tuple[int, ...] = ()  # local hours of day (needs a period): chart drill-down
    step_missing: str = ""  # completed without this step ticked: adherence drill-down
    call_ids: tuple[str, ...] = ()  # exactly these calls (handbook examples)

    def with_(self, **changes: Any) -> CallFilter:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Sort:
    column: str = "started_at"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.column not in SORT_COLUMNS:
            raise FilterError(f"不能按该列排序：{self.column}")


# (sort value, started_at, row key): where a page ends and the next begins
Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class CallRow:
    key: Key
    id: str
    started_at: str
    agent: str
    phone: str
    caller: str
    intent: str | None
    priority: str
    status: str
    outcome: str | None
    talk_s: float | None
    acw_s: float | None
    skip_reason: str
    notes_preview: str
    steps_done: int = 0
    steps_total: int = 0
    required_skipped: int = 0
    reminders: int = 0
    reminders_open: int = 0

    @property
    def masked_phone(self) -> str:
        return mask_number(self.phone)

    @property
    def checklist_text(self) -> str:
        """ "6/8 ✓" when every required step was ticked, "跳过 2 步" when some were not."""
        if not self.steps_total:
            return ""
        if self.required_skipped:
            return f"跳过 {self.required_skipped} 步"
        mark = " ✓" if self.status == "completed" else ""
        return f"{self.steps_done}/{self.steps_total}{mark}"


class CallBrowser:
    """Runs the browser's queries on one read connection (call from one worker at a time).

    `now()` (the injected clock) decides which reminders are overdue; `segmenter` (the app's
    jieba Segmenter) turns notes words into an FTS expression."""

    def __init__(
        self,
        conn: Any,
        *,
        now: Callable[[], datetime],
        checklists: Checklists | None = None,
        grace: timedelta = DEFAULT_GRACE,
        segmenter: Any = None,
        dialect: Dialect = SQLITE,
    ) -> None:
        self.conn = conn
        self.now = now
        self.checklists = checklists or {}
        self.grace = grace
        self.segmenter = segmenter
        self.dialect = dialect

    # ---- public API -------------------------------------------------------------------
    def page(
        self,
        filter: CallFilter,
        sort: Sort = Sort(),
        after: Key | None = None,
        limit: int = PAGE,
        *,
        inclusive: bool = False,
    ) -> list[CallRow]:
        """Up to `limit` rows in `sort` order after `after` (the `key` of the last row shown;
        with `inclusive`, starting at it)."""
        where, params, ctes = self._where(filter)
        order, key_cols = self._order(sort)
        if after is not None:
            op = ("<" if sort.descending else ">") + ("=" if inclusive else "")
            cond, extra = self._after(key_cols, after, op)
            where += f" AND {cond}"
            params += extra
        sql = (
            f"{ctes}SELECT {', '.join(key_cols)}, c.id, c.started_at, COALESCE(c.agent, ''), "
            "COALESCE(c.phone, ''), COALESCE(NULLIF(cu.name, ''), c.caller_name, ''), c.intent, "
            "COALESCE(c.priority, 'normal'), c.status, c.outcome, "
            f"{self.dialect.seconds_between('c.answered_at', 'c.ended_at')}, "
            f"{self.dialect.seconds_between('c.ended_at', 'c.completed_at')}, "
            f"COALESCE(c.skip_reason, ''), substr(COALESCE(c.notes, ''), 1, {NOTES_PREVIEW}), "
            "c.completed_at "
            "FROM calls c LEFT JOIN customers cu ON cu.id = c.customer_id "
            f"WHERE {where} ORDER BY {order} LIMIT ?"
        )
        rows = self.conn.execute(self.dialect.sql(sql), [*params, int(limit)]).fetchall()
        return self._decorate(rows, len(key_cols))

    def count(self, filter: CallFilter) -> int:
        where, params, ctes = self._where(filter)
        sql = f"{ctes}SELECT COUNT(*) FROM calls c WHERE {where}"
        return int(self.conn.execute(self.dialect.sql(sql), params).fetchone()[0])

    def key_at(self, filter: CallFilter, sort: Sort, row: int) -> Key | None:
        """The key of row `row` (0-based) in this order, None past the end: page from it with
        `page(..., after=key, inclusive=True)` to jump there. Reads index entries only."""
        where, params, ctes = self._where(filter)
        order, key_cols = self._order(sort)
        sql = (
            f"{ctes}SELECT {', '.join(key_cols)} FROM calls c WHERE {where} "
            f"ORDER BY {order} LIMIT 1 OFFSET ?"
        )
        found = self.conn.execute(self.dialect.sql(sql), [*params, max(0, int(row))]).fetchone()
        return tuple(found) if found else None

    def jump(self, filter: CallFilter, sort: Sort, row: int, limit: int = PAGE) -> list[CallRow]:
        key = self.key_at(filter, sort, row)
        return [] if key is None else self.page(filter, sort, key, limit, inclusive=True)

    def iterate(
        self, filter: CallFilter, sort: Sort = Sort(), batch: int = 1000
    ) -> Iterator[CallRow]:
        """Every matching row in order, a page at a time (for exports)."""
        after: Key | None = None
        while True:
            rows = self.page(filter, sort, after, batch)
            yield from rows
            if len(rows) < batch:
                return
            after = rows[-1].key

    def position_of(self, filter: CallFilter, sort: Sort, key: Key) -> int:
        """How many rows come before `key` in this order (the row number of that call)."""
        where, params, ctes = self._where(filter)
        _order, key_cols = self._order(sort)
        cond, extra = self._after(key_cols, key, ">" if sort.descending else "<")
        sql = f"{ctes}SELECT COUNT(*) FROM calls c WHERE {where} AND {cond}"
        return int(self.conn.execute(self.dialect.sql(sql), [*params, *extra]).fetchone()[0])

    # ---- SQL building -----------------------------------------------------------------
    def _order(self, sort: Sort) -> tuple[str, list[str]]:
        direction = "DESC" if sort.descending else "ASC"
        cols = [self._sort_expression(sort.column)] if sort.column != "started_at" else []
        cols += ["c.started_at", f"c.{self.dialect.row_key}"]
        return ", ".join(f"{c} {direction}" for c in cols), cols

    def _sort_expression(self, column: str) -> str:
        d = self.dialect
        return SORT_COLUMNS[column].format(
            talk=d.seconds_between("c.answered_at", "c.ended_at"),
            acw=d.seconds_between("c.ended_at", "c.completed_at"),
        )

    @staticmethod
    def _after(key_cols: Sequence[str], key: Key, op: str) -> tuple[str, list[Any]]:
        """The keyset condition: rows after `key` in the order `op` says. The leading
        column is also bounded on its own: engines use a row-value comparison as an index
        range only on plain columns, and this keeps an expression sort's deep pages from
        scanning the index from its end."""
        marks = ", ".join("?" for _ in key_cols)
        cond = f"({', '.join(key_cols)}) {op} ({marks})"
        params = list(key)
        if len(key_cols) > 2:
            cond = f"{key_cols[0]} {op[0]}= ? AND {cond}"
            params = [key[0], *params]
        return cond, params

    def _where(self, f: CallFilter) -> tuple[str, list[Any], str]:
        """(condition, parameters, WITH prefix) for a filter."""
        conds: list[str] = []
        params: list[Any] = []
        ctes = ""
        if f.period is not None:
            start, end = f.period.iso_bounds()
            conds.append("c.started_at >= ? AND c.started_at < ?")
            params += [start, end]
        for column, values in (
            ("intent", f.intents),
            ("outcome", f.outcomes),
            ("agent", f.agents),
            ("priority", f.priorities),
        ):
            if values:
                conds.append(f"COALESCE(c.{column}, '') IN ({', '.join('?' for _ in values)})")
                params += list(values)
        if f.missed_only:
            conds.append("COALESCE(c.status, '') = 'missed'")
        if f.phone:
            conds.append("c.phone = ?")
            params.append(f.phone)
        if f.call_ids:
            conds.append(f"c.id IN ({', '.join('?' for _ in f.call_ids)})")
            params += list(f.call_ids)
        at_completion = (
            "t.ticked_at <= c.completed_at "
            "AND (t.unticked_at IS NULL OR t.unticked_at > c.completed_at)"
        )
        if f.step_missing:
            conds.append(
                "COALESCE(c.status, '') = 'completed' AND NOT EXISTS (SELECT 1 FROM "
                f"checklist_ticks t WHERE t.call_id = c.id AND t.step_key = ? AND {at_completion})"
            )
            params.append(f.step_missing)
        if f.required_skipped:
            required = [(i, k) for i, steps in self.checklists.items() for k, req in steps if req]
            if not required:
                conds.append("1 = 0")
            else:
                ctes = (
                    "WITH req(intent, step_key) AS (VALUES "
                    + ", ".join("(?, ?)" for _ in required)
                    + ") "
                )
                params = [v for pair in required for v in pair] + params
                conds.append(
                    "COALESCE(c.status, '') = 'completed' AND EXISTS (SELECT 1 FROM req "
                    "WHERE req.intent = c.intent AND NOT EXISTS (SELECT 1 FROM checklist_ticks t "
                    f"WHERE t.call_id = c.id AND t.step_key = req.step_key AND {at_completion}))"
                )
        if f.reminder_overdue:
            marks = ", ".join("?" for _ in OPEN_REMINDER_STATUSES)
            # the overdue reminders' calls, from the (status, due_at, call_id) index, tested
            # while the sort's index is walked (COALESCE: not looked up call by call)
            conds.append(
                "COALESCE(c.id, '') IN (SELECT r.call_id FROM reminders r "
                f"WHERE r.status IN ({marks}) AND r.due_at < ?)"
            )
            params += [*OPEN_REMINDER_STATUSES, to_iso(self.now() - self.grace)]
        if f.repeat_callers:
            d = self.dialect
            key = d.row_key  # not the id: the (phone, started_at) index holds the row key
            conds.append(
                "c.phone <> '' AND EXISTS (SELECT 1 FROM calls o WHERE o.phone = c.phone "
                f"AND o.{key} <> c.{key} "
                f"AND o.started_at >= {d.shifted('c.started_at', -REPEAT_WINDOW_HOURS)} "
                f"AND o.started_at <= {d.shifted('c.started_at', REPEAT_WINDOW_HOURS)})"
            )
        if f.notes.strip():
            if self.segmenter is None:
                raise FilterError("全文检索还没准备好，请稍后再试。")
            expression = match_expression(f.notes, self.segmenter)
            if expression:
                bounds = f.period.iso_bounds() if f.period is not None else None
                cond, extra = self.dialect.notes_condition(self.conn, expression, bounds)
                conds.append(cond)
                params += extra
        if f.hours:
            if f.period is None:
                raise FilterError("按小时筛选需要先选择日期范围。")
            ranges = _hour_ranges(f.period, f.hours)
            conds.append(
                "(" + " OR ".join("(c.started_at >= ? AND c.started_at < ?)" for _ in ranges) + ")"
            )
            for start, end in ranges:
                params += [start, end]
        return (" AND ".join(conds) or "1 = 1"), params, ctes

    # ---- rows -------------------------------------------------------------------------
    def _decorate(self, rows: Sequence[Sequence[Any]], key_len: int) -> list[CallRow]:
        """Rows plus their checklist completion and reminder counts (two indexed reads for
        the whole page)."""
        if not rows:
            return []
        ids = [r[key_len] for r in rows]
        marks = ", ".join("?" for _ in ids)
        ticks: dict[str, list[tuple[str, str, str | None]]] = {}
        for call_id, step, ticked, unticked in self.conn.execute(
            self.dialect.sql(
                "SELECT call_id, step_key, ticked_at, unticked_at FROM checklist_ticks "
                f"WHERE call_id IN ({marks})"
            ),
            ids,
        ).fetchall():
            ticks.setdefault(call_id, []).append((step, ticked, unticked))
        reminders: dict[str, tuple[int, int]] = {}
        open_marks = ", ".join("?" for _ in OPEN_REMINDER_STATUSES)
        for call_id, total, still_open in self.conn.execute(
            self.dialect.sql(
                "SELECT call_id, COUNT(*), "
                f"SUM(CASE WHEN status IN ({open_marks}) THEN 1 ELSE 0 END) "
                f"FROM reminders WHERE call_id IN ({marks}) GROUP BY call_id"
            ),
            [*OPEN_REMINDER_STATUSES, *ids],
        ).fetchall():
            reminders[call_id] = (int(total), int(still_open or 0))
        out = []
        for r in rows:
            key = tuple(r[:key_len])
            (
                cid,
                started,
                agent,
                phone,
                caller,
                intent,
                priority,
                status,
                outcome,
                talk,
                acw,
                skip,
                preview,
                completed,
            ) = r[key_len:]
            steps = list(self.checklists.get(intent or "", ()))
            done_steps = ticked_steps(ticks.get(cid, []), completed)
            required_skipped = 0
            if status == "completed":
                required_skipped = sum(1 for k, req in steps if req and k not in done_steps)
            total, still_open = reminders.get(cid, (0, 0))
            out.append(
                CallRow(
                    key=key,
                    id=cid,
                    started_at=started,
                    agent=agent,
                    phone=phone,
                    caller=caller or "",
                    intent=intent,
                    priority=priority,
                    status=status,
                    outcome=outcome,
                    talk_s=None if talk is None else round(float(talk), 3),
                    acw_s=None if acw is None else round(float(acw), 3),
                    skip_reason=skip,
                    notes_preview=preview.replace("\n", " "),
                    steps_done=sum(1 for k, _req in steps if k in done_steps),
                    steps_total=len(steps),
                    required_skipped=required_skipped,
                    reminders=total,
                    reminders_open=still_open,
                )
            )
        return out


def ticked_steps(ticks: Sequence[tuple[str, str, str | None]], at: str | None) -> set[str]:
    """Steps ticked and not unticked at `at` (ISO text; None: now, i.e. currently ticked)."""
    done = set()
    for step, ticked, unticked in ticks:
        if at is None:
            if unticked is None:
                done.add(step)
        elif ticked <= at and (unticked is None or unticked > at):
            done.add(step)
    return done


def _hour_ranges(period: Period, hours: Sequence[int]) -> list[tuple[str, str]]:
    """UTC [start, end) text ranges covering the local hours `hours` of every day in the
    period (DST-safe: each hour's bounds are converted on their own)."""
    zone = period.zone
    ranges = []
    for day in period.days():
        midnight = day_start_utc(day, zone)
        for hour in sorted(set(hours)):
            start = _local_hour_utc(midnight, hour, zone)
            end = _local_hour_utc(midnight, hour + 1, zone)
            if end > start:
                ranges.append((to_iso(start), to_iso(end)))
    return ranges


def _local_hour_utc(midnight_utc: datetime, hour: int, zone: Any) -> datetime:
    local_midnight = midnight_utc.astimezone(zone).replace(tzinfo=None)
    wall = local_midnight + timedelta(hours=hour)
    return wall.replace(tzinfo=zone).astimezone(UTC)
