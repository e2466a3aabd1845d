"""Suggest the call type from what the customer says or the agent notes.

Two kinds of evidence, added as log-odds: the content pack's intent keywords, weighted by how
cleanly each keyword lines up with jieba's words, with repeats counting less and negated
keywords (不是投诉) not at all; and a small naive Bayes model (intent_model.py) over words and
characters, shipped trained on the bundled labelled utterances and the pack's own text, that
can learn from the agent's classified calls (`train`). The keywords are the rules the pack
author controls; the model carries the wording no keyword list foresees. It only suggests:
the agent picks the type.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from desktop.core.content.model import ContentPack
from desktop.core.text.intent_model import IntentModel, bundled_model, display, features
from desktop.core.text.matching import Analysis, WordMatcher
from desktop.core.text.segmenter import Segmenter

_REPEAT_FACTOR = 0.5  # each further occurrence of a keyword adds half its first weight
_MAX_REPEATS = 3
_REASON_WORDS = 3
# One unit of keyword weight counts as this many nats of the model's log-likelihood.
KEYWORD_WEIGHT = 2.0
# The model's features overlap (a word, its characters and their pairs), and a long note
# repeats itself: its log-likelihoods are scaled by min(1, this / sqrt(known features)).
_MODEL_SCALE = 4.0
# Softens the summed log-odds into shares of belief (fitted by cross-validated log-loss).
_TEMPERATURE = 2.5
# A runner-up is offered only with at least this share of the belief.
_MIN_SHARE = 0.02


class _Bundled:
    """The default model: the shipped one."""


BUNDLED: Final = _Bundled()


@dataclass(frozen=True, slots=True)
class Suggestion:
    call_type: str
    score: float  # 0..1: belief in this type, damped when evidence is thin
    reason: str  # "退款、投诉 → 投诉"


class IntentSuggester:
    """Ranks call types for a text by the pack's weighted keywords and the intent model."""

    def __init__(
        self,
        pack: ContentPack,
        segmenter: Segmenter,
        model: IntentModel | _Bundled | None = BUNDLED,
        keyword_weight: float = KEYWORD_WEIGHT,
    ) -> None:
        self._segmenter = segmenter
        self._labels = {t.key: t.label for t in pack.call_types}
        self._order = {t.key: i for i, t in enumerate(pack.call_types)}
        self._keyword_weight = keyword_weight
        self._matcher = WordMatcher(
            (k.word, (k.call_type, k.weight))
            for k in pack.intent_keywords
            if k.call_type in self._labels and k.weight > 0
        )
        self._model = bundled_model() if isinstance(model, _Bundled) else model

    @property
    def model(self) -> IntentModel | None:
        return self._model

    def train(self, samples: Iterable[tuple[str, str]], weight: float = 1.0) -> int:
        """Learn from labelled texts (notes → the call type the agent chose); how many counted.

        Texts with a type the pack does not have, or nothing to learn from, are skipped.
        """
        if self._model is None:
            self._model = IntentModel(tuple(self._labels))
        learned = 0
        for text, call_type in samples:
            if call_type not in self._labels or not text or not text.strip():
                continue
            feats = features(Analysis.of(text, self._segmenter))
            learned += bool(feats) and self._model.add(feats, call_type, weight)
        return learned

    def prepare(self, breathe: Callable[[], None] | None = None) -> None:
        """Work out what the first suggestion would otherwise work out (a worker calls it
        before the suggester is handed to the GUI thread)."""
        if self._model is not None:
            self._model.prepare(breathe)

    def suggest(self, text: str, top: int = 2) -> list[Suggestion]:
        """The `top` most likely call types, best first; [] when nothing points anywhere."""
        if not text or top <= 0 or not text.strip():
            return []
        return self.suggest_for(Analysis.of(text, self._segmenter), top)

    def suggest_for(self, analysis: Analysis, top: int = 2) -> list[Suggestion]:
        """`suggest` on a text already analysed (the text assist analyses once a keystroke
        for the suggester and the complaint detector)."""
        if top <= 0 or not analysis.text.strip():
            return []
        keyword_scores, keyword_words = self._keywords(analysis)
        model_logs, known = self._model_evidence(analysis)
        # Thin evidence: no keyword, and no word or character pair the model knows.
        informative = [f for f in known if _informative(f)]
        if not keyword_scores and not informative:
            return []
        logits: dict[str, float] = {}
        for call_type in self._labels:
            logits[call_type] = model_logs.get(call_type, 0.0) + self._keyword_weight * (
                keyword_scores.get(call_type, 0.0)
            )
        peak = max(logits.values())
        exps = {t: math.exp((v - peak) / _TEMPERATURE) for t, v in logits.items()}
        total = sum(exps.values())
        shares = {t: e / total for t, e in exps.items()}
        evidence = sum(keyword_scores.values()) + 0.5 * len(informative)
        damping = evidence / (evidence + 1.0)
        ranked = sorted(shares, key=lambda t: (-shares[t], self._order[t]))
        suggestions: list[Suggestion] = []
        for t in ranked:
            if len(suggestions) == top or (suggestions and shares[t] < _MIN_SHARE):
                break
            words = self._reason_words(t, keyword_words.get(t), informative)
            if suggestions and not words:
                continue  # a runner-up is offered only with some evidence of its own
            score = min(0.999, max(0.001, round(shares[t] * damping, 3)))
            suggestions.append(Suggestion(t, score, self._reason(t, words)))
        return suggestions

    def _keywords(self, analysis: Analysis) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
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
        return scores, evidence

    def _model_evidence(self, analysis: Analysis) -> tuple[dict[str, float], list[str]]:
        model = self._model
        if model is None or model.empty:
            return {}, []
        logs, known = model.log_likelihoods(features(analysis))
        if not known:
            return {}, []
        scale = min(1.0, _MODEL_SCALE / math.sqrt(len(known)))
        return {
            c: v * scale for c, v in zip(model.classes, logs, strict=True) if c in self._labels
        }, known

    def _reason_words(
        self, call_type: str, keywords: dict[str, float] | None, informative: list[str]
    ) -> list[str]:
        if keywords:
            return sorted(keywords, key=lambda w: -keywords[w])[:_REASON_WORDS]
        return self._model_words(call_type, informative)

    def _reason(self, call_type: str, words: list[str]) -> str:
        label = self._labels[call_type]
        return f"{'、'.join(words)} → {label}" if words else label

    def _model_words(self, call_type: str, informative: list[str]) -> list[str]:
        """The known words that speak most for the type (longer ones first on a tie)."""
        model = self._model
        if model is None or call_type not in model.classes:
            return []
        index = model.classes.index(call_type)
        weights: dict[str, float] = {}
        for feature in informative:
            word = display(feature)
            weight = model.weight_of(feature, index)
            if weight > 0 and weight > weights.get(word, 0.0):
                weights[word] = weight
        chosen: list[str] = []
        for word in sorted(weights, key=lambda w: (-weights[w], -len(w))):
            if not any(word in other or other in word for other in chosen):
                chosen.append(word)
            if len(chosen) == _REASON_WORDS:
                break
        return chosen


@lru_cache(maxsize=8192)  # the same features come back on every keystroke of a note
def _informative(feature: str) -> bool:
    """A word or character pair the agent could read as a reason (not one character)."""
    return len(display(feature)) > 1
