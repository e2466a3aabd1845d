"""The labelled intent utterances, for the accuracy tests and the bench.

intent_samples.toml is the development set: the keyword weights were tuned on it and the
shipped intent model is trained on it, so its accuracy says little about new text.
intent_heldout.toml was written before any of that tuning and is never trained or tuned on:
its accuracy is the honest figure.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

SAMPLES_FILE = Path(__file__).with_name("intent_samples.toml")
HELDOUT_FILE = Path(__file__).with_name("intent_heldout.toml")


def _load(path: Path) -> list[tuple[str, str]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [(text, call_type) for call_type, texts in data.items() for text in texts]


def load_eval_samples() -> list[tuple[str, str]]:
    """(text, call type key) pairs of the development set, grouped by type in file order."""
    return _load(SAMPLES_FILE)


def load_heldout_samples() -> list[tuple[str, str]]:
    """(text, call type key) pairs of the held-out set: for measuring only, never training."""
    return _load(HELDOUT_FILE)


class _Suggests(Protocol):
    def suggest(self, text: str, top: int = 2) -> Sequence[object]: ...


def hit_rates(suggester: _Suggests, samples: list[tuple[str, str]]) -> tuple[float, float]:
    """Top-1 and top-2 hit rates of `suggester` on (text, call type) samples."""
    if not samples:
        raise ValueError("an evaluation set is empty")
    top1 = top2 = 0
    for text, want in samples:
        got = [s.call_type for s in suggester.suggest(text, top=2)]  # type: ignore[attr-defined]
        top1 += got[:1] == [want]
        top2 += want in got
    return top1 / len(samples), top2 / len(samples)
