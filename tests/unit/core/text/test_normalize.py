from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.text.normalize import _table, normalize


def test_traditional_becomes_simplified() -> None:
    assert normalize("我要投訴") == "我要投诉"
    assert normalize("與服務無關") == "与服务无关"
    assert normalize("查詢 預訂 報障 諮詢 退款") == "查询 预订 报障 咨询 退款"
    assert normalize("為甚麼還沒發貨") == "为甚么还没发货"


def test_simplified_text_is_left_alone() -> None:
    text = "什么时候发货 我要退款 这么慢 后面还有几个人在排队 头发都白了 干着急"
    assert normalize(text) == text


def test_full_width_ascii_becomes_half_width_lower_case() -> None:
    assert normalize("ＡＢＣ１２３！？　ｗｉｆｉ") == "abc123!? wifi"
    assert normalize("订单号ＳＦ１２３") == "订单号sf123"


def test_emoji_and_control_characters_become_spaces_keeping_positions() -> None:
    text = "投诉😡\x00\u200b退款👍🏻\ufe0f"
    result = normalize(text)
    assert len(result) == len(text)
    assert result.split() == ["投诉", "退款"]


def test_table_covers_common_traditional_characters() -> None:
    assert len(_table()) > 2000 + 94  # the character pairs plus the width and case map


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalize_keeps_length_and_yields_encodable_text(text: str) -> None:
    result = normalize(text)
    assert len(result) == len(text)
    result.encode("utf-8")  # no lone surrogates left for SQLite or jieba
