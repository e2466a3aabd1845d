"""Suggest the call type from what the customer says or the agent notes.

Keyword rules from the content pack, weighted by how cleanly each keyword lines up with
jieba's words, with repeats counting less and negated keywords (不是投诉) not at all. It only
suggests: the agent picks the type.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from desktop.core.content.model import ContentPack
from desktop.core.text.matching import Analysis, WordMatcher
from desktop.core.text.segmenter import Segmenter

_REPEAT_FACTOR = 0.5  # each further occurrence of a keyword adds half its first weight
_MAX_REPEATS = 3
_REASON_WORDS = 3


@dataclass(frozen=True, slots=True)
class Suggestion:
    call_type: str
    score: float  # 0..1: this type's share of the evidence, damped when evidence is thin
    reason: str  # "退款、投诉 → 投诉"


class IntentSuggester:
    """Ranks call types for a text by the pack's weighted intent keywords."""

    def __init__(self, pack: ContentPack, segmenter: Segmenter) -> None:
        self._segmenter = segmenter
        self._labels = {t.key: t.label for t in pack.call_types}
        self._order = {t.key: i for i, t in enumerate(pack.call_types)}
        self._matcher = WordMatcher(
            (k.word, (k.call_type, k.weight))
            for k in pack.intent_keywords
            if k.call_type in self._labels and k.weight > 0
        )

    def suggest(self, text: str, top: int = 2) -> list[Suggestion]:
        """The `top` most likely call types, best first; [] when nothing points anywhere."""
        if not text or top <= 0:
            return []
        analysis = Analysis.of(text, self._segmenter)
        seen: dict[tuple[str, str], int] = defaultdict(int)
        scores: dict[str, float] = defaultdict(float)
        evidence: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for hit in self._matcher.find(analysis):
            if hit.negated:
                continue
            call_type, weight = hit.payload
            repeat = seen[(hit.word, call_type)]
            seen[(hit.word, call_type)] += 1
            if repeat > _MAX_REPEATS:
                continue
            gain = weight * hit.fit * (_REPEAT_FACTOR if repeat else 1.0)
            scores[call_type] += gain
            evidence[call_type][hit.word] += gain
        total = sum(scores.values())
        ranked = sorted(scores, key=lambda t: (-scores[t], self._order[t]))[:top]
        return [
            Suggestion(t, round(scores[t] / (total + 1.0), 3), self._reason(t, evidence[t]))
            for t in ranked
        ]

    def _reason(self, call_type: str, words: dict[str, float]) -> str:
        strongest = sorted(words, key=lambda w: -words[w])[:_REASON_WORDS]
        return f"{'、'.join(strongest)} → {self._labels[call_type]}"
