"""The complaint handbook (常见投诉处理手册): the period's most frequent complaint topics, each
with its count, median handling time, resolution rate, callbacks kept and example calls.

Topics are words of the complaint calls' notes weighted against all notes of the period:
a word scores by how many complaint notes hold it times the log of how much more often it
appears in complaint notes than in notes overall (a lift), so 快递 or 退款 rise and 客户 or
电话, common everywhere, sink. The words are the notes index's own jieba tokens (the
notes_fts row of each call), so building the handbook segments nothing again; a note not
indexed yet is cut with the app's Segmenter when one is given.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from desktop.core.clock import parse_iso
from desktop.core.progress import Progress
from desktop.core.reminders.timing import kept_status
from desktop.services.notes_search import note_tokens
from desktop.services.review.dialect import SQLITE, Dialect
from desktop.services.review.period import Period
from desktop.services.review.stats import DEFAULT_GRACE, complaint_cases, median

MIN_CALLS = 2
SAME_TOPIC = 0.8  # Jaccard overlap of two words' calls above which they are one topic
TOPIC_WORDS = 3
MIN_LIFT = 1.3
EXAMPLES = 5
CUT_CACHE = 200_000  # notes remembered per build (a center's templated notes repeat)
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$|^[A-Za-z][A-Za-z0-9]{1,}$|^\d{3,}$")
# Words that describe the call, not the problem.
STOPWORDS = frozenset(
    [
        "客户",
        "来电",
        "电话",
        "表示",
        "要求",
        "已经",
        "我们",
        "你们",
        "他们",
        "没有",
        "一下",
        "这个",
        "那个",
        "什么",
        "怎么",
        "还是",
        "就是",
        "可以",
        "需要",
        "问题",
        "情况",
        "处理",
        "告知",
        "坐席",
        "已向",
        "进行",
        "之后",
        "然后",
        "因为",
        "所以",
        "但是",
        "如果",
        "目前",
        "现在",
        "投诉",
        "不满",
        "致歉",
        "安抚",
        "情绪",
        "理解",
        "等待",
        "回复",
    ]
)


@dataclass(frozen=True, slots=True)
class Topic:
    word: str
    calls: int  # complaint calls whose notes hold the word
    weight: float
    median_handle_s: float | None
    resolution_rate: float | None  # cases resolved (at the call or later) / cases
    callbacks_kept: float | None  # kept / decided, over the calls' follow-up reminders
    examples: tuple[str, ...]  # call ids, newest first


def build(
    conn: Any,
    period: Period,
    *,
    agent: str | None = None,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
    segmenter: Any = None,
    limit: int = 10,
    dialect: Dialect = SQLITE,
    agents: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> list[Topic]:
    """`agents`: a team's agents (the center), like `stats.compute`. With `progress` (a
    whole center: a month is ~830,000 notes, each cut by jieba when no notes index holds its
    words) the notes are read a local day at a time, newest first, with progress and cancel
    after each day; the topics are the same as read at once."""
    start, end = period.iso_bounds()
    agent_where = ""
    agent_params: list[Any] = []
    if agent is not None:
        agent_where = " AND c.agent = ?"
        agent_params.append(agent)
    elif agents is not None:
        agent_where = f" AND c.agent IN ({', '.join('?' for _ in agents) or 'NULL'})"
        agent_params.extend(agents)
    if progress is None:
        spans = [(start, end)]
    else:  # newest day first: the calls stay newest first across the days
        spans = [_day_bounds(period, day) for day in reversed(list(period.days()))]
    everywhere: Counter[str] = Counter()
    in_complaints: Counter[str] = Counter()
    word_calls: dict[str, set[str]] = {}  # word -> the complaint calls whose notes hold it
    complaints: dict[str, tuple[str, float | None]] = {}
    n_all = 0
    cut: dict[str, str] = {}  # notes seen in this build -> their words (repeated notes)
    for number, (low, high) in enumerate(spans):
        if progress is not None:
            progress.check()
            progress.report(number, len(spans), f"已读 {number}/{len(spans)} 天的通话记录")
        rows = conn.execute(
            dialect.sql(
                f"SELECT c.id, COALESCE(c.intent, ''), c.notes, c.{dialect.row_key}, "
                f"c.started_at, {dialect.seconds_between('c.answered_at', 'c.completed_at')} "
                f"FROM calls c WHERE c.started_at >= ? AND c.started_at < ?{agent_where} "
                "AND c.notes <> '' ORDER BY c.started_at DESC"
            ),
            [low, high, *agent_params],
        ).fetchall()
        n_all += len(rows)
        indexed = _indexed_tokens(conn, [r[3] for r in rows], dialect)
        for call_id, intent, notes, row_key, started, handle in rows:
            tokens = indexed.get(row_key)
            if tokens is None:
                tokens = cut.get(notes)
                if tokens is None:
                    tokens = note_tokens(notes, segmenter) if segmenter is not None else ""
                    if len(cut) < CUT_CACHE:
                        cut[notes] = tokens
            words = {w for w in tokens.split() if _WORD.match(w) and w not in STOPWORDS}
            everywhere.update(words)
            if intent == "complaint":
                in_complaints.update(words)
                for word in words:
                    word_calls.setdefault(word, set()).add(call_id)
                complaints[call_id] = (started, handle)
    if progress is not None:
        progress.report(len(spans), len(spans), "正在归纳投诉问题")
    if not complaints:
        return []
    n_complaint = len(complaints)
    scored = []
    for word, n in in_complaints.items():
        if n < MIN_CALLS:
            continue
        lift = (n / n_complaint) / (everywhere[word] / n_all)
        if lift >= MIN_LIFT:
            scored.append((n * math.log(lift), word))
    scored.sort(reverse=True)
    # Words that travel together (快递 延误 送到 in the same notes) make one topic.
    chosen: list[tuple[float, list[str], set[str]]] = []
    for weight, word in scored:
        calls = word_calls[word]
        twin = next((t for t in chosen if _jaccard(t[2], calls) >= SAME_TOPIC), None)
        if twin is not None:
            if len(twin[1]) < TOPIC_WORDS:
                twin[1].append(word)
            continue
        if any(word in w or w in word for t in chosen for w in t[1]):
            continue  # 快递员 beside 快递: one topic
        if len(chosen) == limit:
            continue
        chosen.append((weight, [word], calls))
    cases = complaint_cases(conn, period, agent=agent, dialect=dialect, agents=agents)
    members_all = set().union(*(members for _w, _t, members in chosen)) if chosen else set()
    kept = _kept_by_call(conn, [c for c in complaints if c in members_all], grace, now, dialect)
    topics = []
    for weight, topic_words, members in chosen:
        ids = [cid for cid in complaints if cid in members]  # newest first
        handles = [h for c in ids if (h := complaints[c][1]) is not None]
        with_case = [cases[c] for c in ids if c in cases]
        resolved = sum(1 for c in with_case if c["resolution_s"] is not None)
        kept_n = sum(kept.get(c, (0, 0))[0] for c in ids)
        decided = sum(kept.get(c, (0, 0))[1] for c in ids)
        topics.append(
            Topic(
                word=" ".join(topic_words),
                calls=len(ids),
                weight=round(weight, 3),
                median_handle_s=None if not handles else round(median(handles) or 0, 1),
                resolution_rate=resolved / len(with_case) if with_case else None,
                callbacks_kept=kept_n / decided if decided else None,
                examples=tuple(ids[:EXAMPLES]),
            )
        )
    topics.sort(key=lambda t: (-t.calls, -t.weight))
    return topics


def _day_bounds(period: Period, day: Any) -> tuple[str, str]:
    """[start, end) of one local day of the period, as stored ISO UTC text."""
    return Period(day, day, period.zone_name).iso_bounds()


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _indexed_tokens(conn: Any, keys: list[Any], dialect: Dialect) -> dict[Any, str]:
    """The notes index's tokens of these calls, read as one range scan of the index (a
    rowid lookup per call costs ten times more)."""
    if not keys or not dialect.has_table(conn, "notes_fts"):
        return {}
    wanted = set(keys)
    rows = conn.execute(
        "SELECT rowid, tokens FROM notes_fts WHERE rowid BETWEEN ? AND ?", [min(keys), max(keys)]
    ).fetchall()
    return {k: t for k, t in rows if k in wanted}


def _kept_by_call(
    conn: Any, call_ids: list[str], grace: timedelta, now: datetime, dialect: Dialect
) -> dict[str, tuple[int, int]]:
    """call id -> (kept, decided) over its callback and first-response reminders."""
    out: dict[str, tuple[int, int]] = {}
    for begin in range(0, len(call_ids), 500):
        chunk = call_ids[begin : begin + 500]
        marks = ", ".join("?" for _ in chunk)
        for call_id, target, back, done, status in conn.execute(
            dialect.sql(
                "SELECT call_id, target_at, callback_at, done_at, status FROM reminders "
                f"WHERE call_id IN ({marks}) AND kind IN ('callback', 'first_response') "
                "AND status <> 'cancelled'"
            ),
            chunk,
        ).fetchall():
            answered = back or (done if status == "done" else None)
            state = kept_status(
                parse_iso(target), parse_iso(answered) if answered else None, grace, now
            )
            if state == "pending":
                continue
            k, d = out.get(call_id, (0, 0))
            out[call_id] = (k + (state == "kept"), d + 1)
    return out
