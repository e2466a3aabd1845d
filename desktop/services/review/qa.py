"""QA scorecards prefilled from what the app knows (no recordings needed), and evaluations
that are never edited: saving inserts a new row that supersedes the call's previous one.

Items, critical first: required steps ticked; a skip reason given when a step was skipped;
first response within its rule's time (15 min for complaints); progress within 24 h; the
promised callback kept; no negative phrases in the notes. An item the call gives no
occasion for (no reminder of that kind, nothing skipped) is "not applicable" and left out
of the score. Score = points / applicable maximum × 100.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from desktop.core.clock import parse_iso, to_iso
from desktop.core.reminders.timing import kept_status
from desktop.services.review.browser import ticked_steps
from desktop.services.review.dialect import SQLITE, Dialect
from desktop.services.review.stats import DEFAULT_GRACE, Checklists


class QAError(ValueError):
    """A scorecard that cannot be saved; the message is for the user (Chinese)."""


@dataclass(frozen=True, slots=True)
class ScoreItem:
    key: str
    label: str
    max: int
    points: int
    auto: bool | None  # the prefilled verdict: True met, False not met, None not applicable
    critical: bool = False
    note: str = ""

    def with_points(self, points: int) -> ScoreItem:
        if not 0 <= points <= self.max:
            raise QAError(f"「{self.label}」的得分应在 0 到 {self.max} 之间")
        return replace(self, points=points)


@dataclass(frozen=True, slots=True)
class Evaluation:
    id: str
    call_id: str
    agent: str
    evaluator: str
    created_at: str
    items: tuple[ScoreItem, ...]
    score: float | None
    comment: str
    supersedes_id: str | None


def score_of(items: Sequence[ScoreItem]) -> float | None:
    applicable = [i for i in items if i.auto is not None]
    top = sum(i.max for i in applicable)
    if not top:
        return None
    return round(100.0 * sum(i.points for i in applicable) / top, 1)


def _timing_item(
    key: str,
    label: str,
    reminders: list[tuple[str, str | None, str | None, str]],
    grace: timedelta,
    now: datetime,
) -> ScoreItem:
    """Met when every reminder of that kind was answered (a call-back, or done) by its
    committed time + grace; not applicable without such reminders or before any is due."""
    states = []
    for target, back, done, status in reminders:
        if status == "cancelled":
            continue
        answered = back or (done if status == "done" else None)
        states.append(
            kept_status(parse_iso(target), parse_iso(answered) if answered else None, grace, now)
        )
    decided = [s for s in states if s != "pending"]
    if not decided:
        note = "无此类提醒" if not states else "尚未到期"
        return ScoreItem(key, label, 15, 15, None, note=note)
    late = sum(1 for s in decided if s != "kept")
    if late:
        return ScoreItem(key, label, 15, 0, False, note=f"{late}/{len(decided)} 次未按时")
    return ScoreItem(key, label, 15, 15, True, note=f"{len(decided)} 次均按时")


def prefill(
    conn: Any,
    call_id: str,
    *,
    checklists: Checklists,
    phrase_checker: Any,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
    step_label: Callable[[str, str], str | None] = lambda _type, _key: None,
    dialect: Dialect = SQLITE,
) -> list[ScoreItem]:
    """The scorecard for one call as the data says; the lead adjusts it before saving.
    `phrase_checker` is desktop.core.text.phrases.PhraseChecker (the pack's phrases);
    `step_label` names skipped steps (the key is shown when it gives None)."""
    row = conn.execute(
        dialect.sql(
            "SELECT intent, status, completed_at, skip_reason, notes FROM calls WHERE id = ?"
        ),
        [call_id],
    ).fetchone()
    if row is None:
        raise QAError("找不到该通话")
    intent, status, completed, skip_reason, notes = row
    ticks = conn.execute(
        dialect.sql(
            "SELECT step_key, ticked_at, unticked_at FROM checklist_ticks WHERE call_id = ?"
        ),
        [call_id],
    ).fetchall()
    done = ticked_steps(ticks, completed)
    required = [k for k, req in checklists.get(intent or "", ()) if req]
    skipped = [k for k in required if k not in done]
    items: list[ScoreItem] = []
    if not required or status != "completed":
        items.append(
            ScoreItem("required_steps", "必做步骤已勾选", 30, 30, None, True, "无必做步骤")
        )
    elif skipped:
        items.append(
            ScoreItem(
                "required_steps",
                "必做步骤已勾选",
                30,
                0,
                False,
                True,
                "跳过：" + "、".join(step_label(intent or "", k) or k for k in skipped),
            )
        )
    else:
        items.append(ScoreItem("required_steps", "必做步骤已勾选", 30, 30, True, True))
    if skipped:
        given = bool((skip_reason or "").strip())
        items.append(
            ScoreItem(
                "skip_reason",
                "跳过步骤已说明原因",
                10,
                10 if given else 0,
                given,
                note=(skip_reason or "未填写原因"),
            )
        )
    else:
        items.append(ScoreItem("skip_reason", "跳过步骤已说明原因", 10, 10, None, note="未跳过"))
    by_kind: dict[str, list[tuple[str, str | None, str | None, str]]] = {}
    for kind, target, back, done_at, r_status in conn.execute(
        dialect.sql(
            "SELECT kind, target_at, callback_at, done_at, status FROM reminders "
            "WHERE call_id = ? OR case_id = ?"
        ),
        [call_id, call_id],
    ).fetchall():
        by_kind.setdefault(kind, []).append((target, back, done_at, r_status))
    items.append(
        _timing_item(
            "first_response",
            "首次响应按时（投诉 15 分钟）",
            by_kind.get("first_response", []),
            grace,
            now,
        )
    )
    items.append(
        _timing_item("progress", "进度通报按时（24 小时）", by_kind.get("progress", []), grace, now)
    )
    items.append(_timing_item("callback", "约定回电守约", by_kind.get("callback", []), grace, now))
    hits = phrase_checker.check(notes or "") if phrase_checker is not None else []
    if hits:
        phrases = "、".join(dict.fromkeys(h.phrase for h in hits))
        items.append(ScoreItem("phrases", "记录中无负面用语", 15, 0, False, note=phrases))
    else:
        items.append(ScoreItem("phrases", "记录中无负面用语", 15, 15, True))
    return items


class QAStore:
    """Evaluations in `qa_evaluations` (migration 4): insert only; the newest per call wins."""

    _COLS = "id, call_id, agent, evaluator, created_at, items, score, comment, supersedes_id"

    def __init__(self, conn: Any, dialect: Dialect = SQLITE) -> None:
        self._conn = conn
        self._dialect = dialect

    def save(
        self,
        call_id: str,
        items: Sequence[ScoreItem],
        *,
        evaluator: str,
        comment: str = "",
        now: datetime,
    ) -> Evaluation:
        """A new evaluation superseding the call's current one (if any), in one transaction."""
        if not items:
            raise QAError("评分表为空")
        for item in items:
            item.with_points(item.points)  # range check
        conn = self._conn
        conn.execute(self._dialect.begin)
        try:
            found = conn.execute(
                self._dialect.sql("SELECT agent FROM calls WHERE id = ?"), [call_id]
            ).fetchone()
            if found is None:
                raise QAError("找不到该通话")
            current = self.current(call_id)
            evaluation = Evaluation(
                id=str(uuid.uuid4()),
                call_id=call_id,
                agent=found[0] or "",
                evaluator=evaluator,
                created_at=to_iso(now),
                items=tuple(items),
                score=score_of(items),
                comment=comment.strip(),
                supersedes_id=current.id if current else None,
            )
            conn.execute(
                self._dialect.sql(
                    f"INSERT INTO qa_evaluations ({self._COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                [
                    evaluation.id,
                    call_id,
                    evaluation.agent,
                    evaluator,
                    evaluation.created_at,
                    json.dumps([asdict(i) for i in items], ensure_ascii=False),
                    evaluation.score,
                    evaluation.comment,
                    evaluation.supersedes_id,
                ],
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return evaluation

    def current(self, call_id: str) -> Evaluation | None:
        """The call's evaluation nothing supersedes (the newest)."""
        rows = self.history(call_id)
        superseded = {e.supersedes_id for e in rows}
        live = [e for e in rows if e.id not in superseded]
        return live[-1] if live else None

    def history(self, call_id: str) -> list[Evaluation]:
        rows = self._conn.execute(
            self._dialect.sql(
                f"SELECT {self._COLS} FROM qa_evaluations WHERE call_id = ? ORDER BY created_at, id"
            ),
            [call_id],
        ).fetchall()
        return [_evaluation(r) for r in rows]


def _evaluation(row: Sequence[Any]) -> Evaluation:
    items = tuple(ScoreItem(**i) for i in json.loads(row[5] or "[]"))
    return Evaluation(row[0], row[1], row[2], row[3], row[4], items, row[6], row[7], row[8])
