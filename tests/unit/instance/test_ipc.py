from __future__ import annotations

import contextlib
import hmac
import logging
import os
import shutil
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.instance.ipc import (
    IpcClient,
    IpcServer,
    choose_address,
    load_or_create_authkey,
    publish_address,
    published_address,
)
from desktop.paths import DataDir

KEY_NAME = DataDir.at(".").ipc_key.name


def ipc_address(data_dir: Path) -> tuple[str, str]:
    """Where the app serving ``data_dir`` said it listens."""
    published = published_address(data_dir)
    assert published is not None
    return published


posix_only = pytest.mark.skipif(os.name == "nt", reason="AF_UNIX socket files")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.arrived = threading.Event()

    def __call__(self, message: dict[str, Any]) -> None:
        self.messages.append(message)
        self.arrived.set()


@pytest.fixture
def serve() -> Iterator[Callable[[Path, Callable[[dict[str, Any]], None]], IpcServer]]:
    servers: list[IpcServer] = []

    def start(data_dir: Path, handler: Callable[[dict[str, Any]], None]) -> IpcServer:
        server = IpcServer(data_dir, handler)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_messages_reach_the_app(data_dir: Path, serve: Callable[..., IpcServer]) -> None:
    inbox = Inbox()
    serve(data_dir, inbox)
    assert IpcClient.send(data_dir, {"op": "events"}, timeout=2)
    assert IpcClient.send(data_dir, {"op": "raise"}, timeout=2)
    assert inbox.messages == [{"op": "events"}, {"op": "raise"}]


