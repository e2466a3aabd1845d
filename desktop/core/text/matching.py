"""Finding pack words in segmented text, weighted by how well they line up with jieba's words.

Shared by the intent suggester and the complaint detector so both read a text the same way:
normalised, segmented once, longest word first, and aware of a negation just before a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from desktop.core.text.normalize import normalize
from desktop.core.text.segmenter import Segmenter

T = TypeVar("T")

# How much a word counts by its fit with jieba's tokens: a whole token (or a run of whole
# tokens), a word at one edge of a longer token (物流 in 物流信息), or buried inside one.
WHOLE, EDGE, INSIDE = 1.0, 0.7, 0.4

# A negation right before the word, optionally with a small verb in between:
# 不是投诉, 不想投诉, 没有要退款, 不会给差评, 不用找你们领导.
_NEGATED = re.compile(
    "(?:不是|不想|不要|不用|不会|不必|不需要|没有|没|不|别|并非|无需|无意)"
    "(?:要|想|来|去|打算|是|会|给你们|给你|给|再|说|用)?$"
)
_NOT_NEGATION = ("不得不", "不能不")  # double negation: 不得不投诉 is a complaint
# A rhetorical question asserts: 这不是欺诈吗, 不是骗人是什么.
_RHETORICAL = ("吗", "嘛", "是什么", "还是什么")
_NEGATION_WINDOW = 6
# The characters a negation above can end with: a span whose preceding character is none of
# them is not negated, without running the expression (a note asks for every word of it).
_NEGATION_ENDS = frozenset("是想要用会必有没不别非需意来去算们你给再说")


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text normalised and segmented once, with the offsets where its tokens meet."""

    text: str
    tokens: tuple[str, ...]
    boundaries: frozenset[int]

    @classmethod
    def of(cls, text: str, segmenter: Segmenter) -> Analysis:
        normalized = normalize(text)
        tokens = tuple(segmenter.cut(normalized))
        boundaries = {0}
        offset = 0
        for token in tokens:
            offset += len(token)
            boundaries.add(offset)
        return cls(normalized, tokens, frozenset(boundaries))

    def fit(self, start: int, end: int) -> float:
        """WHOLE, EDGE or INSIDE for the span [start, end)."""
        aligned = (start in self.boundaries) + (end in self.boundaries)
        return (INSIDE, EDGE, WHOLE)[aligned]

    def negated(self, start: int, end: int) -> bool:
        """Whether a negation stands right before the span (不是投诉), unless rhetorical."""
        if start == 0 or self.text[start - 1] not in _NEGATION_ENDS:
            return False
        before = self.text[max(0, start - _NEGATION_WINDOW) : start]
        return (
            bool(_NEGATED.search(before))
            and not before.endswith(_NOT_NEGATION)
            and not self.text.startswith(_RHETORICAL, end)
        )


@dataclass(frozen=True, slots=True)
class WordHit(Generic[T]):
    start: int
    end: int
    word: str  # the word as the pack spells it
    payload: T
    fit: float
    negated: bool


class WordMatcher(Generic[T]):
    """All pack words found in a text; where two overlap, only the longer one counts.

    Longest-first lets a specific word override a general one inside it: 退款进度 (status)
    hides the 退款 it contains.
    """

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._entries: dict[str, list[tuple[str, T]]] = {}
        for word, payload in entries:
            key = normalize(word).strip()
            if key:
                self._entries.setdefault(key, []).append((word, payload))
        words = sorted(self._entries, key=len, reverse=True)
        # A lookahead finds, at every position, the longest word starting there.
        alternation = "|".join(map(re.escape, words))
        self._pattern = re.compile(f"(?=({alternation}))") if words else None

    def find(self, analysis: Analysis) -> list[WordHit[T]]:
        """Non-overlapping hits in text order, one per payload of each matched word."""
        if self._pattern is None:
            return []
        text = analysis.text
        candidates = [(m.start(), m.group(1)) for m in self._pattern.finditer(text)]
        candidates.sort(key=lambda c: (-len(c[1]), c[0]))
        taken = bytearray(len(text))
        kept: list[tuple[int, str]] = []
        for start, key in candidates:
            end = start + len(key)
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                kept.append((start, key))
        kept.sort()
        hits: list[WordHit[T]] = []
        for start, key in kept:
            end = start + len(key)
            fit, negated = analysis.fit(start, end), analysis.negated(start, end)
            hits.extend(
                WordHit(start, end, word, payload, fit, negated)
                for word, payload in self._entries[key]
            )
        return hits
