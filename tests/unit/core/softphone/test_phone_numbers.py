from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.softphone.numbers import national, normalize_number

FUZZ = settings(max_examples=300, deadline=None)


@pytest.mark.parametrize(
    ("raw", "normalized", "canonical"),
    [
        ("+86 138 0013 8000", "+8613800138000", "13800138000"),
        ("0086 138-0013-8000", "+8613800138000", "13800138000"),
        ("8613800138000", "8613800138000", "13800138000"),
        ("13800138000", "13800138000", "13800138000"),
        ("(+86) １３８ ００１３ ８０００", "+8613800138000", "13800138000"),
        ("sip:+15550000001@127.0.0.1:5070", "+15550000001", "+15550000001"),
        ('"王五" <sip:+8613900139000@10.0.0.1;user=phone>', "+8613900139000", "13900139000"),
        ("Alice <tel:+1-555-000-0001;ext=12>", "+15550000001", "+15550000001"),
        ("sip:%2B8613800138000@host", "+8613800138000", "13800138000"),
        ("+86 10 1234 5678", "+861012345678", "01012345678"),
        ("+86 (0)10 1234 5678", "+8601012345678", "01012345678"),
        ("+86 951 123 4567", "+869511234567", "09511234567"),
        ("+86 400-123-4567", "+864001234567", "4001234567"),
        ("+86 95588", "+8695588", "95588"),
        ("010-1234 5678", "01012345678", "01012345678"),
        ("0044 20 7946 0000", "+442079460000", "+442079460000"),
        ("sip:alice@127.0.0.1", "", ""),
        ("anonymous", "", ""),
        ("", "", ""),
        ("+86", "+86", "+86"),
    ],
)
def test_known_forms(raw: str, normalized: str, canonical: str) -> None:
    assert normalize_number(raw) == normalized
    assert national(raw) == canonical


phone_like = st.text(
    alphabet="0123456789+ -()<>:;@.abcsiptel\"'０１２３４５６７８９＋", max_size=30
)
anything = st.one_of(phone_like, st.text(max_size=30))


@FUZZ
@given(anything)
def test_results_are_digits_with_an_optional_plus(raw: str) -> None:
    for result in (normalize_number(raw), national(raw)):
        assert re.fullmatch(r"(\+?\d+)?", result, re.ASCII)


@FUZZ
@given(anything)
def test_idempotent(raw: str) -> None:
    once = normalize_number(raw)
    assert normalize_number(once) == once
    assert national(national(raw)) == national(raw)
    assert national(once) == national(raw)


@FUZZ
@given(st.text(alphabet="0123456789", min_size=1, max_size=15), st.data())
def test_separators_do_not_matter(digits: str, data: st.DataObject) -> None:
    spaced = "".join(c + data.draw(st.sampled_from(["", " ", "-", "  ", "."])) for c in digits)
    for prefix in ("", "+", "tel:+", "sip:"):
        assert national(prefix + spaced) == national(prefix + digits)


@FUZZ
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_way_of_writing_a_china_mobile_meets_in_one_form(mobile: str) -> None:
    forms = [mobile, "+86" + mobile, "0086" + mobile, "86" + mobile, f"sip:+86{mobile}@h"]
    assert {national(form) for form in forms} == {mobile}


@FUZZ
@given(st.text(alphabet=st.characters(exclude_categories=["Nd"]), max_size=30))
def test_no_digits_means_empty(raw: str) -> None:
    assert normalize_number(raw) == ""
