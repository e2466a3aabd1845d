"""Issue 16, window first: `build_app(deferred=True)` (what `python -m desktop` runs) returns
with the first frame's parts only and wires the rest one step per turn of the event loop
after the window's first paint; a call that rings before the softphone bridge is wired is
not lost; `build_app` without it returns everything wired."""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.app import WIRING, App, build_app
from desktop.hook import main as hook_main
from desktop.instance.ipc import IpcClient, published_address
from desktop.instance.lock import InstanceLock
from desktop.services.softphone.spool import EventSpool
from desktop.ui.desk import Desk


def _deferred(qtbot, data_dir: Path, clock) -> App:
    app = build_app(data_dir, clock, deferred=True)
    qtbot.addWidget(app.window)
    return app


def test_the_first_frame_comes_before_the_wiring(qtbot, data_dir: Path, clock) -> None:
    app = _deferred(qtbot, data_dir, clock)
    try:
        assert app.wiring.pending and app.wiring.timings == []
        assert app.desk is None and app._softphone is None and app._text is None
        assert published_address(data_dir) is None  # no IPC server yet
        assert app.window.view.intent_bar.button("complaint").text()  # the frame's parts
        app.window.show()
        qtbot.waitUntil(lambda: not app.wiring.pending, timeout=5000)
        names = [name for name, _ms in app.wiring.timings]
        assert names == [name for name, _step in WIRING] + ["background"]
        assert isinstance(app.desk, Desk) and app.softphone.baresip is None
        assert published_address(data_dir) is not None  # the bridge's IPC server is up
        entries = [a.text() for a in app.window.lead_menu.actions() if a.text()]
        assert entries[0] == "导出通话记录…"
    finally:
        app.close()


def test_each_wiring_step_is_its_own_turn_of_the_loop(qtbot, data_dir: Path, clock) -> None:
    app = _deferred(qtbot, data_dir, clock)
    try:
        app.window.show()
        qtbot.waitUntil(lambda: bool(app.wiring.timings), timeout=5000)
        # the first step ran; the others wait for the loop's next turns, not for this one
        assert len(app.wiring.timings) < len(WIRING)
        QApplication.processEvents()
        qtbot.waitUntil(lambda: not app.wiring.pending, timeout=5000)
    finally:
        app.close()


def test_reaching_a_part_wires_what_is_left_at_once(qtbot, data_dir: Path, clock) -> None:
    app = _deferred(qtbot, data_dir, clock)
    try:
        assert app.text.segmenter is not None  # no event loop turned: wired on the spot
        assert not app.wiring.pending and app.desk is not None
        app.finish_startup()  # again: nothing left, nothing twice
        assert len(app.wiring.timings) == len(WIRING) + 1
    finally:
        app.close()


def test_a_window_that_never_paints_is_still_wired(qtbot, data_dir: Path, clock) -> None:
    app = _deferred(qtbot, data_dir, clock)  # never shown
    try:
        qtbot.waitUntil(lambda: not app.wiring.pending, timeout=5000)
    finally:
        app.close()


def test_a_call_that_rings_before_the_bridge_is_wired_is_not_lost(
    qtbot, data_dir: Path, clock
) -> None:
    """The app holds its instance lock but listens on no socket yet: the hook spools the
    event, finds no one to poke, launches nothing (an app is starting), and the bridge
    drains the spool when its step runs."""
    lock = InstanceLock(data_dir)
    assert lock.acquire()
    try:
        app = _deferred(qtbot, data_dir, clock)
        try:
            launched: list[Path] = []
            argv = ["event", "incoming", "--name", "张伟", "--data-dir", str(data_dir), "138001"]
            assert hook_main(argv, launch=launched.append) == 0
            assert launched == [] and EventSpool.in_dir(data_dir).has_pending()
            assert not IpcClient.send(data_dir, {"op": "events"})  # nobody listens yet
            assert app.workspace.current is None
            app.window.show()
            qtbot.waitUntil(
                lambda: (
                    app.workspace.current is not None and app.workspace.current.status == "ringing"
                ),
                timeout=5000,
            )
            assert app.workspace.current.caller_name == "张伟"
            assert not EventSpool.in_dir(data_dir).has_pending()
            assert app.desk is not None and app.desk.notice.isVisible()  # the ring notice
        finally:
            app.close()
    finally:
        lock.release()


def test_without_deferred_everything_is_wired_on_return(qtbot, data_dir: Path, clock) -> None:
    app = build_app(data_dir, clock)
    qtbot.addWidget(app.window)
    try:
        assert not app.wiring.pending and app.desk is not None
        assert published_address(data_dir) is not None
    finally:
        app.close()


def test_the_collector_rests_while_the_start_up_work_runs(app: App, qtbot) -> None:
    """No collection rescans what start-up makes (jieba's dictionary…) while the agent
    clicks; once the work is done the collector runs again, with that work frozen."""
    assert app._background_started
    if not app.background_done:
        assert not gc.isenabled()
    assert app.wait_background()
    qtbot.waitUntil(gc.isenabled, timeout=5000)  # the input gate looks every 250 ms
    assert gc.get_freeze_count() > 0


def test_closing_during_the_start_up_work_turns_the_collector_back_on(
    qtbot, data_dir: Path, clock
) -> None:
    app = build_app(data_dir, clock)
    qtbot.addWidget(app.window)
    app.start_background()
    app.close()
    assert gc.isenabled()
