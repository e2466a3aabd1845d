from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.core.content.model import ContentPack, Script
from desktop.core.text.segmenter import Segmenter
from desktop.core.text.signals import (
    ComplaintDetector,
    ComplaintSignal,
    calming_script_ids,
)

SIGNALS = ("欺骗", "投诉", "差评", "曝光", "骗子")
ESCALATION = ("找你们领导", "要求升级", "12315", "消协")


@pytest.fixture
def detector(make_pack: Callable[..., ContentPack], segmenter: Segmenter) -> ComplaintDetector:
    return ComplaintDetector(make_pack(signals=SIGNALS, escalation=ESCALATION), segmenter)


def test_negative_words(detector: ComplaintDetector) -> None:
    signal = detector.detect("你们这是欺骗消费者，我要给差评")
    assert signal == ComplaintSignal(True, False, ["负面词：欺骗、差评"])


def test_traditional_negative_words(detector: ComplaintDetector) -> None:
    assert detector.detect("我要投訴你們").reasons == ["负面词：投诉"]


def test_escalation_is_urgent(detector: ComplaintDetector) -> None:
    signal = detector.detect("你解决不了就让我找你们领导，不然我打12315")
    assert signal.is_complaint and signal.urgent
    assert signal.reasons == ["要求升级：找你们领导、12315"]


def test_the_same_clause_repeated(detector: ComplaintDetector) -> None:
    signal = detector.detect("我要退款……我要退款！听见没有？我要退款啊")
    assert signal == ComplaintSignal(True, False, ["重复要求：我要退款"])


def test_the_same_thing_demanded_twice(detector: ComplaintDetector) -> None:
    signal = detector.detect("我要退款，你们赶紧给我退款，骗子")
    assert signal.is_complaint and signal.urgent  # repeated and negative together
    assert signal.reasons == ["负面词：骗子", "重复要求：退款"]


def test_one_demand_with_two_demand_words_is_not_a_repeat(detector: ComplaintDetector) -> None:
    assert not detector.detect("麻烦赶紧给我退款").is_complaint


def test_many_negative_words_are_urgent(detector: ComplaintDetector) -> None:
    assert detector.detect("骗子！欺骗！我要曝光你们").urgent


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "您好，我想查一下物流",
        "我不是要投诉，就是问问",
        "我不会给差评的，放心",
        "不用找你们领导了，已经解决了",
        "好的，好的，谢谢，谢谢",
        "订单号123，订单号123",
    ],
)
def test_calm_calls_do_not_fire(detector: ComplaintDetector, text: str) -> None:
    assert detector.detect(text) == ComplaintSignal(False, False, [])


def test_calming_scripts_come_from_the_calming_steps_and_methods(
    make_pack: Callable[..., ContentPack],
) -> None:
    def script(id_: str, call_type: str, step: str, method: str = "") -> Script:
        return Script(id_, call_type, step, "empathy", id_, "……", method)

    pack = make_pack(
        scripts=(
            script("greet", "complaint", "greeting"),
            script("accept_plain", "complaint", "accept"),
            script("calm_3f", "complaint", "calm", "3F"),
            script("resolve_clear", "complaint", "solutions", "CLEAR"),
            script("calm_plain", "complaint", "calm"),
            script("lscia", "complaint", "clarify", "LSCIA"),
            script("inquiry_calm", "inquiry", "calm"),
        )
    )
    assert calming_script_ids(pack) == ["calm_3f", "accept_plain", "calm_plain", "resolve_clear"]


def test_bundled_pack_signals(bundled_pack: ContentPack, segmenter: Segmenter) -> None:
    ids = calming_script_ids(bundled_pack)
    assert len(ids) >= 5
    assert {bundled_pack.script(i).method for i in ids[:4]} <= {"3F", "CLEAR"}
    assert ComplaintDetector(bundled_pack, segmenter).detect("你们就是骗子，我要找你们领导").urgent
    assert not ComplaintDetector(bundled_pack, segmenter).detect("我的退款到账了吗").is_complaint
    assert (
        not ComplaintDetector(bundled_pack, segmenter).detect("系统升级以后打不开了").is_complaint
    )
