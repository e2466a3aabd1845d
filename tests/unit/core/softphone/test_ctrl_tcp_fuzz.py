"""A fuzz of the whole baresip reader (frames, lengths, nesting, encodings): it never
raises, and it always resynchronises on the next good frame."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.call_events import MAX_NAME, MAX_NUMBER
from desktop.core.clock import FakeClock
from desktop.core.softphone.baresip_events import BaresipCallTracker, CtrlTcpReader
from desktop.core.softphone.netstring import MAX_PAYLOAD, encode_netstring

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def quiet() -> Iterator[None]:
    """Junk logs resync warnings on purpose (caplog does not mix with @given)."""
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def reader() -> CtrlTcpReader:
    ids = iter(range(10**9))
    return CtrlTcpReader(
        BaresipCallTracker(FakeClock("2026-03-02T01:00:00Z"), lambda: f"e{next(ids)}")
    )


def ring(call_id: str, number: str = "13800138000", name: str = "张三") -> bytes:
    body = {
        "event": True,
        "class": "call",
        "type": "CALL_INCOMING",
        "direction": "incoming",
        "id": call_id,
        "peeruri": f"sip:{number}@10.0.0.1",
        "peerdisplayname": name,
    }
    # Lone surrogates travel as JSON \\udxxx escapes (raw UTF-8 cannot carry them).
    surrogates = any("\ud800" <= c <= "\udfff" for c in name + call_id + number)
    return encode_netstring(json.dumps(body, ensure_ascii=surrogates).encode())


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def nested(depth: int) -> bytes:
    return encode_netstring(b'{"a":' + b"[" * depth + b"]" * depth + b"}")


def corrupt_length(frame: bytes, new_length: int) -> bytes:
    return str(new_length).encode() + frame[frame.index(b":") :]


names = st.one_of(
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.sampled_from(["王五", "\ud800", "张\udcc1三", "x" * 5000, "名" * 300]),
)
junk = st.one_of(
    st.binary(max_size=300),
    st.integers(0, MAX_PAYLOAD * 20).map(lambda n: b"%d:{" % n),  # a corrupt length prefix
    st.integers(1, 3000).map(nested),  # deep nesting
    st.builds(
        lambda n: encode_netstring(b'{"id": "\\ud800", "x": ' + b"1" * n + b"}"),
        st.integers(0, 100),
    ),
    st.just(encode_netstring(b"\xff\xfe not utf-8")),
    st.just(encode_netstring(b"[1, 2, 3]")),
)


@FUZZ
@given(
    st.lists(
        st.one_of(
            junk, st.builds(ring, st.text(min_size=1, max_size=8), st.text(max_size=40), names)
        ),
        max_size=12,
    ),
    st.lists(st.integers(0, 5000), max_size=8),
)
def test_the_reader_never_raises(parts: list[bytes], cuts: list[int]) -> None:
    r = reader()
    with quiet():
        for chunk in split(b"".join(parts), cuts):
            events = r.feed(chunk)
            events += r.idle() if not chunk else []
            for event in events:
                assert len(event.number) <= MAX_NUMBER and len(event.name) <= MAX_NAME
                event.name.encode("utf-8")  # storable: no lone surrogates left
        r.idle()


@FUZZ
@given(junk, st.lists(names, min_size=1, max_size=6), st.lists(st.integers(0, 2000), max_size=6))
def test_after_any_junk_and_a_pause_every_good_frame_is_read(
    garbage: bytes, callers: list[str], cuts: list[int]
) -> None:
    r = reader()
    good = b"".join(ring(f"good-{i}", f"1390013{i:04d}", name) for i, name in enumerate(callers))
    with quiet():
        r.feed(garbage)
        r.idle()  # the link went quiet after the junk
        events = [e for chunk in split(good, cuts) for e in r.feed(chunk)]
    assert [e.call_id for e in events] == [f"good-{i}" for i in range(len(callers))]


@FUZZ
@given(st.integers(0, MAX_PAYLOAD), st.integers(1, 8), st.lists(st.integers(0, 3000), max_size=6))
def test_a_corrupt_length_prefix_never_swallows_later_events(
    wrong: int, behind: int, cuts: list[int]
) -> None:
    first = ring("first")
    stream = corrupt_length(first, wrong) + b"".join(ring(f"c{i}") for i in range(behind))
    r = reader()
    with quiet():
        events = [e for chunk in split(stream, cuts) for e in r.feed(chunk)] + r.idle()
    ids = [e.call_id for e in events]
    assert ids[-behind:] == [f"c{i}" for i in range(behind)]


def test_a_60_kb_nested_frame_costs_no_call(caplog: pytest.LogCaptureFixture) -> None:
    """The case that raised RecursionError and dropped the link with 20 calls behind it."""
    r = reader()
    stream = nested(30_000) + b"".join(ring(f"c{i}") for i in range(20))
    with caplog.at_level(logging.WARNING):
        events = r.feed(stream)
    assert [e.call_id for e in events] == [f"c{i}" for i in range(20)]
    assert "too deeply nested" in caplog.text


def test_a_huge_length_prefix_does_not_eat_a_megabyte(caplog: pytest.LogCaptureFixture) -> None:
    r = reader()
    with caplog.at_level(logging.WARNING):
        events = r.feed(b"999999:" + b"".join(ring(f"c{i}") for i in range(50)))
    assert len(events) == 50
