"""Whatever the agent types or pastes, the text assist answers sanely and never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.content.model import ContentPack
from desktop.core.text.intent import IntentSuggester
from desktop.core.text.phrases import PhraseChecker
from desktop.core.text.segmenter import Segmenter
from desktop.core.text.signals import ComplaintDetector

# Chinese, the pack's own words, emoji, controls, surrogates, full-width forms: all mixed.
PIECES = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)),
    st.sampled_from(["投訴", "我要退款", "不是", "没办法", "找你们领导", "12315", "😡", "\x00"]),
    st.sampled_from(["\ud800", "\u200b", "ＡＢＣ", "\r\n", "，", "吗"]),
)
TEXTS = st.lists(PIECES, max_size=12).map("".join)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def check_all(text: str, pack: ContentPack, segmenter: Segmenter) -> None:
    keys = {t.key for t in pack.call_types}
    suggestions = IntentSuggester(pack, segmenter).suggest(text, top=3)
    assert len(suggestions) <= 3
    assert len({s.call_type for s in suggestions}) == len(suggestions)
    for s in suggestions:
        assert s.call_type in keys and 0 < s.score < 1 and s.reason
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)

    signal = ComplaintDetector(pack, segmenter).detect(text)
    assert signal.is_complaint == bool(signal.reasons)
    assert not signal.urgent or signal.is_complaint

    hits = PhraseChecker(pack.phrases).check(text)
    previous_end = 0
    for hit in hits:
        assert previous_end <= hit.start < hit.end <= len(text)
        previous_end = hit.end


@SETTINGS
@given(text=TEXTS)
def test_any_text(text: str, bundled_pack: ContentPack, segmenter: Segmenter) -> None:
    check_all(text, bundled_pack, segmenter)


def test_a_100_kb_paste(bundled_pack: ContentPack, segmenter: Segmenter) -> None:
    text = ("客户说：我要退款！你们是骗子😡，我也沒辦法\x00……" * 4000)[:100_000]
    check_all(text, bundled_pack, segmenter)
    assert ComplaintDetector(bundled_pack, segmenter).detect(text).urgent
