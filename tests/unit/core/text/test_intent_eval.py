"""Accuracy of the intent suggestions on the labelled set, with the bundled pack and jieba."""

from __future__ import annotations

from desktop.core.content.model import ContentPack
from desktop.core.text.intent import IntentSuggester
from desktop.core.text.normalize import normalize
from desktop.core.text.segmenter import Segmenter
from tests.eval.samples import load_eval_samples


def test_eval_set_is_varied_enough(bundled_pack: ContentPack) -> None:
    samples = load_eval_samples()
    assert len(samples) >= 120
    assert {t for _, t in samples} == {t.key for t in bundled_pack.call_types}
    assert len({text for text, _ in samples}) == len(samples)
    traditional = [text for text, _ in samples if normalize(text) != text.lower()]
    assert len(traditional) >= 0.15 * len(samples)


def test_top1_and_top2_accuracy(bundled_pack: ContentPack, segmenter: Segmenter) -> None:
    suggester = IntentSuggester(bundled_pack, segmenter)
    samples = load_eval_samples()
    top1 = top2 = 0
    for text, want in samples:
        got = [s.call_type for s in suggester.suggest(text, top=2)]
        top1 += got[:1] == [want]
        top2 += want in got
    assert top1 / len(samples) >= 0.85
    assert top2 / len(samples) >= 0.95
