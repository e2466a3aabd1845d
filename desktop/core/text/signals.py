"""Spot a complaint early: negative words, demands for escalation, the same demand repeated.

When it fires, the UI proposes 投诉 + 紧急 and brings up calming scripts (先处理情绪再处理事情).
Like the intent suggester it only suggests.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from desktop.core.content.model import ContentPack, Script
from desktop.core.text.matching import Analysis, WordMatcher
from desktop.core.text.normalize import is_cjk
from desktop.core.text.segmenter import Segmenter

_CLAUSE_SPLIT = re.compile(r"[,.!?;:，。！？；：、…~～\s\"'“”‘’()（）\[\]【】<>《》-]+")
_TRAILING_PARTICLES = "啊呀吧呢嘛了哦啦哈么"
# Short replies that repeat naturally in any call.
_FILLER_CLAUSES = frozenset(
    {"你好", "您好", "好的", "是的", "对的", "对对", "嗯嗯", "谢谢", "谢谢你", "没有", "没事"}
    | {"不是", "可以", "知道", "明白", "行行", "喂喂", "那个", "请问", "稍等"}
)
_DEMAND = re.compile("我就要|我只要|我要求|我要|给我|必须|马上|立刻|立即|赶紧|赶快|快点")
# Tokens that can follow a demand word without being what is demanded (我要给你们差评).
_NOT_OBJECT = frozenset(
    {"给", "把", "你", "你们", "我", "这个", "那个", "一个", "的", "了", "去", "来", "是", "在"}
    | {"再", "都", "就", "也", "要"}
)
_MIN_CLAUSE_CHARS = 2
_URGENT_NEGATIVE_WORDS = 3
# Checklist steps of the complaint flow whose scripts calm the caller (接受怨诉, 平息怒气).
CALMING_STEPS = frozenset({"accept", "calm"})
CALMING_METHODS = frozenset({"3F", "CLEAR"})


@dataclass(frozen=True, slots=True)
class ComplaintSignal:
    is_complaint: bool
    urgent: bool
    reasons: list[str]  # short Chinese lines for the UI: "负面词：骗子、差评"


_NO_SIGNAL = ComplaintSignal(False, False, [])


class ComplaintDetector:
    """Complaint cues from one pack's signal words and escalation phrases."""

    def __init__(self, pack: ContentPack, segmenter: Segmenter) -> None:
        self._segmenter = segmenter
        self._negative = WordMatcher((w, None) for w in pack.complaint_signals)
        self._escalation = WordMatcher((w, None) for w in pack.escalation_phrases)

    def detect(self, text: str) -> ComplaintSignal:
        if not text or text.isspace():
            return _NO_SIGNAL
        return self.detect_in(Analysis.of(text, self._segmenter))

    def detect_in(self, analysis: Analysis) -> ComplaintSignal:
        """`detect` on a text already analysed."""
        if analysis.text.isspace() or not analysis.text:
            return _NO_SIGNAL
        negative = _words(self._negative, analysis)
        escalation = _words(self._escalation, analysis)
        repeated = _repeated_demands(analysis)
        reasons = []
        if negative:
            reasons.append("负面词：" + "、".join(negative))
        if escalation:
            reasons.append("要求升级：" + "、".join(escalation))
        if repeated:
            reasons.append("重复要求：" + "、".join(repeated))
        if not reasons:
            return _NO_SIGNAL
        urgent = (
            bool(escalation)
            or (bool(repeated) and bool(negative))
            or len(negative) >= _URGENT_NEGATIVE_WORDS
        )
        return ComplaintSignal(True, urgent, reasons)


def calming_script_ids(pack: ContentPack) -> list[str]:
    """Scripts to surface when a complaint fires, in pack order within three tiers.

    First 3F/CLEAR scripts of the accept and calm steps, then the other scripts of those
    steps, then 3F/CLEAR scripts elsewhere (CLEAR's Resolve).
    """

    def tier(script: Script) -> int | None:
        calming_step = script.call_type == "complaint" and script.step in CALMING_STEPS
        by_method = script.method in CALMING_METHODS
        if calming_step:
            return 0 if by_method else 1
        return 2 if by_method else None

    tiers = [(t, s.id) for s in pack.scripts if (t := tier(s)) is not None]
    return [script_id for _, script_id in sorted(tiers, key=lambda pair: pair[0])]


def _words(matcher: WordMatcher[None], analysis: Analysis) -> list[str]:
    """Distinct matched words that are not negated, in text order."""
    return list(dict.fromkeys(hit.word for hit in matcher.find(analysis) if not hit.negated))


def _repeated_demands(analysis: Analysis) -> list[str]:
    """Clauses said twice (我要退款…我要退款) and things demanded twice (我要退款，赶紧退款)."""
    clauses = Counter(
        clause
        for raw in _CLAUSE_SPLIT.split(analysis.text)
        if _is_substantial(clause := raw.rstrip(_TRAILING_PARTICLES))
    )
    objects = Counter(_demanded_objects(analysis))
    repeated = [c for c, n in clauses.items() if n >= 2]
    repeated += [o for o, n in objects.items() if n >= 2 and not any(o in c for c in repeated)]
    return repeated


@lru_cache(maxsize=4096)  # the note is re-read every keystroke: its clauses repeat
def _is_substantial(clause: str) -> bool:
    """A clause worth counting: no filler, and no number (reading one back is confirming)."""
    return (
        sum(map(is_cjk, clause)) >= _MIN_CLAUSE_CHARS
        and clause not in _FILLER_CLAUSES
        and not any(c.isdigit() for c in clause)
    )


def _demanded_objects(analysis: Analysis) -> list[str]:
    """The first content word after each demand word (退款 in 我要退款)."""
    starts: dict[int, int] = {}
    offset = 0
    for position, token in enumerate(analysis.tokens):
        starts[offset] = position
        offset += len(token)
    found: set[int] = set()  # token indices, so 赶紧给我退款 demands 退款 once, not twice
    for match in _DEMAND.finditer(analysis.text):
        index = starts.get(match.end())
        if index is None:
            continue
        for i in range(index, min(index + 3, len(analysis.tokens))):
            token = analysis.tokens[i]
            if token in _NOT_OBJECT:
                continue
            if len(token) >= 2 and any(map(is_cjk, token)):
                found.add(i)
            break
    return [analysis.tokens[i] for i in sorted(found)]
