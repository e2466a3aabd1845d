"""Softphone events in the workspace: the hook spool drained at start and on a poke, the
caller's history popped, a second launch raising the window instead of opening a writer."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop.app import App, build_app
from desktop.core.call_events import CallEvent
from desktop.hook import main as hook_main
from desktop.instance.ipc import IpcClient
from desktop.services.softphone.spool import EventSpool
from desktop.ui.softphone_bridge import parse_host_port

ROOT = Path(__file__).resolve().parents[2]


def test_events_spooled_while_closed_are_applied_at_start(qtbot, data_dir: Path, clock) -> None:
    launched: list[Path] = []
    argv = ["event", "incoming", "--name", "张伟", "--data-dir", str(data_dir), "13800138000"]
    assert hook_main(argv, launch=launched.append) == 0
    assert launched == [data_dir]  # no app was running: the hook started one
    app = build_app(data_dir, clock)
    qtbot.addWidget(app.window)
    try:
        call = app.workspace.current
        assert call is not None and (call.phone, call.caller_name, call.status) == (
            "13800138000",
            "张伟",
            "ringing",
        )
        assert not EventSpool.in_dir(data_dir).has_pending()
    finally:
        app.close()


def test_hook_poke_pops_the_caller_with_history(app: App, qtbot) -> None:
    earlier = app.calls.start_call("13912345678", "王芳")
    app.calls.set_intent(earlier.id, "complaint")
    app.calls.save_notes(earlier.id, "快递延误，要求赔偿")
    app.calls.wrap_up(earlier.id, "follow_up", skip_reason="演示")
    argv = ["event", "incoming", "--data-dir", str(app.data_dir), "+86 139 1234 5678"]
    assert hook_main(argv, launch=lambda _d: None) == 0
    qtbot.waitUntil(
        lambda: app.workspace.current is not None and app.workspace.current.status == "ringing",
        timeout=5000,
    )
    history = app.window.view.history
    assert "有未结投诉" in history.banner.text()
    assert "快递延误" in history.list.item(0).text()
    assert app.window.view.call_bar.number.text() == "139****5678"


def test_a_ring_during_a_call_does_not_take_over(app: App, qtbot) -> None:
    app.workspace.start_manual("13800138000", "")
    current = app.workspace.current
    app.softphone.apply(
        CallEvent("incoming", "13787654321", call_id="x", source="baresip", event_id="r1")
    )
    assert app.workspace.current.id == current.id
    assert len(app.calls.open_calls()) == 2
    # the open-calls list is redrawn once after the batch of events, not per event
    qtbot.waitUntil(lambda: app.window.view.call_bar.open_calls.count() == 2, timeout=1000)


def test_raise_message_brings_the_window_forward(app: App, qtbot) -> None:
    """The reply comes once the GUI thread has raised the window (a second launch prints
    "已切换到已打开的窗口" only then), so the client runs where a second launch would."""
    answers: list[bool] = []
    with qtbot.waitSignal(app.softphone.raise_requested, timeout=3000):
        threading.Thread(
            target=lambda: answers.append(IpcClient.send(app.data_dir, {"op": "raise"}, 3.0))
        ).start()
    qtbot.waitUntil(lambda: answers == [True], timeout=3000)


def test_a_window_that_does_not_raise_is_not_claimed(app: App, qtbot) -> None:
    """A GUI thread that never gets to the request: the client hears "no" and says so."""
    answers: list[bool] = []
    worker = threading.Thread(
        target=lambda: answers.append(IpcClient.send(app.data_dir, {"op": "raise"}, 3.0))
    )
    worker.start()
    worker.join()  # the GUI thread is blocked here and cannot raise anything
    assert answers == [False]


def test_baresip_address_parsing() -> None:
    assert parse_host_port("") == ("127.0.0.1", 4444)
    assert parse_host_port(":5555") == ("127.0.0.1", 5555)
    assert parse_host_port("10.0.0.2:4444") == ("10.0.0.2", 4444)
    assert parse_host_port("localhost") == ("localhost", 4444)


def test_second_launch_raises_the_first_and_exits(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    data = tmp_path / "data"
    command = [sys.executable, "-m", "desktop", "--data-dir", str(data)]
    first = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while not IpcClient.send(data, {"op": "events"}, timeout=0.2):
            assert first.poll() is None, first.stderr.read()
            assert time.monotonic() < deadline, "the first app never came up"
            time.sleep(0.1)
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
        assert second.returncode == 0
        assert "已在运行" in second.stderr
        assert first.poll() is None  # the first app is untouched
    finally:
        first.kill()
        first.wait()
        first.stderr.close()


@pytest.mark.expect_log(logging.WARNING, "baresip 地址无效")
def test_a_bad_baresip_address_is_reported_not_fatal(qtbot, data_dir: Path, clock) -> None:
    app = build_app(data_dir, clock, baresip="127.0.0.1:notaport")
    qtbot.addWidget(app.window)
    try:
        assert app.softphone.baresip is None
        assert "baresip" in app.window.status_softphone.text()
        app.workspace.start_manual("13800138000", "")  # the rest of the app works
        assert app.workspace.current.phone == "13800138000"
    finally:
        app.close()