def test_unknown_ops_are_refused(
    data_dir: Path, serve: Callable[..., IpcServer], caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox()
    serve(data_dir, inbox)
    with caplog.at_level(logging.WARNING):
        assert not IpcClient.send(data_dir, {"op": "rm -rf"}, timeout=2)
        assert not IpcClient.send(data_dir, {"no": "op"}, timeout=2)
    assert inbox.messages == []


def test_a_failing_handler_is_reported_to_the_client(
    data_dir: Path, serve: Callable[..., IpcServer], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(message: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    serve(data_dir, broken)
    with caplog.at_level(logging.ERROR):
        assert not IpcClient.send(data_dir, {"op": "events"}, timeout=2)
    assert "handler failed" in caplog.text


def test_nobody_listening_answers_false_at_once(data_dir: Path) -> None:
    started = time.monotonic()
    assert not IpcClient.send(data_dir, {"op": "events"})
    load_or_create_authkey(data_dir)
    assert not IpcClient.send(data_dir, {"op": "events"})
    assert time.monotonic() - started < 0.1


@posix_only
def test_a_stale_socket_from_a_crash(data_dir: Path, serve: Callable[..., IpcServer]) -> None:
    address, family = choose_address(DataDir.at(data_dir))
    load_or_create_authkey(data_dir)
    Path(address).touch()  # what a killed app leaves behind
    publish_address(DataDir.at(data_dir), address, family)
    assert not IpcClient.send(data_dir, {"op": "events"})
    inbox = Inbox()
    serve(data_dir, inbox)  # the next app replaces it
    assert IpcClient.send(data_dir, {"op": "events"}, timeout=2)


def test_a_client_with_the_wrong_key_is_refused(
    data_dir: Path, serve: Callable[..., IpcServer], caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox()
    serve(data_dir, inbox)
    (data_dir / KEY_NAME).write_bytes(b"guessed")
    with caplog.at_level(logging.WARNING):
        assert not IpcClient.send(data_dir, {"op": "raise"}, timeout=2)
        deadline = time.monotonic() + 2
        while "wrong key" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "wrong key" in caplog.text
    assert inbox.messages == []


@posix_only
def test_only_this_user_can_reach_the_app(data_dir: Path, serve: Callable[..., IpcServer]) -> None:
    serve(data_dir, Inbox())
    address, family = ipc_address(data_dir)
    assert family == "AF_UNIX"
    assert stat.S_IMODE(os.stat(os.path.dirname(address)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(address).st_mode) == 0o600
    assert stat.S_IMODE((data_dir / KEY_NAME).stat().st_mode) == 0o600


@posix_only
def test_stop_removes_the_socket(data_dir: Path) -> None:
    server = IpcServer(data_dir, Inbox())
    server.start()
    address, _ = ipc_address(data_dir)
    server.stop()
    assert not os.path.exists(address)
    assert published_address(data_dir) is None
    assert not IpcClient.send(data_dir, {"op": "events"})


@posix_only
def test_a_very_long_data_dir_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = tempfile.mkdtemp(prefix="ca", dir="/tmp")  # short, like /run/user/1000
    monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
    deep = tmp_path / ("很长的目录名" * 8) / ("x" * 60)
    deep.mkdir(parents=True)
    server = IpcServer(deep, Inbox())
    try:
        assert server.start()
        address, _ = ipc_address(deep)
        assert address.startswith(runtime) and len(os.fsencode(address)) <= 100
        assert IpcClient.send(deep, {"op": "events"}, timeout=2)
    finally:
        server.stop()
        shutil.rmtree(runtime)


def test_the_key_is_made_once(data_dir: Path) -> None:
    key = load_or_create_authkey(data_dir)
    assert len(key) == 32
    assert load_or_create_authkey(data_dir) == key
    assert [p.name for p in data_dir.iterdir()] == [KEY_NAME]  # no temp files left


def test_racing_key_creation_agrees_on_one_key(data_dir: Path) -> None:
    keys: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: keys.append(load_or_create_authkey(data_dir)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1


# ---- the hook's plain-socket client against servers that are not the app ------------------
def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big", signed=True) + data


def _read_frame(conn: socket.socket) -> bytes:
    def read(size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    return read(int.from_bytes(read(4), "big", signed=True))


def _fake_server(data_dir: Path, talk: Callable[[socket.socket], None]) -> threading.Thread:
    """A socket published where the app's would be, served once by `talk`."""
    address, family = choose_address(DataDir.at(data_dir))
    load_or_create_authkey(data_dir)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(1)
    publish_address(DataDir.at(data_dir), address, family)

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn, contextlib.suppress(OSError, EOFError):
                talk(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


@posix_only
def test_the_hook_speaks_the_newer_python_handshake(data_dir: Path) -> None:
    """Python 3.12+ servers name their digest ("{sha256}…"); the client answers in kind."""
    key = load_or_create_authkey(data_dir)
    got: list[bytes] = []

    def talk(conn: socket.socket) -> None:
        salt = b"{sha256}" + os.urandom(40)
        conn.sendall(_frame(b"#CHALLENGE#" + salt))
        answer = _read_frame(conn)
        ok = answer == b"{sha256}" + hmac.digest(key, salt, "sha256")
        conn.sendall(_frame(b"#WELCOME#" if ok else b"#FAILURE#"))
        theirs = _read_frame(conn)[len(b"#CHALLENGE#") :]
        conn.sendall(_frame(hmac.digest(key, theirs, "md5")))  # a legacy challenge: plain
        assert _read_frame(conn) == b"#WELCOME#"
        got.append(_read_frame(conn))
        conn.sendall(_frame(b'{"ok": true}'))

    thread = _fake_server(data_dir, talk)
    assert IpcClient.send(data_dir, {"op": "events"}, timeout=2)
    thread.join(2)
    assert got == [b'{"op": "events"}']


@posix_only
def test_the_hook_tells_nothing_to_a_server_that_does_not_know_the_key(data_dir: Path) -> None:
    """The handshake is mutual: a socket that welcomes any answer but cannot answer the
    client's own challenge never gets the message."""
    got: list[bytes] = []

    def talk(conn: socket.socket) -> None:
        conn.sendall(_frame(b"#CHALLENGE#" + os.urandom(20)))
        _read_frame(conn)
        conn.sendall(_frame(b"#WELCOME#"))  # "welcome", whatever was answered
        _read_frame(conn)
        conn.sendall(_frame(os.urandom(16)))  # a wrong answer to the client's challenge
        got.append(_read_frame(conn))  # the client's verdict
        with contextlib.suppress(OSError, EOFError):
            got.append(_read_frame(conn))

    thread = _fake_server(data_dir, talk)
    assert not IpcClient.send(data_dir, {"op": "events"}, timeout=2)
    thread.join(2)
    assert got == [b"#FAILURE#"]


@posix_only
def test_the_hook_gives_up_on_a_server_that_goes_quiet(data_dir: Path) -> None:
    quiet = threading.Event()

    def talk(conn: socket.socket) -> None:
        conn.sendall(_frame(b"#CHALLENGE#" + os.urandom(20)))
        quiet.wait(5)  # and never a word more

    thread = _fake_server(data_dir, talk)
    started = time.monotonic()
    assert not IpcClient.send(data_dir, {"op": "events"}, timeout=0.3)
    assert time.monotonic() - started < 1.0
    quiet.set()
    thread.join(2)
