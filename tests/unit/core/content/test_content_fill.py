"""Filling a script never fails in front of a caller; a missing value shows as 【label】."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.content.fill import fill_script, template_problems
from desktop.core.content.model import SCRIPT_VARIABLES

VALUES = {"customer_name": "张先生", "agent_name": "小李", "promised_time": "今天17:00"}


def test_fills_known_variables() -> None:
    text = "{customer_name}您好，我是{agent_name}，{promised_time}前回复您。"
    assert fill_script(text, VALUES) == "张先生您好，我是小李，今天17:00前回复您。"


def test_missing_or_blank_value_becomes_visible_placeholder() -> None:
    assert (
        fill_script("工号{agent_id}，热线{hotline}", {"hotline": " "})
        == "工号【工号】，热线【热线】"
    )
    assert fill_script("{company}", {}) == "【公司】"


def test_malformed_text_is_left_as_written() -> None:
    assert fill_script("{unknown} {x!r} {agent_name", VALUES) == "{unknown} {x!r} {agent_name"
    assert fill_script("}{}", VALUES) == "}{}"


def test_doubled_braces_are_literal_braces_like_format() -> None:
    assert fill_script("{{备注}}{customer_name}", VALUES) == "{备注}张先生"


PIECES = st.sampled_from(
    ["{", "}", "{{", "}}", "{}", "{x}", "{agent_name}", "{customer_name}", "{company!r}", ":"]
    + [f"{{{name}}}" for name in SCRIPT_VARIABLES]
)
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=12).map("".join)
FULL_VALUES = st.fixed_dictionaries({name: st.text(max_size=5) for name in SCRIPT_VARIABLES})


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(TEXTS, st.text()), values=st.dictionaries(st.text(), st.text()))
def test_fill_never_raises(text: str, values: dict[str, str]) -> None:
    assert isinstance(fill_script(text, values), str)
    assert isinstance(template_problems(text), list)


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, values=FULL_VALUES)
def test_a_valid_template_fills_exactly_like_format_map(text: str, values: dict[str, str]) -> None:
    if template_problems(text):
        return
    filled = {k: v if v.strip() else "?" for k, v in values.items()}
    assert fill_script(text, filled) == text.format_map(filled)
