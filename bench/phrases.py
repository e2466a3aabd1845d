"""Phrase checker quality, bundled pack: line-level precision and recall on the labelled agent
lines (tests/eval/phrase_labelled.toml, written before the rules were tuned; simplified and
traditional). A line counts as flagged when the checker finds any hit in it."""

from __future__ import annotations

from bench.common import Figures, benchmark


@benchmark("phrase_precision", "phrase_recall")
def run(quick: bool) -> Figures:
    from desktop.core.content.loader import bundled_pack_dir, load_pack
    from desktop.core.text.phrases import PhraseChecker
    from tests.eval.phrases import load_labelled, precision_recall

    checker = PhraseChecker(load_pack(bundled_pack_dir()).phrases)
    precision, recall, missed, false_alarms = precision_recall(checker)
    must_flag, must_not = load_labelled()
    out = Figures(phrase_precision=precision, phrase_recall=recall)
    out.notes.append(
        f"phrases: {len(must_flag)} lines that must be flagged, {len(must_not)} that must not; "
        f"{len(checker.rules)} rules; missed {len(missed)}, false alarms {len(false_alarms)}"
        + (f" (missed: {'、'.join(missed[:5])})" if missed else "")
        + (f" (false alarms: {'、'.join(false_alarms[:5])})" if false_alarms else "")
    )
    return out
