from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.softphone.netstring import NetstringDecoder, encode_command, encode_netstring

FUZZ = settings(max_examples=200, deadline=None)


@contextmanager
def expected_warnings() -> Iterator[None]:
    """Fuzzed junk logs resync warnings on purpose (caplog does not mix with @given)."""
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def decode_all(*chunks: bytes, max_payload: int = 1024) -> list[bytes]:
    decoder = NetstringDecoder(max_payload=max_payload)
    return [payload for chunk in chunks for payload in decoder.feed(chunk)]


def test_frames_in_one_read() -> None:
    assert decode_all(b"5:hello,0:,3:abc,") == [b"hello", b"", b"abc"]


def test_frames_split_byte_by_byte() -> None:
    data = encode_netstring(b'{"a": 1}') + encode_netstring("张三".encode())
    decoder = NetstringDecoder()
    out = [p for i in range(len(data)) for p in decoder.feed(data[i : i + 1])]
    assert out == [b'{"a": 1}', "张三".encode()]


def test_encode_command_is_the_ctrl_tcp_shape() -> None:
    (payload,) = decode_all(encode_command("accept", token="t1"))
    assert json.loads(payload) == {"command": "accept", "params": "", "token": "t1"}


@pytest.mark.parametrize(
    "junk",
    [
        b"garbage",  # no digits at all
        b"x:1,",  # non-digit prefix
        b":,",  # empty prefix
        b"3:abcd,",  # missing comma after the payload
        b"12345678901:",  # a prefix far too long to be a length
        b"\r\n",  # line noise between frames
    ],
)
def test_resyncs_after_junk_without_losing_later_frames(
    junk: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        out = decode_all(b"2:ok,", junk, b"5:hello,", b"3:end,")
    assert out[0] == b"ok"
    assert out[-2:] == [b"hello", b"end"]
    assert "out of sync" in caplog.text


def test_oversized_frame_is_skipped_while_streaming(caplog: pytest.LogCaptureFixture) -> None:
    decoder = NetstringDecoder(max_payload=100)
    big = encode_netstring(b"x" * 5000)
    with caplog.at_level(logging.WARNING):
        out = [p for i in range(0, len(big), 700) for p in decoder.feed(big[i : i + 700])]
        out += list(decoder.feed(b"2:ok,"))
    assert out == [b"ok"]
    assert decoder.dropped_bytes == len(big)
    assert "oversized" in caplog.text


def test_oversized_frame_without_comma_resyncs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        out = decode_all(b"200:" + b"y" * 200 + b"X2:ok,", max_payload=100)
    assert out == [b"ok"]


def test_waits_for_the_rest_of_a_partial_frame() -> None:
    decoder = NetstringDecoder()
    assert list(decoder.feed(b"10:01234")) == []
    assert list(decoder.feed(b"56789")) == []
    assert list(decoder.feed(b",")) == [b"0123456789"]


payloads = st.lists(st.binary(max_size=120), max_size=8)


@FUZZ
@given(payloads, st.data())
def test_any_split_decodes_every_frame(items: list[bytes], data: st.DataObject) -> None:
    stream = b"".join(encode_netstring(p) for p in items)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    assert decode_all(*chunks) == items


non_digit_junk = st.binary(min_size=1, max_size=30).map(
    lambda b: bytes(c for c in b if not 48 <= c <= 57) or b"?"
)


@FUZZ
@given(st.lists(st.tuples(st.binary(max_size=60), st.one_of(st.just(b""), non_digit_junk))))
def test_junk_between_frames_never_costs_a_good_frame(
    items: list[tuple[bytes, bytes]],
) -> None:
    stream = b"".join(junk + encode_netstring(p) for p, junk in items)
    with expected_warnings():
        assert decode_all(stream) == [p for p, _ in items]


@FUZZ
@given(st.lists(st.binary(max_size=60), max_size=10))
def test_oversized_frames_are_dropped_and_the_rest_kept(items: list[bytes]) -> None:
    stream = b"".join(encode_netstring(p) for p in items)
    with expected_warnings():
        assert decode_all(stream, max_payload=30) == [p for p in items if len(p) <= 30]


@FUZZ
@given(st.lists(st.binary(max_size=80), max_size=10))
def test_arbitrary_bytes_never_crash(chunks: list[bytes]) -> None:
    with expected_warnings():
        assert all(len(p) <= 50 for p in decode_all(*chunks, max_payload=50))
