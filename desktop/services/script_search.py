"""Search-as-you-type over the talk tracks, with an in-memory SQLite FTS5 index.

FTS5's own tokenizers cannot cut Chinese into words (unicode61 sees a whole clause as one
token; trigram misses two-character words such as 物流). So the index holds each script's
overlapping character pairs and single characters, and the query is cut into words by
jieba: every query word must occur as a run of pairs (物流信息 → "物流 流信 信息"), in any
order. That finds two-character words, words cut differently on the two sides, and partial
words while typing. Cutting the scripts themselves with jieba (about 2 µs a character)
would take seconds for 10,000 scripts; the pairs find the same words.

Results rank by fit with the current call type and step first, then by match quality
(bm25, a title hit counting most) and past use.
"""

from __future__ import annotations

import heapq
import math
import operator
import re
import sqlite3
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from desktop.core.breather import background
from desktop.core.content.model import ANY_CALL_TYPE, Script
from desktop.core.text.normalize import is_cjk, normalize
from desktop.core.text.segmenter import Segmenter

# bm25 column weights: title (and tags) pairs and characters, text pairs and characters.
_WEIGHTS = "6.0, 2.0, 2.0, 0.5"
_USAGE_WEIGHT = 0.5  # past use adds at most half of the best match's relevance
# Above this many matches (a first keystroke like 您) bm25 is both slow and meaningless:
# such results rank by fit, past use and pack order alone.
_SCORED_MATCHES = 400
# Broad queries (a first keystroke) cost the most to match and recur the most (the first
# character of every search): their matches are kept, per index, for this many queries.
_BROAD_CACHED = 64
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")
# Each Chinese character alone, other runs (wifi, 12315) whole.
_CHAR_OR_WORD = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]|[^\\s\u3400-\u4dbf\u4e00-\u9fff]+")
_SCHEMA = """
CREATE VIRTUAL TABLE scripts USING fts5(head_bi, head_uni, bi, uni, tokenize = 'unicode61')
"""
_MATCHES = "SELECT rowid FROM scripts WHERE scripts MATCH ?"
_SCORES = f"SELECT rowid, bm25(scripts, {_WEIGHTS}) FROM scripts WHERE scripts MATCH ?"
_NOTHING: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class _Index:
    db: sqlite3.Connection
    ids: tuple[str, ...]  # script id by rowid - 1
    rowids: dict[str, int]
    by_type: dict[str, frozenset[int]]
    by_step: dict[str, frozenset[int]]
    broad: dict[str, frozenset[int]]  # matches of recent broad queries (guarded by the lock)


class ScriptSearch:
    """Full-text search over scripts; rebuild on any thread, search on another."""

    def __init__(self, segmenter: Segmenter) -> None:
        self._segmenter = segmenter
        self._lock = threading.Lock()
        self._index = self._build(())

    def rebuild(self, scripts: Sequence[Script]) -> None:
        """Index `scripts` and install the result (build and install in one go)."""
        self.install(self.build(scripts))

    def build(self, scripts: Sequence[Script]) -> _Index:
        """A new index for `scripts`, on any thread; searches go on against the old one."""
        return self._build(scripts)

    def install(self, index: _Index) -> None:
        """Replace the index (the app does this on the GUI thread, in the runner's on_done)."""
        with self._lock:
            old, self._index = self._index, index
        old.db.close()

    def search(
        self,
        query: str,
        call_type: str | None = None,
        step: str | None = None,
        usage: Mapping[str, int] | None = None,
        limit: int = 20,
    ) -> list[str]:
        """Ids of the scripts matching every word of `query`, best first ([] for no query).

        When no script has every word, scripts with any of them are returned instead.
        """
        terms = self._terms(query)
        if not terms or limit <= 0:
            return []
        with self._lock:
            index = self._index
            match = " AND ".join(terms)
            matched, scores = self._matches(index, match)
            if not matched and len(terms) > 1:
                matched, scores = self._matches(index, " OR ".join(terms))
        ranking = _Ranking(index, call_type, step, usage or {})
        rowids = ranking.by_relevance(scores, limit) if scores else ranking.by_fit(matched, limit)
        return [index.ids[r - 1] for r in rowids]

    @staticmethod
    def _matches(index: _Index, match: str) -> tuple[Collection[int], dict[int, float]]:
        """Rowids matching the FTS5 expression, and their bm25 scores unless there are too
        many to score; a broad expression's rowids come from the cache when it recurs."""
        cached = index.broad.get(match)
        if cached is not None:
            return cached, {}
        matched = [r for (r,) in index.db.execute(_MATCHES, (match,))]
        if len(matched) <= _SCORED_MATCHES:
            return matched, dict(index.db.execute(_SCORES, (match,))) if matched else {}
        if len(index.broad) >= _BROAD_CACHED:
            del index.broad[next(iter(index.broad))]
        rows = index.broad[match] = frozenset(matched)
        return rows, {}

    def _terms(self, query: str) -> list[str]:
        """One FTS5 expression per query word; every word is quoted, so no syntax leaks in.

        Single characters (给, 您) only count when they are the whole query.
        """
        tokens = [t for t in self._segmenter.cut(normalize(query)) if any(map(str.isalnum, t))]
        if len(tokens) > 1:
            tokens = [t for t in tokens if len(t) > 1 or not is_cjk(t)] or tokens
        terms = []
        for token in dict.fromkeys(tokens):
            quoted = '"' + token.replace('"', '""') + '"'
            if all(map(is_cjk, token)) and len(token) > 1:
                terms.append(f'{{head_bi bi}} : "{" ".join(_pairs(token))}"')
            else:
                terms.append(f"{{head_uni uni}} : {quoted}*")
        return terms

    def _build(self, scripts: Sequence[Script]) -> _Index:
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.execute(_SCHEMA)
        db.executemany(
            "INSERT INTO scripts (rowid, head_bi, head_uni, bi, uni) VALUES (?, ?, ?, ?, ?)",
            ((i, *self._columns(s)) for i, s in enumerate(background.paced(scripts), 1)),
        )
        db.commit()
        by_type: dict[str, set[int]] = {}
        by_step: dict[str, set[int]] = {}
        for rowid, script in enumerate(scripts, 1):
            by_type.setdefault(script.call_type, set()).add(rowid)
            by_step.setdefault(script.step, set()).add(rowid)
        return _Index(
            db,
            tuple(s.id for s in scripts),
            {s.id: i for i, s in enumerate(scripts, 1)},
            {k: frozenset(v) for k, v in by_type.items()},
            {k: frozenset(v) for k, v in by_step.items()},
            {},
        )

    @staticmethod
    def _columns(script: Script) -> tuple[str, str, str, str]:
        head = normalize(f"{script.title} {' '.join(script.tags)}")
        text = normalize(_PLACEHOLDER.sub(" ", script.text))
        return (*_grams(head), *_grams(text))


