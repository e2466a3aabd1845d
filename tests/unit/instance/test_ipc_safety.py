"""The local IPC against other users and rude clients: nothing can squat its address,
a client that connects and never speaks blocks nobody, and the Windows branch is chosen
by one value object."""

from __future__ import annotations

import logging
import os
import socket
import stat
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from desktop.instance.ipc import IpcClient, IpcServer, choose_address, published_address
from desktop.instance.platform import CREATE_NEW_PROCESS_GROUP, DETACHED_PROCESS, Platform
from desktop.paths import DataDir

posix_only = pytest.mark.skipif(os.name == "nt", reason="AF_UNIX socket files")
root_only = pytest.mark.skipif(
    os.name == "nt" or os.geteuid() != 0, reason="needs root to make files of another user"
)
NOBODY = 65534


def _deep(tmp_path: Path) -> Path:
    deep = tmp_path / ("很长的目录名" * 8) / ("x" * 60)
    deep.mkdir(parents=True)
    return deep


@posix_only
@root_only
def test_a_squatted_tmp_fallback_neither_stops_nor_captures_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user made /tmp/callassist-<uid> first (what stopped the app before)."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    squat = Path(tempfile.gettempdir()) / f"callassist-{os.getuid()}"
    made = not squat.exists()
    if made:
        squat.mkdir(mode=0o777)
        os.chown(squat, NOBODY, NOBODY)
    deep = _deep(tmp_path)
    server = IpcServer(deep, lambda message: None)
    try:
        assert server.start()
        address, family = published_address(deep) or ("", "")
        assert family == "AF_UNIX" and Path(address).parent != squat
        folder = os.stat(os.path.dirname(address))
        assert folder.st_uid == os.getuid() and stat.S_IMODE(folder.st_mode) == 0o700
        assert IpcClient.send(deep, {"op": "events"}, timeout=2)
    finally:
        server.stop()
        if made:
            squat.rmdir()
    assert not os.path.exists(os.path.dirname(address))  # its mkdtemp folder is cleaned up


@posix_only
@root_only
def test_a_runtime_dir_of_another_user_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))
    try:
        os.chmod(runtime, 0o777)
        os.chown(runtime, NOBODY, NOBODY)
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        address, _ = choose_address(DataDir.at(_deep(tmp_path)))
        assert not address.startswith(str(runtime))
        os.rmdir(os.path.dirname(address))
    finally:
        runtime.rmdir()


@posix_only
@pytest.mark.expect_log(logging.WARNING, r"local IPC is off")
def test_a_pre_made_socket_dir_of_another_user_is_refused(tmp_path: Path) -> None:
    layout = DataDir.at(tmp_path)
    layout.socket_dir.symlink_to(tempfile.gettempdir())  # points outside, not ours to use
    server = IpcServer(tmp_path, lambda message: None)
    assert not server.start()  # the app runs on without IPC: start never raises
    assert not IpcClient.send(tmp_path, {"op": "events"})


@posix_only
def test_a_client_that_never_speaks_blocks_nobody(data_dir: Path) -> None:
    got: list[dict[str, Any]] = []
    server = IpcServer(data_dir, got.append, deadline=0.5)
    assert server.start()
    address, _ = published_address(data_dir) or ("", "")
    silent = socket.socket(socket.AF_UNIX)
    try:
        silent.connect(address)  # and then says nothing, for ever
        started = time.monotonic()
        assert IpcClient.send(data_dir, {"op": "events"}, timeout=2)
        assert time.monotonic() - started < 1.0
        silent.settimeout(5)
        deadline = time.monotonic() + 5
        data = b"x"
        while data and time.monotonic() < deadline:  # the server hangs up on it
            data = silent.recv(4096)
        assert data == b""
    finally:
        silent.close()
        server.stop()
    assert got == [{"op": "events"}]


@posix_only
@pytest.mark.expect_log(logging.WARNING, r"turned away an IPC client")
def test_many_rude_clients_are_turned_away_not_queued(data_dir: Path) -> None:
    server = IpcServer(data_dir, lambda message: None, deadline=3.0)
    assert server.start()
    address, _ = published_address(data_dir) or ("", "")
    rude = []
    try:
        for _ in range(20):
            sock = socket.socket(socket.AF_UNIX)
            sock.connect(address)
            rude.append(sock)
        time.sleep(0.2)
        assert threading.active_count() < 40
    finally:
        for sock in rude:
            sock.close()
        server.stop()


def test_the_reply_says_whether_the_app_did_it(data_dir: Path) -> None:
    """ "已切换到已打开的窗口" is printed only on a True reply: the handler decides it."""
    server = IpcServer(data_dir, lambda message: message["op"] == "events")
    assert server.start()
    try:
        assert IpcClient.send(data_dir, {"op": "events"}, timeout=2)
        assert not IpcClient.send(data_dir, {"op": "raise"}, timeout=2)
    finally:
        server.stop()


def test_windows_uses_a_named_pipe_with_an_unguessable_name(tmp_path: Path) -> None:
    windows = Platform("win32")
    first, family = choose_address(DataDir.at(tmp_path), windows)
    second, _ = choose_address(DataDir.at(tmp_path), windows)
    assert family == "AF_PIPE" and windows.ipc_family == "AF_PIPE"
    assert first.startswith("\\\\.\\pipe\\callassist-") and first != second
    assert not DataDir.at(tmp_path).socket_dir.exists()  # no socket folder on Windows


def test_the_detached_start_per_platform() -> None:
    assert Platform("win32").detached_popen_kwargs() == {
        "creationflags": DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP
    }
    assert Platform("linux").detached_popen_kwargs() == {"start_new_session": True}
    assert not Platform("win32").posix_modes and Platform("darwin").posix_modes


@posix_only
def test_a_client_that_gives_up_is_one_log_line_not_a_traceback(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A hook that missed its 0.1 s (the spool covers it) is normal under load."""
    server = IpcServer(data_dir, lambda message: None)
    assert server.start()
    address, _ = published_address(data_dir) or ("", "")
    try:
        with caplog.at_level(logging.INFO, logger="desktop.instance.ipc"):
            for _ in range(3):
                quitter = socket.socket(socket.AF_UNIX)
                quitter.connect(address)
                quitter.close()  # mid-handshake
            deadline = time.monotonic() + 3
            while caplog.text.count("left before the handshake") < 3:
                assert time.monotonic() < deadline, caplog.text
                time.sleep(0.01)
    finally:
        server.stop()
    records = [r for r in caplog.records if r.name == "desktop.instance.ipc"]
    assert all(r.exc_info is None and r.levelno <= logging.INFO for r in records)
