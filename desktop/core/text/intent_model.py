"""A small naive Bayes model of the call types over words and characters, beside the keywords.

Multinomial naive Bayes on binary features of a text: jieba's words (negated ones marked, so
不是投诉 is not 投诉), and the single characters and character pairs of each run of Chinese, which
carry a word the model never saw whole (退换 in 退换货, 约 in 约个时间). Numbers and codes become
shapes (E1003 → a code). The class prior is uniform: any type may call.

It ships trained on the bundled labelled utterances and the content pack's text (see
tests/eval/build_intent_model.py, which writes resources/text/intent_model.tsv), and learns
more from `add`, e.g. the agent's own classified calls. Counts are kept, so training later
simply adds to them. Not thread-safe: train and score from the same thread.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from desktop.core.text.matching import Analysis
from desktop.core.text.normalize import is_cjk
from desktop.paths import resources_dir

FORMAT = "callassist-intent-nb 1"
ALPHA = 0.5  # add-alpha smoothing of the counts

WORD, NEGATED = "_", "!"  # prefixes: a jieba word, a negated jieba word; bare = characters
CODE, NUMBER = "#code", "#num"

_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")
_CODE = re.compile(r"[a-z]{1,3}-?\d{1,6}")
_NUMBER = re.compile(r"\d+")
_ASCII_WORD = re.compile(r"[a-z]{2,}")


def model_path() -> Path:
    return resources_dir() / "text" / "intent_model.tsv"


def features(analysis: Analysis) -> list[str]:
    """The distinct features of an analysed text, in text order."""
    out: list[str] = []
    text = analysis.text
    negated: set[int] = set()  # positions inside negated words (a set: one look-up a char)
    offset = 0
    for token in analysis.tokens:
        start = offset
        offset += len(token)
        if is_cjk(token[0]):
            if analysis.negated(start, offset):
                out.append(NEGATED + token)
                negated.update(range(start, offset))
            elif len(token) > 1:
                out.append(WORD + token)
        elif token.isascii() and token.isalnum():
            if _CODE.fullmatch(token):
                out.append(CODE)
            elif _NUMBER.fullmatch(token):
                out.append(f"{NUMBER}{min(len(token), 6)}")
            elif _ASCII_WORD.fullmatch(token):
                out.append(WORD + token)
    for match in _CJK_RUN.finditer(text):
        run, base = match.group(), match.start()
        if not negated or negated.isdisjoint(range(base, base + len(run))):
            out.extend(_run_features(run))
            continue
        for i, char in enumerate(run):
            if base + i in negated:
                continue
            out.append(char)
            if i + 1 < len(run):
                out.append(run[i : i + 2])
    return list(dict.fromkeys(out))


@lru_cache(maxsize=4096)  # a note's earlier runs are the same on every keystroke
def _run_features(run: str) -> tuple[str, ...]:
    """The characters and character pairs of one run of Chinese, in order."""
    out: list[str] = []
    for i, char in enumerate(run):
        out.append(char)
        if i + 1 < len(run):
            out.append(run[i : i + 2])
    return tuple(out)


def display(feature: str) -> str:
    """The feature as the agent would read it in a reason ("" for shapes and negations)."""
    if feature.startswith(WORD):
        return feature[len(WORD) :]
    if feature.startswith((NEGATED, "#")):
        return ""
    return feature


class IntentModel:
    """Counts of features per call type, and the smoothed log-probabilities they give."""

    def __init__(self, classes: Sequence[str], alpha: float | None = None) -> None:
        self.classes = tuple(classes)
        self.alpha = ALPHA if alpha is None else alpha
        self._index = {c: i for i, c in enumerate(self.classes)}
        self._counts: dict[str, list[float]] = {}
        self._totals = [0.0] * len(self.classes)
        self._logp: dict[str, tuple[float, ...]] = {}
        self._dirty = False

    @property
    def empty(self) -> bool:
        return not self._counts

    def add(self, feats: Iterable[str], call_type: str, weight: float = 1.0) -> bool:
        """Count one labelled text's features; False (and nothing counted) for an unknown type."""
        i = self._index.get(call_type)
        if i is None or weight <= 0:
            return False
        n = len(self.classes)
        for feature in feats:
            row = self._counts.get(feature)
            if row is None:
                row = self._counts[feature] = [0.0] * n
            row[i] += weight
            self._totals[i] += weight
        self._dirty = True
        return True

    def log_likelihoods(self, feats: Iterable[str]) -> tuple[list[float], list[str]]:
        """Per class, the summed log-probability of the known features; and those features."""
        if self._dirty:
            self._refresh()
        table = self._logp
        known = [f for f in feats if f in table]
        if not known:
            return [0.0] * len(self.classes), known
        return [sum(column) for column in zip(*(table[f] for f in known), strict=True)], known

    def weight_of(self, feature: str, class_index: int) -> float:
        """How much more the feature says for this class than for the others on average."""
        if self._dirty:
            self._refresh()
        row = self._logp.get(feature)
        if row is None:
            return 0.0
        return row[class_index] - (sum(row) - row[class_index]) / max(1, len(row) - 1)

    def prepare(self, breathe: Callable[[], None] | None = None, every: int = 5000) -> None:
        """Work out the log-probabilities now, not at the first suggestion (the demo data's
        learned model, ~60,000 features: 30-60 ms on the GUI thread, measured): a worker calls
        it before handing the model over, with `breathe` between slices of `every` features."""
        if self._dirty:
            self._refresh(breathe, every)

    def _refresh(self, breathe: Callable[[], None] | None = None, every: int = 5000) -> None:
        a, vocabulary = self.alpha, len(self._counts)
        denominators = [math.log(total + a * vocabulary) for total in self._totals]
        log = math.log
        logp: dict[str, tuple[float, ...]] = {}
        for index, (feature, row) in enumerate(self._counts.items()):
            if breathe is not None and index % every == 0:
                breathe()
            logp[feature] = tuple(log(c + a) - d for c, d in zip(row, denominators, strict=True))
        self._logp = logp
        self._dirty = False

    # —— the resource file: a header, then one feature a line with its non-zero counts ——

    def dumps(self, comment: str = "") -> str:
        lines = [FORMAT, "\t".join(self.classes), f"alpha\t{self.alpha:g}"]
        if comment:
            lines.insert(1, f"# {comment}")
        for feature in sorted(self._counts):
            row = self._counts[feature]
            cells = (f"{i}:{_number(c)}" for i, c in enumerate(row) if c)
            lines.append("\t".join((feature, *cells)))
        return "\n".join(lines) + "\n"

    @classmethod
    def loads(cls, text: str) -> IntentModel:
        lines = [line for line in text.splitlines() if not line.startswith("# ")]
        if not lines or lines[0] != FORMAT:
            raise ValueError("not an intent model file")
        classes = lines[1].split("\t")
        alpha = float(lines[2].split("\t")[1])
        model = cls(classes, alpha)
        n = len(classes)
        totals = model._totals
        for line in lines[3:]:
            feature, *cells = line.split("\t")
            row = [0.0] * n
            for cell in cells:
                column, count_text = cell.split(":")
                row[int(column)] = float(count_text)
            model._counts[feature] = row
            for i, count in enumerate(row):
                totals[i] += count
        model._dirty = True
        return model

    def copy(self) -> IntentModel:
        other = IntentModel(self.classes, self.alpha)
        other._counts = {f: row[:] for f, row in self._counts.items()}
        other._totals = self._totals[:]
        other._dirty = True
        return other


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.4g}"


@lru_cache(maxsize=1)
def _bundled() -> IntentModel | None:
    try:
        return IntentModel.loads(model_path().read_text(encoding="utf-8"))
    except (OSError, ValueError, IndexError):
        return None


def bundled_model() -> IntentModel | None:
    """A fresh copy of the shipped model (None if its file is missing or unreadable)."""
    model = _bundled()
    return model.copy() if model is not None else None
