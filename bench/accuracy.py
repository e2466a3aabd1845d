"""Accuracy of the intent suggester, bundled pack, jieba loaded: top-1 and top-2 hit rates on
the development set (tests/eval/intent_samples.toml, which the keywords were tuned on and the
model trained on: a check, not an estimate) and on the held-out set (intent_heldout.toml,
never tuned or trained on: the honest figure), plus the development set cross-validated."""

from __future__ import annotations

from bench.common import Figures, benchmark, child_main, run_child


@benchmark(
    "suggest_top1_acc",
    "suggest_top2_acc",
    "suggest_heldout_top1_acc",
    "suggest_heldout_top2_acc",
)
def run(quick: bool) -> Figures:
    return run_child("accuracy", timeout=300)


def child(args: list[str]) -> Figures:
    from bench.text_setup import bundled_pack, loaded_segmenter
    from desktop.core.text.intent import IntentSuggester
    from tests.eval.crossval_intent import crossval
    from tests.eval.samples import hit_rates, load_eval_samples, load_heldout_samples

    pack, segmenter = bundled_pack(), loaded_segmenter()
    suggester = IntentSuggester(pack, segmenter)
    samples, heldout = load_eval_samples(), load_heldout_samples()
    dev1, dev2 = hit_rates(suggester, samples)
    held1, held2 = hit_rates(suggester, heldout)
    cv1, cv2 = crossval(pack, segmenter)
    out = Figures(
        suggest_top1_acc=dev1,
        suggest_top2_acc=dev2,
        suggest_heldout_top1_acc=held1,
        suggest_heldout_top2_acc=held2,
    )
    out.notes.append(
        f"accuracy: {len(samples)} development samples (tuned and trained on), "
        f"{len(heldout)} held-out samples (never tuned or trained on); development set "
        f"cross-validated (10 folds x 3, model retrained per fold, keywords seen only in the "
        f"fold dropped): top-1 {cv1:.3f}, top-2 {cv2:.3f}"
    )
    return out


if __name__ == "__main__":
    child_main(child)
