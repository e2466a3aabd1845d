"""BaresipClient against a scripted fake ctrl_tcp server: real loopback sockets, no baresip."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from desktop.core.call_events import CallEvent
from desktop.core.softphone.netstring import encode_netstring
from desktop.services.softphone.baresip_client import BaresipClient
from tests.helpers.ctrl_tcp import WAIT, FakeCtrlTcp


def frame(kind: str, call_id: str = "c1", number: str = "+8613800138000", **extra: Any) -> bytes:
    message = {
        "event": True,
        "class": "call",
        "type": kind,
        "direction": "incoming",
        "peeruri": f"sip:{number}@127.0.0.1:5070",
        "peerdisplayname": "张三",
        "id": call_id,
        "param": "",
        **extra,
    }
    return encode_netstring(json.dumps(message, ensure_ascii=False).encode())


def call(call_id: str, number: str = "+8613800138000") -> bytes:
    return b"".join(
        frame(kind, call_id, number)
        for kind in ("CALL_INCOMING", "CALL_ESTABLISHED", "CALL_CLOSED")
    )


def closed_port() -> int:
    """A loopback port nobody listens on (baresip is down)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


class Recorder:
    def __init__(self) -> None:
        self.events: list[CallEvent] = []
        self.statuses: list[str] = []
        self._cond = threading.Condition()

    def on_event(self, event: CallEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def on_status(self, status: str) -> None:
        with self._cond:
            self.statuses.append(status)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[Recorder], bool], timeout: float = WAIT) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: predicate(self), timeout), (
                self.statuses,
                [e.kind for e in self.events],
            )

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
def server() -> Iterator[FakeCtrlTcp]:
    fake = FakeCtrlTcp()
    yield fake
    fake.close()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(recorder: Recorder) -> Iterator[Callable[..., BaresipClient]]:
    clients: list[BaresipClient] = []

    def make(port: int, **kwargs: Any) -> BaresipClient:
        client = BaresipClient("127.0.0.1", port, recorder.on_event, recorder.on_status, **kwargs)
        clients.append(client)
        client.start()
        return client

    yield make
    for client in clients:
        client.stop()


def test_events_arrive_as_call_events(
    server: FakeCtrlTcp, recorder: Recorder, make_client: Callable[..., BaresipClient]
) -> None:
    make_client(server.port)
    server.wait_connected()
    recorder.wait_for(lambda r: "connected" in r.statuses)
    server.send(
        call("c1")
        + frame("CALL_INCOMING", "c2", "+15550000001")
        + frame("CALL_CLOSED", "c2", "+15550000001")
    )
    recorder.wait_for(lambda r: len(r.events) == 5)
    assert recorder.kinds() == ["incoming", "answered", "ended", "incoming", "missed"]
    assert [e.number for e in recorder.events] == ["13800138000"] * 3 + ["+15550000001"] * 2
    assert recorder.events[0].name == "张三"


def test_commands_reach_baresip_with_their_token(
    server: FakeCtrlTcp, recorder: Recorder, make_client: Callable[..., BaresipClient]
) -> None:
    client = make_client(server.port)
    server.wait_connected()
    recorder.wait_for(lambda r: "connected" in r.statuses)
    token = client.send_command("accept")
    deadline = time.monotonic() + WAIT
    while not server.commands() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.commands() == [{"command": "accept", "params": "", "token": token}]


def test_answering_from_the_event_callback(server: FakeCtrlTcp) -> None:
    """The UI answers from on_event's thread; the command must not deadlock the client."""
    answered = threading.Event()
    holder: list[BaresipClient] = []

    def on_event(event: CallEvent) -> None:
        if event.kind == "incoming":
            holder[0].send_command("accept")
            answered.set()

    client = BaresipClient("127.0.0.1", server.port, on_event)
    holder.append(client)
    client.start()
    try:
        server.wait_connected()
        server.send(frame("CALL_INCOMING"))
        assert answered.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while not server.commands() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.commands()[0]["command"] == "accept"
    finally:
        client.stop()


