"""The labelled intent utterances in intent_samples.toml, for the accuracy test and the bench."""

from __future__ import annotations

import tomllib
from pathlib import Path

SAMPLES_FILE = Path(__file__).with_name("intent_samples.toml")


def load_eval_samples() -> list[tuple[str, str]]:
    """(text, call type key) pairs, grouped by type in file order."""
    data = tomllib.loads(SAMPLES_FILE.read_text(encoding="utf-8"))
    return [(text, call_type) for call_type, texts in data.items() for text in texts]
