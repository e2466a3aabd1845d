from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from desktop.core.call_events import CallEvent
from desktop.services.softphone.spool import EventSpool, decode_event, encode_event
from tests.helpers.logfail import ExpectLog

WRITER = """
import sys, uuid
from pathlib import Path
from desktop.core.call_events import CallEvent
from desktop.services.softphone.spool import EventSpool
spool = EventSpool(Path(sys.argv[1]))
count = int(sys.argv[2])
i = 0
while count < 0 or i < count:
    event_id = uuid.uuid4().hex
    spool.append(CallEvent("incoming", number=str(i), source=sys.argv[3], event_id=event_id))
    print(event_id, flush=True)
    i += 1
"""


def event(n: int = 0, kind: str = "incoming") -> CallEvent:
    return CallEvent(kind, number=f"1380013{n:04d}", name="张三", source="hook", event_id=f"e{n}")  # type: ignore[arg-type]


def drained(spool: EventSpool) -> list[CallEvent]:
    out: list[CallEvent] = []
    spool.drain(out.append)
    return out


def writer(spool_path: Path, count: int, tag: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(spool_path), str(count), tag],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_round_trip_keeps_every_field(data_dir: Path) -> None:
    spool = EventSpool.in_dir(data_dir)
    full = CallEvent(
        "ended", "13800138000", "王五", "call-1", "BYE", "hook", "2026-03-02T01:00:00.000Z", "x1"
    )
    spool.append(full)
    assert drained(spool) == [full]


def test_each_event_is_drained_once_even_across_restarts(data_dir: Path) -> None:
    spool = EventSpool.in_dir(data_dir)
    spool.append(event(1))
    spool.append(event(2))
    assert spool.has_pending()
    assert [e.event_id for e in drained(spool)] == ["e1", "e2"]
    assert not spool.has_pending()
    assert drained(spool) == []
    spool.append(event(3))
    assert [e.event_id for e in drained(EventSpool.in_dir(data_dir))] == ["e3"]  # "restart"
    assert drained(EventSpool.in_dir(data_dir)) == []


def test_consumed_spool_is_emptied(data_dir: Path) -> None:
    spool = EventSpool.in_dir(data_dir)
    for n in range(5):
        spool.append(event(n))
    drained(spool)
    assert spool.path.stat().st_size == 0
    spool.append(event(9))
    assert [e.event_id for e in drained(spool)] == ["e9"]


def test_a_failing_handler_gets_the_event_again(data_dir: Path) -> None:
    spool = EventSpool.in_dir(data_dir)
    for n in range(3):
        spool.append(event(n))
    seen: list[str] = []

    def flaky(e: CallEvent) -> None:
        if e.event_id == "e1" and "e1" not in seen:
            seen.append("e1")
            raise RuntimeError("database busy")
        seen.append(e.event_id)

    with pytest.raises(RuntimeError):
        spool.drain(flaky)
    assert spool.drain(flaky) == 2
    assert seen == ["e0", "e1", "e1", "e2"]


def test_missing_spool_drains_nothing(data_dir: Path) -> None:
    spool = EventSpool.in_dir(data_dir)
    assert not spool.has_pending()
    assert drained(spool) == []


def test_damaged_lines_are_skipped_and_logged(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = EventSpool.in_dir(data_dir)
    spool.append(event(1))
    with open(spool.path, "ab") as f:
        f.write(b'not json\n{"kind": "exploded", "event_id": "z"}\n{"kind": "missed"}\n\n')
    spool.append(event(2))
    with caplog.at_level(logging.WARNING):
        assert [e.event_id for e in drained(spool)] == ["e1", "e2"]
    assert caplog.text.count("skipping") == 3


def test_a_torn_line_from_a_killed_writer_does_not_spoil_the_next(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = EventSpool.in_dir(data_dir)
    spool.append(event(1))
    with open(spool.path, "ab") as f:
        f.write(encode_event(event(2))[:20])  # the writer died mid-line
    with caplog.at_level(logging.WARNING):
        assert [e.event_id for e in drained(spool)] == ["e1"]  # the torn tail waits
        spool.append(event(3))
        assert [e.event_id for e in drained(spool)] == ["e3"]
    assert "damaged spool line" in caplog.text


def test_a_spool_shorter_than_its_offset_is_reread(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = EventSpool.in_dir(data_dir)
    spool.append(event(1))
    (data_dir / "events.spool.offset").write_text("999999")
    with caplog.at_level(logging.WARNING):
        assert [e.event_id for e in drained(spool)] == ["e1"]


def test_decode_rejects_wrong_types(expect_log: ExpectLog) -> None:
    with expect_log(logging.WARNING, "skipping an invalid spool line"):
        assert decode_event(b'{"kind": "missed", "event_id": "a", "number": 5}') is None


@pytest.mark.slow
def test_two_processes_appending_at_once_lose_nothing(
    data_dir: Path, child_env: dict[str, str]
) -> None:
    path = data_dir / "events.spool"
    writers = [writer(path, 100, tag, child_env) for tag in ("a", "b")]
    ids = set()
    for proc in writers:
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        ids |= set(out.split())
    events = drained(EventSpool(path))
    assert len(events) == 200
    assert {e.event_id for e in events} == ids
    for tag in ("a", "b"):  # each writer's events stay in its own order
        assert [e.number for e in events if e.source == tag] == [str(i) for i in range(100)]


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_events_survive_kill_9_of_the_writer(data_dir: Path, child_env: dict[str, str]) -> None:
    path = data_dir / "events.spool"
    proc = writer(path, -1, "k", child_env)
    assert proc.stdout is not None
    try:
        written = [proc.stdout.readline().strip() for _ in range(30)]
    finally:
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=10)
    written += rest.split()
    spool = EventSpool(path)
    spool.append(CallEvent("incoming", event_id=uuid.uuid4().hex))  # later writers still fine
    logging.disable(logging.WARNING)  # a torn last line is possible and expected
    try:
        stored = {e.event_id for e in drained(spool)}
    finally:
        logging.disable(logging.NOTSET)
    assert set(written) <= stored
    assert len(stored) >= len(written) + 1
