"""Precision and recall of the phrase checker with the bundled rules on the labelled lines."""

from __future__ import annotations

from desktop.core.content.model import ContentPack
from desktop.core.text.normalize import is_cjk, normalize
from desktop.core.text.phrases import PhraseChecker
from tests.eval.phrases import PRECISION_TARGET, RECALL_TARGET, load_labelled, precision_recall


def _traditional(text: str) -> bool:
    return any(normalize(c) != c for c in text if is_cjk(c))


def test_labelled_set_is_big_and_mixed() -> None:
    must_flag, must_not = load_labelled()
    assert len(must_flag) >= 90 and len(must_not) >= 60
    assert len(must_flag) + len(must_not) >= 150
    assert len(set(must_flag) | set(must_not)) == len(must_flag) + len(must_not)
    assert sum(map(_traditional, must_flag)) >= 15
    assert sum(map(_traditional, must_not)) >= 10


def test_precision_and_recall_meet_the_targets(bundled_pack: ContentPack) -> None:
    precision, recall, missed, false_alarms = precision_recall(PhraseChecker(bundled_pack.phrases))
    assert precision >= PRECISION_TARGET, false_alarms
    assert recall >= RECALL_TARGET, missed
