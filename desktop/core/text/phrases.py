"""Catch negative wording in what the agent types (不行, 没办法, 你必须…) and offer a better line.

One compiled alternation, longest phrase first, over the normalised text: normalisation keeps
every character's position, so hits point into the agent's original (even traditional) text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from desktop.core.content.model import PhraseRule
from desktop.core.text.normalize import normalize


@dataclass(frozen=True, slots=True)
class PhraseHit:
    start: int  # code-point offsets into the text given to `check`
    end: int
    phrase: str  # the rule's phrase, as the pack spells it
    alternative: str
    reason: str


class PhraseChecker:
    """Finds the pack's negative phrases, left to right; at one position the longest wins."""

    def __init__(self, rules: Iterable[PhraseRule], extra_rules: Iterable[PhraseRule] = ()) -> None:
        self._rules: dict[str, PhraseRule] = {}
        for rule in (*rules, *extra_rules):
            key = normalize(rule.phrase).strip()
            if key:
                self._rules.setdefault(key, rule)  # the first rule for a phrase wins
        keys = sorted(self._rules, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, keys))) if keys else None

    def check(self, text: str) -> list[PhraseHit]:
        """Hits in text order; they never overlap."""
        if self._pattern is None or not text:
            return []
        hits = []
        for match in self._pattern.finditer(normalize(text)):
            rule = self._rules[match.group()]
            hits.append(
                PhraseHit(match.start(), match.end(), rule.phrase, rule.alternative, rule.reason)
            )
        return hits
