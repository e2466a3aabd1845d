"""Catch negative wording in what the agent types (不行, 没办法, 你必须…) and offer a better line.

A rule's `pattern` (or, without one, its `phrase`) is written in a small language a team lead
can read (see phrases.toml):

- `(a|b)`   one of the alternatives; `|` at the top level works too;
- `?`       after a character or a `)`: optional;
- `…`       a short gap: up to GAP_CHARS characters that are not punctuation (不归…管);
- `你`/`您` each stand for both forms, and traditional characters for simplified ones.

A rule may carry exceptions (`except`, same language): polite idioms that contain the negative
word (能不能麻烦您, 不知道您…). A hit is dropped when one of its rule's exceptions matches across
its start. All rules compile into one regular expression, longest rule first, run over the
normalised text; normalisation keeps every character's position, so hits point into the
agent's original (even traditional) text. A rule's exceptions are tried only around its hits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.text.normalize import normalize

if TYPE_CHECKING:  # the loader imports this module to check rules: no import cycle at run time
    from desktop.core.content.model import PhraseRule

GAP_CHARS = 4
_GAP = "…"
_PUNCT = " \t\r\n,.!?;:，。！？；：、…\"'“”‘’()（）【】《》<>~～-"
_GAP_REGEX = f"[^{re.escape(_PUNCT)}]{{0,{GAP_CHARS}}}?"
_SPECIAL = "()|?" + _GAP
# How far around a hit an exception may reach (a long exception: 能不能麻烦您帮我…).
_EXCEPTION_REACH = 24


class PatternError(ValueError):
    """A rule pattern that cannot be compiled; the message is for the pack author."""


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    regex: str  # Python regex source, no capturing groups
    min_len: int  # the fewest characters it can match
    sample: str  # one text it matches: the first alternatives, optional parts kept, gaps empty
    anchor: str  # its first run of characters every match contains (for checking exceptions)


def _literal(char: str) -> str:
    if char in "你您":
        return "[你您]"
    return re.escape(char)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = normalize(source).replace("……", _GAP).replace("...", _GAP)
        self.i = 0

    def parse(self) -> CompiledPattern:
        if not self.src.strip():
            raise PatternError("empty pattern")
        regex, min_len, sample, anchors = self._alternatives()
        if self.i < len(self.src):
            raise PatternError(f"unbalanced ')' at character {self.i + 1}")
        if min_len < 2:
            raise PatternError("can match fewer than two characters (too broad)")
        if self.src.startswith(_GAP) or self.src.endswith(_GAP):
            raise PatternError("must not start or end with a gap '…'")
        return CompiledPattern(regex, min_len, sample, anchors[0] if anchors else "")

    def _alternatives(self) -> tuple[str, int, str, list[str]]:
        branches = [self._sequence()]
        while self.i < len(self.src) and self.src[self.i] == "|":
            self.i += 1
            branches.append(self._sequence())
        if len(branches) == 1:
            return branches[0]
        for regex, _, _, _ in branches:
            if not regex:
                raise PatternError("empty alternative in '(…|…)'")
        regex = "(?:" + "|".join(b[0] for b in branches) + ")"
        anchors = branches[0][3] if all(b[3] == branches[0][3] for b in branches) else []
        return regex, min(b[1] for b in branches), branches[0][2], anchors

    def _sequence(self) -> tuple[str, int, str, list[str]]:
        parts: list[str] = []
        min_len = 0
        sample: list[str] = []
        runs: list[str] = []  # mandatory literal runs, in order
        run = ""
        while self.i < len(self.src) and self.src[self.i] not in "|)":
            char = self.src[self.i]
            self.i += 1
            if char == "?":
                raise PatternError(f"'?' at character {self.i} follows nothing")
            if char == "(":
                regex, atom_min, atom_sample, _ = self._alternatives()
                if self.i >= len(self.src) or self.src[self.i] != ")":
                    raise PatternError("'(' is never closed")
                self.i += 1
                literal = None
            elif char == _GAP:
                if parts and parts[-1] == _GAP_REGEX:
                    raise PatternError("two gaps in a row")
                regex, atom_min, atom_sample, literal = _GAP_REGEX, 0, "", None
            else:
                regex, atom_min, atom_sample, literal = _literal(char), 1, char, char
            optional = self.i < len(self.src) and self.src[self.i] == "?"
            if optional:
                self.i += 1
                if char == _GAP:
                    raise PatternError("a gap '…' is already optional")
                regex = f"(?:{regex})?"
                atom_min = 0
            if literal is not None and not optional:
                run += literal
            else:
                if run:
                    runs.append(run)
                run = ""
            parts.append(regex)
            min_len += atom_min
            sample.append(atom_sample)
        if run:
            runs.append(run)
        return "".join(parts), min_len, "".join(sample), runs


def compile_pattern(source: str) -> CompiledPattern:
    """The regex for one rule or exception pattern; PatternError says what is wrong."""
    return _Parser(source).parse()


def rule_problems(rule: PhraseRule) -> list[tuple[str, str]]:
    """(field, message) for each mistake in one rule; empty when it compiles and is coherent."""
    problems: list[tuple[str, str]] = []
    field = "pattern" if rule.pattern else "phrase"
    try:
        compiled = compile_pattern(rule.pattern or rule.phrase)
    except PatternError as e:
        return [(field, f"invalid pattern: {e}")]
    regex = re.compile(compiled.regex)
    if rule.pattern and not regex.search(normalize(rule.phrase)):
        problems.append(("phrase", f"'{rule.phrase}' is not matched by its own pattern"))
    for i, source in enumerate(rule.exceptions):
        try:
            exception = compile_pattern(source)
        except PatternError as e:
            problems.append((f"except[{i}]", f"invalid pattern: {e}"))
            continue
        anchor = (compiled.anchor or normalize(rule.phrase)).replace("您", "你")
        if regex.search(exception.sample) is None and anchor not in exception.sample.replace(
            "您", "你"
        ):
            problems.append(
                (f"except[{i}]", f"'{source}' does not contain the phrase, so it never applies")
            )
    return problems


@dataclass(frozen=True, slots=True)
class PhraseHit:
    start: int  # code-point offsets into the text given to `check`
    end: int
    phrase: str  # the rule's phrase, as the pack spells it
    alternative: str
    reason: str


class PhraseChecker:
    """Finds the pack's negative phrases, left to right; at one position the longest rule wins.

    Rules that do not compile are skipped here (the loader reports them), so a checker can
    always be built.
    """

    def __init__(self, rules: Iterable[PhraseRule], extra_rules: Iterable[PhraseRule] = ()) -> None:
        self._rules: list[PhraseRule] = []
        compiled: list[tuple[CompiledPattern, int]] = []
        seen: set[str] = set()
        self._rule_exceptions: dict[int, list[re.Pattern[str]]] = {}
        for rule in (*rules, *extra_rules):
            try:
                pattern = compile_pattern(rule.pattern or rule.phrase)
            except PatternError:
                continue
            if pattern.regex in seen:  # the first rule for a phrase wins
                continue
            seen.add(pattern.regex)
            index = len(self._rules)
            self._rules.append(rule)
            compiled.append((pattern, index))
            exceptions = []
            for source in rule.exceptions:
                try:
                    exceptions.append(re.compile(compile_pattern(source).regex))
                except PatternError:
                    continue
            if exceptions:
                self._rule_exceptions[index] = exceptions
        compiled.sort(key=lambda item: (-item[0].min_len, -len(item[0].sample), item[1]))
        self._pattern = (
            re.compile("|".join(f"(?P<r{i}>{p.regex})" for p, i in compiled)) if compiled else None
        )
        self._single = {i: re.compile(p.regex) for p, i in compiled}
        self._order = [i for _, i in compiled]

    @property
    def rules(self) -> tuple[PhraseRule, ...]:
        return tuple(self._rules)

    def check(self, text: str) -> list[PhraseHit]:
        """Hits in text order; they never overlap."""
        if self._pattern is None or not text:
            return []
        norm = normalize(text)
        hits: list[PhraseHit] = []
        pos, n = 0, len(norm)
        while pos < n:
            match = self._pattern.search(norm, pos)
            if match is None:
                break
            index = int(match.lastgroup[1:])  # type: ignore[index]
            start, end = match.span()
            if self._excepted(norm, index, start):
                found = self._fallback(norm, start, index)
                if found is None:
                    pos = start + 1
                    continue
                index, end = found
            rule = self._rules[index]
            hits.append(PhraseHit(start, end, rule.phrase, rule.alternative, rule.reason))
            pos = max(end, start + 1)
        return hits

    def _excepted(self, norm: str, index: int, start: int) -> bool:
        """Whether an exception of rule `index` matches across position `start`."""
        exceptions = self._rule_exceptions.get(index)
        if not exceptions:
            return False
        lo, hi = max(0, start - _EXCEPTION_REACH), min(len(norm), start + _EXCEPTION_REACH)
        for exception in exceptions:
            for match in exception.finditer(norm, lo, hi):
                if match.start() > start:
                    break
                if start < match.end():
                    return True
        return False

    def _fallback(self, norm: str, start: int, excepted: int) -> tuple[int, int] | None:
        """Another rule that matches at `start` and is not excepted there, longest first."""
        for index in self._order:
            if index == excepted:
                continue
            match = self._single[index].match(norm, start)
            if match and not self._excepted(norm, index, start):
                return index, match.end()
        return None
