"""Catch negative wording in what the agent types (不行, 没办法, 你必须…) and offer a better line.

A rule's `pattern` (or, without one, its `phrase`) is written in a small language a team lead
can read (see phrases.toml):

- `(a|b)`   one of the alternatives; `|` at the top level works too;
- `?`       after a character or a `)`: optional;
- `…`       a short gap: up to GAP_CHARS characters that are not punctuation (不归…管);
- `你`/`您` each stand for both forms, and traditional characters for simplified ones.

A rule may carry exceptions (`except`, same language): polite idioms that contain the negative
word (能不能麻烦您, 不知道您…). A hit is dropped when one of its rule's exceptions matches across
its start. The rules compile into one matcher over the normalised text: a character-class scan finds
where a rule can start, and one alternation per starting character (longest rule first)
is tried there; normalisation keeps every character's position, so hits point into the
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
    from desktop.core.content.reasons import Said

GAP_CHARS = 4
_GAP = "…"
_PUNCT = " \t\r\n,.!?;:，。！？；：、…\"'“”‘’()（）【】《》<>~～-"
_GAP_REGEX = f"[^{re.escape(_PUNCT)}]{{0,{GAP_CHARS}}}?"
_SPECIAL = "()|?" + _GAP
# How far around a hit an exception may reach (a long exception: 能不能麻烦您帮我…).
_EXCEPTION_REACH = 24


class PatternError(ValueError):
    """A rule pattern that cannot be compiled; the message is for the pack author, in English
    (`content check`) and in Chinese (`zh`, the team lead's panel)."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    regex: str  # Python regex source, no capturing groups
    min_len: int  # the fewest characters it can match
    sample: str  # one text it matches: the first alternatives, optional parts kept, gaps empty
    anchor: str  # its first run of characters every match contains (for checking exceptions)
    first: frozenset[str]  # the characters a match can start with


@dataclass(frozen=True, slots=True)
class _Part:
    regex: str
    min_len: int
    sample: str
    runs: tuple[str, ...]  # mandatory literal runs, in order
    first: frozenset[str] | None  # None: can start with any character (a gap)
    nullable: bool  # can match the empty string


def _literal(char: str) -> _Part:
    chars = frozenset("你您") if char in "你您" else frozenset(char)
    regex = "[你您]" if char in "你您" else re.escape(char)
    return _Part(regex, 1, char, (char,), chars, False)


_GAP_PART = _Part(_GAP_REGEX, 0, "", (), None, True)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = normalize(source).replace("……", _GAP).replace("...", _GAP)
        self.i = 0

    def parse(self) -> CompiledPattern:
        if not self.src.strip():
            raise PatternError("empty pattern", "规则是空的")
        part = self._alternatives()
        if self.i < len(self.src):
            raise PatternError(
                f"unbalanced ')' at character {self.i + 1}",
                f"第 {self.i + 1} 个字符处的“)”没有配对的“(”",
            )
        if part.min_len < 2:
            raise PatternError(
                "can match fewer than two characters (too broad)", "可能只匹配不到两个字，范围太宽"
            )
        if part.first is None or self.src.endswith(_GAP):
            raise PatternError("must not start or end with a gap '…'", "不能以间隔“…”开头或结尾")
        anchor = part.runs[0] if part.runs else ""
        return CompiledPattern(part.regex, part.min_len, part.sample, anchor, part.first)

    def _alternatives(self) -> _Part:
        branches = [self._sequence()]
        while self.i < len(self.src) and self.src[self.i] == "|":
            self.i += 1
            branches.append(self._sequence())
        if len(branches) == 1:
            return branches[0]
        if any(not b.regex for b in branches):
            raise PatternError("empty alternative in '(…|…)'", "“(…|…)”里有空的选项")
        first: frozenset[str] | None = frozenset()
        for b in branches:
            first = None if first is None or b.first is None else first | b.first
        runs = branches[0].runs if all(b.runs == branches[0].runs for b in branches) else ()
        return _Part(
            "(?:" + "|".join(b.regex for b in branches) + ")",
            min(b.min_len for b in branches),
            branches[0].sample,
            runs,
            first,
            any(b.nullable for b in branches),
        )

    def _sequence(self) -> _Part:
        parts: list[_Part] = []
        runs: list[str] = []
        run = ""
        first: frozenset[str] | None = frozenset()
        nullable = True
        while self.i < len(self.src) and self.src[self.i] not in "|)":
            char = self.src[self.i]
            self.i += 1
            if char == "?":
                raise PatternError(
                    f"'?' at character {self.i} follows nothing",
                    f"第 {self.i} 个字符处的“?”前面没有可省略的内容",
                )
            if char == "(":
                atom = self._alternatives()
                if self.i >= len(self.src) or self.src[self.i] != ")":
                    raise PatternError("'(' is never closed", "“(”没有配对的“)”")
                self.i += 1
                literal = False
            elif char == _GAP:
                if parts and parts[-1] is _GAP_PART:
                    raise PatternError("two gaps in a row", "连续写了两个间隔“…”")
                atom, literal = _GAP_PART, False
            else:
                atom, literal = _literal(char), True
            if self.i < len(self.src) and self.src[self.i] == "?":
                self.i += 1
                if char == _GAP:
                    raise PatternError(
                        "a gap '…' is already optional", "间隔“…”本来就可有可无，后面不能再加“?”"
                    )
                atom = _Part(f"(?:{atom.regex})?", 0, atom.sample, (), atom.first, True)
                literal = False
            if literal:
                run += char
            elif run:
                runs.append(run)
                run = ""
            if nullable:
                first = None if first is None or atom.first is None else first | atom.first
                nullable = atom.nullable
            parts.append(atom)
        if run:
            runs.append(run)
        return _Part(
            "".join(p.regex for p in parts),
            sum(p.min_len for p in parts),
            "".join(p.sample for p in parts),
            tuple(runs),
            first,
            nullable,
        )


def compile_pattern(source: str) -> CompiledPattern:
    """The regex for one rule or exception pattern; PatternError says what is wrong."""
    return _Parser(source).parse()


def rule_problems(rule: PhraseRule) -> list[tuple[str, Said]]:
    """(field, reason) for each mistake in one rule; empty when it compiles and is coherent."""
    from desktop.core.content.reasons import say  # the content package imports this module

    def invalid(e: PatternError) -> Said:
        return say("invalid_pattern", detail=e, detail_zh=e.zh)

    problems: list[tuple[str, Said]] = []
    field = "pattern" if rule.pattern else "phrase"
    try:
        compiled = compile_pattern(rule.pattern or rule.phrase)
    except PatternError as e:
        return [(field, invalid(e))]
    regex = re.compile(compiled.regex)
    if rule.pattern and not regex.search(normalize(rule.phrase)):
        problems.append(("phrase", say("phrase_not_matched", phrase=rule.phrase)))
    for i, source in enumerate(rule.exceptions):
        try:
            exception = compile_pattern(source)
        except PatternError as e:
            problems.append((f"except[{i}]", invalid(e)))
            continue
        anchor = (compiled.anchor or normalize(rule.phrase)).replace("您", "你")
        if regex.search(exception.sample) is None and anchor not in exception.sample.replace(
            "您", "你"
        ):
            problems.append((f"except[{i}]", say("exception_never_applies", source=source)))
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
        self._single = {i: re.compile(p.regex) for p, i in compiled}
        # The rules are split by the character a match starts with: one alternation per
        # starting character, tried only where the text has such a character (found by one
        # character-class scan), so a keystroke costs a few short match attempts.
        by_first: dict[str, list[tuple[CompiledPattern, int]]] = {}
        for pattern, index in compiled:
            for char in pattern.first:
                by_first.setdefault(char, []).append((pattern, index))
        self._order = {char: [i for _, i in group] for char, group in by_first.items()}
        self._by_first = {
            char: re.compile("|".join(f"(?P<r{i}>{p.regex})" for p, i in group))
            for char, group in by_first.items()
        }
        self._starts = (
            re.compile("[" + "".join(re.escape(c) for c in sorted(by_first)) + "]")
            if by_first
            else None
        )

    @property
    def rules(self) -> tuple[PhraseRule, ...]:
        return tuple(self._rules)

    def check(self, text: str) -> list[PhraseHit]:
        """Hits in text order; they never overlap."""
        if self._starts is None or not text:
            return []
        norm = normalize(text)
        hits: list[PhraseHit] = []
        pos = 0
        for candidate in self._starts.finditer(norm):
            start = candidate.start()
            if start < pos:
                continue
            char = norm[start]
            match = self._by_first[char].match(norm, start)
            if match is None:
                continue
            index = int(match.lastgroup[1:])  # type: ignore[index]
            end = match.end()
            if self._excepted(norm, index, start):
                found = self._fallback(norm, start, index, char)
                if found is None:
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

    def _fallback(self, norm: str, start: int, excepted: int, char: str) -> tuple[int, int] | None:
        """Another rule that matches at `start` and is not excepted there, longest first."""
        for index in self._order[char]:
            if index == excepted:
                continue
            match = self._single[index].match(norm, start)
            if match and not self._excepted(norm, index, start):
                return index, match.end()
        return None
