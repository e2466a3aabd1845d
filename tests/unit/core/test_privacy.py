from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.privacy import mask_number


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13800138000", "138****8000"),
        ("01012345678", "010****5678"),
        ("+8613800138000", "+86*******8000"),
        ("12345678", "123*5678"),
        ("1234567", "***4567"),
        ("12345", "*2345"),
        ("1234", "1234"),
        ("", ""),
        (None, ""),
    ],
)
def test_first_three_and_last_four_shorter_keep_last_four(number, masked) -> None:
    assert mask_number(number) == masked


@given(st.text(alphabet="0123456789+", min_size=5, max_size=20))
def test_mask_keeps_length_and_hides_the_middle(number: str) -> None:
    masked = mask_number(number)
    assert len(masked) == len(number) and masked[-4:] == number[-4:] and "*" in masked