def test_commands_given_while_disconnected_are_dropped(
    recorder: Recorder, make_client: Callable[..., BaresipClient], caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    with caplog.at_level(logging.WARNING):
        client = make_client(port, first_delay=0.05)
        recorder.wait_for(lambda r: any(s.startswith("reconnecting") for s in r.statuses))
        client.send_command("accept")
        deadline = time.monotonic() + WAIT
        while "dropped a baresip command" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "dropped a baresip command" in caplog.text


def test_reconnects_with_growing_back_off_while_baresip_is_down(
    recorder: Recorder, make_client: Callable[..., BaresipClient]
) -> None:
    port = closed_port()
    make_client(port, first_delay=0.01, max_delay=0.04)
    recorder.wait_for(lambda r: len([s for s in r.statuses if "reconnecting" in s]) >= 5)
    delays = [s for s in recorder.statuses if "reconnecting" in s][:5]
    assert delays == [
        "reconnecting in 0.01s",
        "reconnecting in 0.02s",
        "reconnecting in 0.04s",
        "reconnecting in 0.04s",
        "reconnecting in 0.04s",
    ]
    # baresip comes up on that port: the client finds it on its own
    server = FakeCtrlTcp(port)
    try:
        server.wait_connected()
        recorder.wait_for(lambda r: r.statuses[-1] == "connected")
    finally:
        server.close()


def test_survives_baresip_restart_mid_message(
    server: FakeCtrlTcp, recorder: Recorder, make_client: Callable[..., BaresipClient]
) -> None:
    make_client(server.port, first_delay=0.05)
    server.wait_connected()
    server.send(frame("CALL_INCOMING", "c1"))
    recorder.wait_for(lambda r: r.kinds() == ["incoming"])
    half = frame("CALL_ESTABLISHED", "c1")
    server.send(half[: len(half) // 2])
    server.drop_client()
    recorder.wait_for(lambda r: "disconnected" in r.statuses)
    server.wait_connected(2)
    # the torn frame is gone; the new link starts clean and the call carries on
    server.send(frame("CALL_ESTABLISHED", "c1") + frame("CALL_CLOSED", "c1"))
    recorder.wait_for(lambda r: len(r.events) == 3)
    assert recorder.kinds() == ["incoming", "answered", "ended"]
    assert recorder.statuses[:4] == [
        "connected",
        "disconnected",
        "reconnecting in 0.05s",
        "connected",
    ]


def test_a_flood_of_events_loses_no_call(
    server: FakeCtrlTcp, recorder: Recorder, make_client: Callable[..., BaresipClient]
) -> None:
    make_client(server.port)
    server.wait_connected()
    noise = frame("CALL_REMOTE_SDP", "x", **{"class": "other"})
    server.send(b"".join(call(f"c{i}") + noise for i in range(1000)))
    recorder.wait_for(lambda r: len(r.events) == 3000, timeout=10)
    assert recorder.kinds() == ["incoming", "answered", "ended"] * 1000
    assert [e.call_id for e in recorder.events[::3]] == [f"c{i}" for i in range(1000)]


def test_a_failing_callback_does_not_kill_the_client(
    server: FakeCtrlTcp, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def on_event(event: CallEvent) -> None:
        seen.append(event.kind)
        if event.kind == "incoming":
            raise RuntimeError("UI bug")

    client = BaresipClient("127.0.0.1", server.port, on_event)
    client.start()
    try:
        server.wait_connected()
        with caplog.at_level(logging.ERROR):
            server.send(frame("CALL_INCOMING") + frame("CALL_CLOSED"))
            deadline = time.monotonic() + WAIT
            while len(seen) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
        assert seen == ["incoming", "missed"]
        assert "on_event failed" in caplog.text
    finally:
        client.stop()


@pytest.mark.parametrize("connected", [True, False])
def test_stop_is_quick(server: FakeCtrlTcp, recorder: Recorder, connected: bool) -> None:
    port = server.port if connected else closed_port()
    client = BaresipClient("127.0.0.1", port, recorder.on_event, recorder.on_status, first_delay=10)
    client.start()
    recorder.wait_for(lambda r: bool(r.statuses))
    started = time.monotonic()
    client.stop()
    assert time.monotonic() - started < 1.0
    assert recorder.statuses[-1] == "stopped"
