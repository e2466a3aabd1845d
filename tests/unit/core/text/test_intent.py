from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop.core.content.model import ContentPack
from desktop.core.text.intent import IntentSuggester, Suggestion
from desktop.core.text.segmenter import Segmenter

KEYWORDS = {
    "complaint": {"投诉": 3.0, "退款": 1.0, "骗子": 2.5},
    "status": {"退款进度": 2.5, "物流": 2.0, "查一下": 2.0},
    "fault": {"坏了": 2.5, "维修": 2.0},
    "booking": {"预约": 3.0, "上门": 1.0},
    "unrelated": {"打错了": 3.0},
    "nonsense": {"物流": 9.0},  # a type the pack does not have is ignored
}


def suggester(make_pack: Callable[..., ContentPack], segmenter: Segmenter) -> IntentSuggester:
    """The keyword rules alone (no model), so each test shows the words it depends on."""
    return IntentSuggester(make_pack(keywords=KEYWORDS), segmenter, model=None)


def types(suggestions: list[Suggestion]) -> list[str]:
    return [s.call_type for s in suggestions]


def test_clear_cases(make_pack: Callable[..., ContentPack], segmenter: Segmenter) -> None:
    s = suggester(make_pack, segmenter)
    assert types(s.suggest("你们就是骗子，我要投诉")) == ["complaint"]
    assert types(s.suggest("帮我查一下物流")) == ["status"]
    assert set(types(s.suggest("洗衣机坏了，能预约上门维修吗"))) == {"booking", "fault"}
    assert types(s.suggest("不好意思，打错了")) == ["unrelated"]


def test_reason_names_the_words_and_the_type(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    [best] = suggester(make_pack, segmenter).suggest("退款不给我办，我要投诉", top=1)
    assert best == Suggestion("complaint", best.score, "投诉、退款 → 投诉")
    assert 0 < best.score < 1


def test_traditional_input_works_like_simplified(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    s = suggester(make_pack, segmenter)
    assert s.suggest("我要投訴") == s.suggest("我要投诉")
    assert types(s.suggest("幫我查一下物流")) == ["status"]


def test_longer_keyword_hides_the_one_inside_it(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    assert types(suggester(make_pack, segmenter).suggest("我的退款进度怎么样")) == ["status"]


def test_negated_keyword_does_not_count(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    s = suggester(make_pack, segmenter)
    assert types(s.suggest("我不是要投诉，就想查一下物流")) == ["status"]
    assert s.suggest("我不想投诉") == []
    assert types(s.suggest("我不得不投诉")) == ["complaint"]
    assert types(s.suggest("你们这不是骗子吗")) == ["complaint"]  # rhetorical


def test_whole_word_counts_more_than_a_piece_of_one(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    s = suggester(make_pack, segmenter)
    [whole] = s.suggest("物流", top=1)
    [edge] = s.suggest("物流信息", top=1)  # 物流 at the edge of the word 物流信息
    assert whole.score > edge.score > 0


def test_repeats_add_less_than_new_words(
    make_pack: Callable[..., ContentPack], segmenter: Segmenter
) -> None:
    s = suggester(make_pack, segmenter)
    [once] = s.suggest("投诉", top=1)
    [twice] = s.suggest("投诉，投诉", top=1)
    [many] = s.suggest("投诉，" * 20, top=1)
    assert once.score < twice.score <= many.score < 1


def test_nothing_to_suggest(make_pack: Callable[..., ContentPack], segmenter: Segmenter) -> None:
    s = suggester(make_pack, segmenter)
    assert s.suggest("") == []
    assert s.suggest("   ") == []
    assert s.suggest("今天天气不错") == []
    assert s.suggest("投诉", top=0) == []
    assert IntentSuggester(make_pack(), segmenter, model=None).suggest("我要投诉") == []


def test_works_before_jieba_is_ready(make_pack: Callable[..., ContentPack], tmp_path: Path) -> None:
    cold = Segmenter(tmp_path)  # never loaded: the fallback segmentation
    s = IntentSuggester(make_pack(keywords=KEYWORDS), cold, model=None)
    assert types(s.suggest("我要投訴，你们是骗子")) == ["complaint"]
    assert types(s.suggest("物流信息一直不更新")) == ["status"]


def test_the_negation_ends_cover_every_negation_the_expression_finds() -> None:
    """The quick check before the expression (the character before a word) never skips a
    negation: every alternative of the expression ends with one of those characters."""
    import itertools
    import re

    from desktop.core.text import matching

    pattern = matching._NEGATED.pattern
    first, second = re.findall(r"\(\?:([^)]*)\)", pattern)
    for a, b in itertools.product(first.split("|"), ["", *second.split("|")]):
        negation = a + b
        assert matching._NEGATED.search(negation), negation
        assert negation[-1] in matching._NEGATION_ENDS, negation
