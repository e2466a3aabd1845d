"""A plain start is read without the full parser (issue 16): the same options either way."""

from __future__ import annotations

import pytest

from desktop.__main__ import _parser, _plain_start


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--demo"],
        ["--data-dir", "/tmp/x y"],
        ["--data-dir=/tmp/数据", "--demo"],
        ["--baresip", "127.0.0.1:4444", "--data-dir", "d"],
        ["--baresip=:5555"],
        ["--selftest"],
        ["--data-dir", "a", "--data-dir", "b"],
    ],
)
def test_a_plain_start_reads_as_the_full_parser_reads_it(args: list[str]) -> None:
    quick = _plain_start(args)
    assert quick is not None
    assert vars(quick) == {
        k: v for k, v in vars(_parser().parse_args(args)).items() if k in vars(quick)
    }
    assert vars(quick).keys() <= vars(_parser().parse_args(args)).keys()


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["event", "incoming", "123"],
        ["review"],
        ["--dem"],  # an abbreviation: the full parser's business
        ["--data-dir"],
        ["--data-dir", "--demo"],
        ["--data-dir="],
        ["content", "check"],
        ["--wat"],
    ],
)
def test_anything_else_goes_to_the_full_parser(args: list[str]) -> None:
    assert _plain_start(args) is None
