"""The labelled intent utterances, for the accuracy tests and the bench.

intent_samples.toml is the development set: the keyword weights were tuned on it and the
shipped intent model is trained on it, so its accuracy says little about new text.
intent_heldout.toml was written before any of that tuning and is never trained or tuned on:
its accuracy is the honest figure.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

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
