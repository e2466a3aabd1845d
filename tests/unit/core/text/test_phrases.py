from __future__ import annotations

import pytest

from desktop.core.content.model import ContentPack, PhraseRule
from desktop.core.text.phrases import PhraseChecker, PhraseHit

RULES = (
    PhraseRule("没办法", "我能为您做的是……", "给出替代方案"),
    PhraseRule("我也没办法", "我理解您的难处……", "推卸感强"),
    PhraseRule("不知道", "我帮您确认一下", ""),
    PhraseRule("公司規定", "为了保障您的权益……", "挡箭牌"),  # a rule written in traditional
)


@pytest.fixture
def checker() -> PhraseChecker:
    return PhraseChecker(RULES)


def test_offsets_point_into_the_original_text(checker: PhraseChecker) -> None:
    text = "这个我不知道，没办法"
    hits = checker.check(text)
    assert [(h.start, h.end, h.phrase) for h in hits] == [(3, 6, "不知道"), (7, 10, "没办法")]
    assert [text[h.start : h.end] for h in hits] == ["不知道", "没办法"]
    assert hits[0] == PhraseHit(3, 6, "不知道", "我帮您确认一下", "")


def test_longest_phrase_wins_where_phrases_overlap(checker: PhraseChecker) -> None:
    [hit] = checker.check("这个我也没办法")
    assert (hit.start, hit.end, hit.phrase) == (2, 7, "我也没办法")


def test_traditional_text_and_rules(checker: PhraseChecker) -> None:
    text = "😀我也沒辦法，這是公司规定"
    hits = checker.check(text)
    assert [text[h.start : h.end] for h in hits] == ["我也沒辦法", "公司规定"]
    assert [h.phrase for h in hits] == ["我也没办法", "公司規定"]


def test_extra_rules_and_no_rules() -> None:
    extra = PhraseRule("你必须", "麻烦您……", "")
    assert [h.phrase for h in PhraseChecker(RULES, [extra]).check("你必须没办法")] == [
        "你必须",
        "没办法",
    ]
    assert PhraseChecker(()).check("没办法") == []
    assert PhraseChecker([PhraseRule(" ", "x")]).check("  ") == []
    assert PhraseChecker(RULES).check("") == []


def test_bundled_phrases(bundled_pack: ContentPack) -> None:
    checker = PhraseChecker(bundled_pack.phrases)
    text = "不好意思，我也沒辦法，這不歸我管"
    found = {text[h.start : h.end] for h in checker.check(text)}
    assert {"我也沒辦法", "這不歸我管"} <= found