def _pairs(run: str) -> map[str]:
    return map(operator.add, run, run[1:])


def _grams(text: str) -> tuple[str, str]:
    """Space-joined character pairs of each Chinese run; each character, other words whole."""
    pairs = " ".join(" ".join(_pairs(run)) for run in _CJK_RUN.findall(text))
    return pairs, " ".join(_CHAR_OR_WORD.findall(text))


class _Ranking:
    """Orders matched rows: fit with the call type and step, then relevance and past use."""

    def __init__(
        self, index: _Index, call_type: str | None, step: str | None, usage: Mapping[str, int]
    ) -> None:
        self._type = index.by_type.get(call_type, _NOTHING) if call_type else _NOTHING
        self._any = index.by_type.get(ANY_CALL_TYPE, _NOTHING) if call_type else _NOTHING
        self._step = index.by_step.get(step, _NOTHING) if step else _NOTHING
        self._uses = {index.rowids[i]: n for i, n in usage.items() if n > 0 and i in index.rowids}
        self._most_used = math.log1p(max(self._uses.values(), default=0)) or 1.0

    def fit(self, rowid: int) -> int:
        """2 for the call type itself, 1 for a script for any type; +1 for the step."""
        return 2 * (rowid in self._type) + (rowid in self._any) + (rowid in self._step)

    def bonus(self, rowid: int) -> float:
        return _USAGE_WEIGHT * math.log1p(self._uses.get(rowid, 0)) / self._most_used

    def by_relevance(self, scores: Mapping[int, float], limit: int) -> list[int]:
        best = max(-s for s in scores.values()) or 1.0  # bm25 is negative, lower is better

        def key(rowid: int) -> tuple[int, float, int]:
            return -self.fit(rowid), scores[rowid] / best - self.bonus(rowid), rowid

        return sorted(scores, key=key)[:limit]

    def by_fit(self, matched: Collection[int], limit: int) -> list[int]:
        """For very many matches: fit tiers by set operations, then past use, then rowid.

        Tiers are made one at a time: the first ones (this type and step) usually fill the
        page, and the last (everything else) is the largest."""
        rows = matched if isinstance(matched, frozenset) else frozenset(matched)
        typed, any_, step = self._type & rows, self._any & rows, self._step & rows
        tiers = (
            lambda: typed & step,
            lambda: (typed - step) | (any_ & step),
            lambda: (any_ - step) | (step - typed - any_),
            lambda: rows - typed - any_ - step,
        )
        result: list[int] = []
        for tier_of in tiers:
            tier = tier_of()
            used = sorted(tier & self._uses.keys(), key=lambda r: (-self._uses[r], r))
            result += used[: limit - len(result)]
            if len(result) < limit:
                result += heapq.nsmallest(limit - len(result), tier - self._uses.keys())
            if len(result) >= limit:
                break
        return result
