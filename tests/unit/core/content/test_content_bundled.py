"""The pack shipped with the app is complete: every type, step, purpose and method is covered."""

from __future__ import annotations

import re

import pytest

from desktop.core.content.fill import VARIABLE_LABELS, fill_script
from desktop.core.content.loader import bundled_pack_dir, check_pack, contrast_with_white, load_pack
from desktop.core.content.model import (
    PURPOSES,
    SCRIPT_VARIABLES,
    ContentPack,
)
from desktop.core.text.phrases import PhraseChecker
from tests.helpers.call_types import CALL_TYPE_LABELS


@pytest.fixture(scope="module")
def pack() -> ContentPack:
    return load_pack(bundled_pack_dir())


def test_bundled_pack_has_no_problems() -> None:
    assert check_pack(bundled_pack_dir()) == []


def test_call_types_in_order_with_f_keys(pack: ContentPack) -> None:
    assert [(t.key, t.label) for t in pack.call_types] == list(CALL_TYPE_LABELS.items())
    assert [t.shortcut for t in pack.call_types] == [f"F{i}" for i in range(1, 9)]
    colors = [t.color.upper() for t in pack.call_types]
    assert len(set(colors)) == 8
    assert all(contrast_with_white(c) >= 4.5 for c in colors)  # AA for normal text
    assert all(t.description for t in pack.call_types)


def test_complaint_checklist_is_the_six_steps(pack: ContentPack) -> None:
    keys = [s.key for s in pack.steps("complaint")]
    assert keys == ["greeting", "accept", "calm", "clarify", "solutions", "act", "thank", "close"]
    labels = [s.label for s in pack.steps("complaint")][1:-1]
    assert labels == ["接受怨诉", "平息怒气", "澄清问题", "探讨解决方案", "采取行动", "感谢客户"]


def test_order_and_booking_confirm_details_then_read_back(pack: ContentPack) -> None:
    order = [s.key for s in pack.steps("order")]
    assert order.index("read_back") > max(order.index(k) for k in ("item", "quantity", "address"))
    assert order.index("price_rules") < order.index("confirm")
    booking = [s.key for s in pack.steps("booking")]
    assert booking.index("read_back") > booking.index("time_slot")


def test_every_step_has_a_short_hint_and_a_script(pack: ContentPack) -> None:
    for type_key, steps in pack.checklists.items():
        for step in steps:
            assert 0 < len(step.hint) <= 40, (type_key, step.key, step.hint)
            matching = [
                s for s in pack.scripts if s.step == step.key and s.call_type in (type_key, "any")
            ]
            assert matching, f"no script for {type_key}.{step.key}"


def test_script_counts_and_purposes(pack: ContentPack) -> None:
    assert len(pack.scripts) >= 100
    by_purpose = {p: [s for s in pack.scripts if s.purpose == p] for p in PURPOSES}
    assert all(by_purpose.values()), [p for p, s in by_purpose.items() if not s]
    assert len(by_purpose["refuse"]) >= 5
    assert len(by_purpose["progress"]) >= 5
    assert len(by_purpose["closing"]) >= 5
    assert sum("组长" in s.text for s in by_purpose["transfer"]) >= 3


@pytest.mark.parametrize(
    ("method", "parts"),
    [
        ("3F", ["feel", "felt", "found"]),
        ("CLEAR", ["control", "listen", "empathy", "apologize", "resolve"]),
        ("LSCIA", ["listen", "share", "clarify", "illustrate", "ask"]),
    ],
)
def test_complaint_methods_are_complete_sequences(
    pack: ContentPack, method: str, parts: list[str]
) -> None:
    scripts = [s for s in pack.scripts if s.method == method]
    assert [s.id.rsplit("_", 1)[1] for s in scripts] == parts
    assert all(s.call_type == "complaint" for s in scripts)


def test_scripts_use_only_known_variables_and_fill_completely(pack: ContentPack) -> None:
    values = {name: "X" for name in SCRIPT_VARIABLES}
    used: set[str] = set()
    for script in pack.scripts:
        used.update(re.findall(r"\{(\w+)\}", script.text))
        filled = fill_script(script.text, values)
        assert "{" not in filled and "【" not in filled, script.id
    assert used == SCRIPT_VARIABLES


def test_scripts_practise_what_the_phrase_checker_preaches(pack: ContentPack) -> None:
    checker = PhraseChecker(pack.phrases)
    tripped = {s.id: [h.phrase for h in checker.check(s.text)] for s in pack.scripts}
    assert {k: v for k, v in tripped.items() if v} == {}
    alternatives = {r.phrase: [h.phrase for h in checker.check(r.alternative)] for r in pack.phrases}
    assert {k: v for k, v in alternatives.items() if v} == {}


def test_phrases(pack: ContentPack) -> None:
    assert len(pack.phrases) >= 25
    wanted = "不行 不能 不可能 没办法 不知道 这不归我管 公司规定 你听我说 你必须 不清楚 我也没办法"
    wanted += " 你自己看 不是我们的问题 听不懂吗 我已经说过了 随便你 你去投诉吧"
    assert set(wanted.split()) <= {p.phrase for p in pack.phrases}
    assert all(p.alternative and p.reason for p in pack.phrases)


def test_reminder_rules_follow_the_timing_rules(pack: ContentPack) -> None:
    rules = {r.key: r for r in pack.reminder_rules}
    first = rules["complaint_first_response"]
    assert (first.kind, first.offset_minutes, first.call_types) == (
        "first_response",
        15,
        ("complaint",),
    )
    assert set(first.outcomes) == {"follow_up", "transferred"}
    progress = rules["complaint_progress"]
    assert (progress.kind, progress.offset_minutes, progress.repeat_minutes) == (
        "progress",
        1440,
        1440,
    )
    revisit = rules["complaint_revisit"]
    assert (revisit.kind, revisit.offset_minutes, revisit.outcomes) == (
        "revisit",
        4320,
        ("resolved",),
    )
    complex_case = rules["complex_case_answer"]
    assert (complex_case.offset_minutes, set(complex_case.call_types)) == (120, {"fault", "help"})
    callback = rules["callback_promised"]
    assert (callback.kind, callback.offset_minutes, callback.office_hours) == ("callback", 0, False)
    assert (callback.call_types, callback.outcomes) == ((), ())
    assert {r.kind for r in pack.reminder_rules if "fault" in r.call_types} >= {
        "progress",
        "revisit",
    }


def test_intent_keywords(pack: ContentPack) -> None:
    for type_key in CALL_TYPE_LABELS:
        words = [k for k in pack.intent_keywords if k.call_type == type_key]
        assert len(words) >= 15, type_key
    assert {"欺骗", "投诉", "差评", "曝光", "骗子"} <= set(pack.complaint_signals)
    assert "找你们领导" in pack.escalation_phrases
    assert any("升级" in phrase for phrase in pack.escalation_phrases)


def test_every_variable_has_a_chinese_label() -> None:
    assert VARIABLE_LABELS.keys() == SCRIPT_VARIABLES
