"""The intent model beside the keywords: the shipped file, learning from classified calls,
reasons from model words, negation, and the evidence the two kinds add up to."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.core.content.model import ContentPack
from desktop.core.text.intent import IntentSuggester
from desktop.core.text.intent_model import (
    IntentModel,
    bundled_model,
    display,
    features,
    model_path,
)
from desktop.core.text.matching import Analysis
from desktop.core.text.segmenter import Segmenter
from tests.eval.build_intent_model import model_text

TYPES = ("inquiry", "complaint", "help", "order", "booking", "status", "fault", "unrelated")


def types(suggestions: list) -> list[str]:
    return [s.call_type for s in suggestions]


def test_shipped_model_file_is_current(bundled_pack: ContentPack, segmenter: Segmenter) -> None:
    """Fails after a change to intent_samples.toml, the pack's text or the features:
    regenerate with `.venv/bin/python -m tests.eval.build_intent_model`."""
    assert model_path().read_text(encoding="utf-8") == model_text(bundled_pack, segmenter)


def test_shipped_model_loads_with_every_call_type(bundled_pack: ContentPack) -> None:
    model = bundled_model()
    assert model is not None and not model.empty
    assert set(model.classes) == {t.key for t in bundled_pack.call_types}
    assert bundled_model() is not model  # each suggester trains its own copy


def test_file_round_trip() -> None:
    model = IntentModel(TYPES)
    model.add(["_投诉", "投", "投诉"], "complaint", 1.0)
    model.add(["_物流", "投"], "status", 0.5)
    again = IntentModel.loads(model.dumps("a comment"))
    assert again.dumps() == model.dumps()
    assert again.log_likelihoods(["投诉"]) == model.log_likelihoods(["投诉"])
    with pytest.raises(ValueError):
        IntentModel.loads("something else\n")


def test_features_words_characters_pairs_and_shapes(segmenter: Segmenter) -> None:
    feats = features(Analysis.of("路由器报错E1003，订单号123456", segmenter))
    assert "_路由器" in feats and "路由" in feats and "由" in feats
    assert "#code" in feats and "#num6" in feats
    assert len(feats) == len(set(feats))
    assert display("_路由器") == "路由器" and display("#code") == "" and display("路由") == "路由"


def test_negated_word_is_its_own_feature(segmenter: Segmenter) -> None:
    feats = features(Analysis.of("我不是要投诉", segmenter))
    assert "!投诉" in feats
    assert "_投诉" not in feats and "投诉" not in feats and "诉" not in feats


def test_model_suggests_wording_no_keyword_covers(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    """With no keywords at all, the shipped model still reads the utterance."""
    s = IntentSuggester(make_pack(), segmenter)
    assert types(s.suggest("你们的快递员态度太恶劣了，我非常生气", top=1)) == ["complaint"]
    assert types(s.suggest("帮我看看我的退款到哪一步了", top=1)) == ["status"]
    [best] = s.suggest("打印机一开机就显示错误代码", top=1)
    assert best.call_type == "fault"
    assert best.reason.endswith("→ 报障") and len(best.reason) > len(" → 报障")


def test_bundled_suggester_respects_negation(
    bundled_pack: ContentPack, segmenter: Segmenter
) -> None:
    s = IntentSuggester(bundled_pack, segmenter)
    assert types(s.suggest("我不是要投诉，就想查一下物流", top=1)) == ["status"]


def test_train_learns_from_classified_calls(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    s = IntentSuggester(make_pack(), segmenter, model=None)
    assert s.suggest("会员卡挂失") == []
    learned = s.train(
        [
            ("客户要挂失会员卡", "help"),
            ("会员卡丢了，要求挂失补办", "help"),
            ("查询会员卡积分", "status"),
            ("", "help"),  # nothing to learn
            ("会员卡挂失", "no-such-type"),  # not a type of this pack
        ]
    )
    assert learned == 3
    [best] = s.suggest("会员卡挂失", top=1)
    assert best.call_type == "help" and "挂失" in best.reason
    assert 0 < best.score < 1


def test_training_one_suggester_leaves_the_others_alone(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    trained, fresh = (IntentSuggester(make_pack(), segmenter) for _ in range(2))
    before = fresh.suggest("小猫小狗寄养", top=3)
    trained.train([("小猫小狗寄养", "booking")] * 20)
    assert types(trained.suggest("小猫小狗寄养", top=1)) == ["booking"]
    assert fresh.suggest("小猫小狗寄养", top=3) == before


def test_keywords_and_model_add_up(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    """A pack keyword moves the suggestion the model alone would make."""
    text = "帮我看看这个东西"
    plain = IntentSuggester(make_pack(), segmenter).suggest(text, top=8)
    keyed = IntentSuggester(make_pack(keywords={"unrelated": {"东西": 5.0}}), segmenter)
    assert types(keyed.suggest(text, top=1)) == ["unrelated"]
    assert types(plain[:1]) != ["unrelated"]


def test_thin_evidence_suggests_nothing(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    s = IntentSuggester(make_pack(), segmenter)
    assert s.suggest("我") == []
    assert s.suggest("，。！") == []
    assert s.suggest("12345") == []


def test_prepare_in_slices_gives_the_tables_the_first_use_would() -> None:
    """A worker prepares the model before handing it over (the GUI thread's first suggestion
    then finds the tables made); in slices, breathing between them, with the same numbers."""
    lazy, sliced = bundled_model(), bundled_model()
    assert lazy is not None and sliced is not None
    breaths: list[int] = []
    sliced.prepare(lambda: breaths.append(1), every=500)
    assert len(breaths) >= 2
    feats = list(sliced._counts)[:50]
    assert sliced.log_likelihoods(feats) == lazy.log_likelihoods(feats)
    assert sliced._logp == lazy._logp
    sliced.add(["新词"], TYPES[0])
    assert sliced._dirty  # learning more makes it stale again; the next use works it out
