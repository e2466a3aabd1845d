"""Cross-validated accuracy of the intent suggester on the development set (intent_samples.toml).

    .venv/bin/python -m tests.eval.crossval_intent [--keyword-weight 2.0] [--folds 10] [--seeds 3]

The shipped model is trained on every development sample, so its accuracy on them says
nothing; here each fold is scored by a model trained on the other folds (plus the pack's text).
The keyword weights were also tuned on these samples, so by default ("debiased") a fold only
keeps the keywords that fire in some other fold: a keyword list tuned without the fold would
hardly contain words only that fold uses. This is the figure to tune on; the held-out set
(intent_heldout.toml) is for the final check only.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from dataclasses import replace

from desktop.core.content.model import ContentPack
from desktop.core.text.intent import KEYWORD_WEIGHT, IntentSuggester
from desktop.core.text.matching import Analysis, WordMatcher
from desktop.core.text.segmenter import Segmenter
from tests.eval.build_intent_model import build_model
from tests.eval.samples import load_eval_samples


def stratified_folds(
    samples: list[tuple[str, str]], k: int, seed: int
) -> list[list[tuple[str, str]]]:
    by_type: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sample in samples:
        by_type[sample[1]].append(sample)
    rnd = random.Random(seed)
    folds: list[list[tuple[str, str]]] = [[] for _ in range(k)]
    for group in by_type.values():
        group = group[:]
        rnd.shuffle(group)
        for i, sample in enumerate(group):
            folds[i % k].append(sample)
    return folds


def keywords_firing(pack: ContentPack, segmenter: Segmenter, texts: list[str]) -> set[str]:
    matcher = WordMatcher((k.word, None) for k in pack.intent_keywords)
    return {hit.word for t in texts for hit in matcher.find(Analysis.of(t, segmenter))}


def crossval(
    pack: ContentPack,
    segmenter: Segmenter,
    keyword_weight: float = KEYWORD_WEIGHT,
    k: int = 10,
    seeds: int = 3,
    debias: bool = True,
    use_model: bool = True,
    errors: list[tuple[str, str, str]] | None = None,
) -> tuple[float, float]:
    samples = load_eval_samples()
    top1 = top2 = n = 0
    for seed in range(seeds):
        folds = stratified_folds(samples, k, seed)
        for i, test in enumerate(folds):
            train = [s for j, fold in enumerate(folds) if j != i for s in fold]
            fold_pack = pack
            if debias:
                fired = keywords_firing(pack, segmenter, [t for t, _ in train])
                kept = tuple(kw for kw in pack.intent_keywords if kw.word in fired)
                fold_pack = replace(pack, intent_keywords=kept)
            model = build_model(fold_pack, segmenter, train) if use_model else None
            suggester = IntentSuggester(fold_pack, segmenter, model, keyword_weight)
            for text, want in test:
                got = [s.call_type for s in suggester.suggest(text, top=2)]
                n += 1
                top1 += got[:1] == [want]
                top2 += want in got
                if errors is not None and seed == 0 and got[:1] != [want]:
                    errors.append((want, got[0] if got else "-", text))
    return top1 / n, top2 / n


def main() -> int:
    import tempfile
    from pathlib import Path

    from desktop.core.content.loader import load_pack
    from desktop.paths import content_pack_dir

    parser = argparse.ArgumentParser()
    parser.add_argument("--keyword-weight", type=float, nargs="*", default=[KEYWORD_WEIGHT])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    segmenter = Segmenter(Path(tempfile.gettempdir()) / "callassist-jieba")
    segmenter.load()
    pack = load_pack(content_pack_dir())
    for label, debias, use_model in (
        ("keywords only, debiased", True, False),
        ("keywords + model, debiased", True, True),
        ("keywords + model, as tuned", False, True),
    ):
        for weight in args.keyword_weight if use_model else [1.0]:
            errors: list[tuple[str, str, str]] = []
            t1, t2 = crossval(
                pack, segmenter, weight, args.folds, args.seeds, debias, use_model, errors
            )
            print(f"{label:28} keyword weight {weight:4}: top-1 {t1:.3f}  top-2 {t2:.3f}")
            if args.errors and debias and use_model:
                for want, got, text in errors:
                    print(f"  {want:>9} → {got:<9} {text}")
                print(Counter((w, g) for w, g, _ in errors).most_common(8))
    return 0


if __name__ == "__main__":
    sys.exit(main())
