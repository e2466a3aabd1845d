from __future__ import annotations

import pytest

from desktop.core.content.model import ContentPack, PhraseRule
from desktop.core.text.phrases import PhraseChecker, PhraseHit, rule_problems

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


# —— patterns: variants, gaps, 你/您, exceptions ——


def test_pattern_alternatives_optional_characters_and_both_forms_of_you() -> None:
    checker = PhraseChecker(
        [PhraseRule("你听我说", "我理解您的意思……", "", pattern="你(先)?听我(说|讲)")]
    )
    for text in ("你听我说", "您听我说完", "您先听我讲", "你聽我說"):
        [hit] = checker.check(text)
        assert hit.phrase == "你听我说", text
    assert checker.check("我听您说") == []


def test_a_gap_spans_a_few_characters_but_not_punctuation() -> None:
    checker = PhraseChecker([PhraseRule("这不归我管", "我帮您联系……", "", pattern="不归…管")])
    text = "这个事不归我们部门管"
    [hit] = checker.check(text)
    assert text[hit.start : hit.end] == "不归我们部门管"
    assert checker.check("不归我们这个部门来管") == []  # more than GAP_CHARS between
    assert checker.check("不归，管") == []


def test_exceptions_excuse_polite_idioms_only() -> None:
    rule = PhraseRule("不能", "目前我可以……", "", exceptions=("能不能麻烦你", "你看能不能"))
    checker = PhraseChecker([rule])
    assert checker.check("能不能麻烦您提供一下订单号") == []
    assert checker.check("您看能不能先帮您登记") == []
    assert checker.check("能不能麻煩您") == []  # traditional too
    [hit] = checker.check("你能不能别打断我")
    assert (hit.start, hit.end) == (2, 4)
    # an exception excuses its own rule, not another one at the same place
    other = PhraseChecker([rule, PhraseRule("能不能", "x", "")])
    assert [h.phrase for h in other.check("能不能麻烦您")] == ["能不能"]


def test_rule_problems_explain_bad_patterns() -> None:
    def problems(**kw: object) -> list[tuple[str, str]]:
        rule = PhraseRule(**{"phrase": "不归我管", "alternative": "x", **kw})
        return [(field, said.en) for field, said in rule_problems(rule)]

    assert problems(pattern="不归…管") == []
    assert problems(pattern="不归(我|我们管") == [
        ("pattern", "invalid pattern: '(' is never closed")
    ]
    assert problems(pattern="(不|)") == [
        ("pattern", "invalid pattern: empty alternative in '(…|…)'")
    ]
    assert problems(pattern="不?") == [
        ("pattern", "invalid pattern: can match fewer than two characters (too broad)")
    ]
    assert problems(pattern="…不归") == [
        ("pattern", "invalid pattern: must not start or end with a gap '…'")
    ]
    assert problems(pattern="不关…事") == [
        ("phrase", "'不归我管' is not matched by its own pattern")
    ]
    assert problems(exceptions=("谢谢您",)) == [
        ("except[0]", "'谢谢您' does not contain the phrase, so it never applies")
    ]
    assert problems(exceptions=("不归我管(",)) == [
        ("except[0]", "invalid pattern: '(' is never closed")
    ]


def test_bad_rules_are_skipped_by_the_checker() -> None:
    checker = PhraseChecker([PhraseRule("不?", "x"), PhraseRule("没办法", "y")])
    assert [h.phrase for h in checker.check("不，没办法")] == ["没办法"]


# —— the bundled rules ——


@pytest.mark.parametrize(
    "text",
    [
        "这个不归我管",
        "您听我说",
        "您必须先登记",
        "按规定这个办不了",
        "這個我們處理不了",
        "你找快递公司去",
        "我保证明天到",
        "听懂了吗",
        "你怎么又打来了",
        # written after the labelled set, first measured (recall 13/20), then tuned for
        "您得先听我把话说完",
        "您自己上官网查吧",
        "你们找银行去问",
        "有什么事快说",
        "我都说了好几遍了",
        "你到底想要怎么样",
        "我不是跟你说过了吗",
    ],
)
def test_bundled_rules_catch_what_people_really_say(bundled_pack: ContentPack, text: str) -> None:
    assert PhraseChecker(bundled_pack.phrases).check(text), text


@pytest.mark.parametrize(
    "text",
    [
        "您看能不能先帮您登记",
        "不知道您方便吗",
        "能不能麻烦您稍等",
        "不用担心，我马上处理",
        "为了保证您的账户安全",
        "没关系，您慢慢说",
        "不管多晚我都会回电",
        "为了保证服务质量，通话可能会被录音",
        "您看行不行得通",
        "不用着急，慢慢找",
    ],
)
def test_bundled_rules_leave_polite_lines_alone(bundled_pack: ContentPack, text: str) -> None:
    assert PhraseChecker(bundled_pack.phrases).check(text) == [], text


def test_bundled_pack_has_the_phrases_qa_teams_check(bundled_pack: ContentPack) -> None:
    checker = PhraseChecker(bundled_pack.phrases)
    lines = (
        "不可以 我们规定 按规定 这是规定 你是谁 你有什么事 干嘛 别激动 冷静点 消消气 没法 办不了"
        " 处理不了 做不到 做不了主 我不管 跟我没关系 你自己去查 你怎么又打来了 有话快说 我们下班了"
        " 保证 绝对没问题 百分之百 听懂了吗 明白了吗 我不是说过了吗 你找银行去"
    )
    missed = [line for line in lines.split() if not checker.check(line)]
    assert missed == []


def test_a_gap_may_not_come_before_the_first_required_character() -> None:
    [(field, said)] = rule_problems(PhraseRule("这不归管", "x", pattern="(这)?…不归管"))
    assert (field, said.en) == ("pattern", "invalid pattern: must not start or end with a gap '…'")
    assert said.zh == "规则写法有误：不能以间隔“…”开头或结尾"
