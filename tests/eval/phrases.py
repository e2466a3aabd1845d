"""The labelled agent lines for the phrase checker (phrase_labelled.toml), and its figures.

The set was written before the rules were tuned: every `must_flag` line is one a QA team
would mark down, every `must_not` line a polite or neutral one the checker must leave alone.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from desktop.core.text.phrases import PhraseChecker

LABELLED_FILE = Path(__file__).with_name("phrase_labelled.toml")
PRECISION_TARGET = 0.95
RECALL_TARGET = 0.90


def load_labelled() -> tuple[list[str], list[str]]:
    """(must_flag, must_not) lines."""
    data = tomllib.loads(LABELLED_FILE.read_text(encoding="utf-8"))
    return list(data["must_flag"]), list(data["must_not"])


def precision_recall(checker: PhraseChecker) -> tuple[float, float, list[str], list[str]]:
    """Line-level precision and recall, with the missed lines and the false alarms."""
    must_flag, must_not = load_labelled()
    missed = [line for line in must_flag if not checker.check(line)]
    false_alarms = [line for line in must_not if checker.check(line)]
    flagged = len(must_flag) - len(missed)
    precision = flagged / (flagged + len(false_alarms)) if flagged + len(false_alarms) else 0.0
    return precision, flagged / len(must_flag), missed, false_alarms
