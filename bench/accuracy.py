"""Accuracy of the intent suggester on the labelled evaluation set (tests/eval), bundled pack,
jieba loaded: top-1 and top-2 hit rates."""

from __future__ import annotations

from bench.common import Figures, benchmark, child_main, run_child


@benchmark("suggest_top1_acc", "suggest_top2_acc")
def run(quick: bool) -> Figures:
    return run_child("accuracy", timeout=300)


def child(args: list[str]) -> Figures:
    from bench.text_setup import bundled_pack, loaded_segmenter
    from desktop.core.text.intent import IntentSuggester
    from tests.eval.samples import load_eval_samples

    suggester = IntentSuggester(bundled_pack(), loaded_segmenter())
    samples = load_eval_samples()
    if not samples:
        raise RuntimeError("the evaluation set is empty")
    top1 = top2 = 0
    for text, want in samples:
        got = [s.call_type for s in suggester.suggest(text, top=2)]
        top1 += got[:1] == [want]
        top2 += want in got
    out = Figures(suggest_top1_acc=top1 / len(samples), suggest_top2_acc=top2 / len(samples))
    out.notes.append(f"accuracy: {len(samples)} labelled samples")
    return out


if __name__ == "__main__":
    child_main(child)
