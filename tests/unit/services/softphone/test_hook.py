"""The softphone hook: ``callassist event KIND … NUMBER`` spools, pokes or launches, returns."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop import hook
from desktop.core.call_events import CallEvent
from desktop.instance.ipc import IpcServer
from desktop.instance.lock import InstanceLock
from desktop.paths import ENV_DATA_DIR
from desktop.services.softphone.spool import EventSpool


class Launches(list[Path]):
    def __call__(self, data_dir: Path) -> None:
        self.append(data_dir)


def spooled(data_dir: Path) -> list[CallEvent]:
    events: list[CallEvent] = []
    EventSpool.in_dir(data_dir).drain(events.append)
    return events


@pytest.fixture
def app_server(data_dir: Path) -> Iterator[list[dict[str, Any]]]:
    """A running app's IPC end: holds the instance lock and records the pokes."""
    lock = InstanceLock(data_dir)
    assert lock.acquire()
    messages: list[dict[str, Any]] = []
    server = IpcServer(data_dir, messages.append)
    server.start()
    yield messages
    server.stop()
    lock.release()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["event", "incoming", "13800138000"], ("incoming", "13800138000", {})),
        (["event", "ended"], ("ended", "", {})),
        (
            ["--data-dir", "/d", "event", "answered", "--name", "张三", "--call-id=42", "138"],
            ("answered", "138", {"data_dir": "/d", "name": "张三", "call_id": "42"}),
        ),
        (
            ["event", "missed", "--reason", "busy", "stray", '"Alice"', "<sip:138@h>"],
            ("missed", "<sip:138@h>", {"reason": "busy"}),
        ),
        (["--baresip", "h:1", "event", "incoming", "139"], ("incoming", "139", {})),
    ],
)
def test_parse_args(argv: list[str], expected: tuple[str, str, dict[str, str]]) -> None:
    assert hook.parse_args(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [[], ["event"], ["incoming", "138"], ["event", "ringing", "138"], ["event", "ended", "--name"]],
)
def test_usage_errors_exit_2(
    argv: list[str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    launches = Launches()
    assert hook.main(argv, launch=launches) == hook.EXIT_USAGE
    assert "usage:" in capsys.readouterr().err
    assert launches == []
    assert not (data_dir / "events.spool").exists()


def test_no_app_running_spools_and_launches(data_dir: Path) -> None:
    launches = Launches()
    argv = ["event", "incoming", "--name", "张三", "--call-id", "c9", "+86 138 0013 8000"]
    assert hook.main(argv, launch=launches) == hook.EXIT_OK
    assert launches == [data_dir]  # from $CALLASSIST_DATA_DIR (the data_dir fixture)
    (event,) = spooled(data_dir)
    assert (event.kind, event.number, event.name, event.call_id, event.source) == (
        "incoming",
        "13800138000",
        "张三",
        "c9",
        "hook",
    )
    assert event.event_id and event.at.endswith("Z")


def test_a_running_app_gets_poked_and_nothing_launches(
    data_dir: Path, app_server: list[dict[str, Any]]
) -> None:
    launches = Launches()
    assert hook.main(["event", "answered", "13800138000"], launch=launches) == hook.EXIT_OK
    assert app_server == [{"op": "events"}]
    assert launches == []
    assert [e.kind for e in spooled(data_dir)] == ["answered"]


def test_an_app_still_starting_is_not_launched_twice(data_dir: Path) -> None:
    lock = InstanceLock(data_dir)  # the app holds its lock but has no IPC server yet
    assert lock.acquire()
    try:
        launches = Launches()
        assert hook.main(["event", "incoming", "138"], launch=launches) == hook.EXIT_OK
        assert launches == []
    finally:
        lock.release()
    assert len(spooled(data_dir)) == 1  # the app drains it once it is up


def test_data_dir_option_wins_over_the_environment(tmp_path: Path, data_dir: Path) -> None:
    other = tmp_path / "other"
    launches = Launches()
    argv = ["event", "missed", "--data-dir", str(other), "garbage-no-digits"]
    assert hook.main(argv, launch=launches) == hook.EXIT_OK
    assert launches == [other]
    (event,) = spooled(other)
    assert event.number == ""
    assert not (data_dir / "events.spool").exists()


def test_an_unwritable_data_dir_fails_with_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = ["event", "incoming", "--data-dir", str(blocker / "sub"), "138"]
    assert hook.main(argv, launch=Launches()) == 1
    assert "cannot record" in capsys.readouterr().err


def run_hook(
    env: dict[str, str], data_dir: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**env, ENV_DATA_DIR: str(data_dir)}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.hook", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return proc, time.perf_counter() - started


@pytest.mark.slow
def test_hook_process_wall_time(
    data_dir: Path, app_server: list[dict[str, Any]], child_env: dict[str, str]
) -> None:
    """Prints what MicroSIP waits for; the budget is 150 ms (no assertion: CI machines vary)."""
    times = []
    for number in ("13800138000", "13900139000", "+15550000001"):
        proc, seconds = run_hook(child_env, data_dir, "event", "incoming", number)
        assert proc.returncode == 0, proc.stderr
        times.append(seconds)
    print(
        f"\nhook wall time with the app running: {', '.join(f'{t * 1000:.0f} ms' for t in times)}"
    )
    assert len(app_server) == 3
    assert [e.number for e in spooled(data_dir)] == ["13800138000", "13900139000", "+15550000001"]


@pytest.mark.slow
def test_hook_imports_nothing_heavy(data_dir: Path, child_env: dict[str, str]) -> None:
    lock = InstanceLock(data_dir)  # looks like a starting app, so nothing is launched
    assert lock.acquire()
    code = (
        "import sys; from desktop.hook import main; rc = main(sys.argv[1:]); "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'jieba', 'sqlite_utils', 'sqlite3', 'apscheduler', "
        "'multiprocessing', 'logging', 'dataclasses', 'inspect', 'socket', 'hmac')); "
        "print(rc, heavy)"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, "event", "incoming", "138"],
            env={**child_env, ENV_DATA_DIR: str(data_dir)},
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        lock.release()
    assert proc.stdout.strip() == "0 []", proc.stderr


def test_a_hung_app_does_not_hang_the_hook(data_dir: Path) -> None:
    """An app whose IPC thread stopped answering: the hook still returns promptly."""
    from multiprocessing.connection import Listener

    from desktop.instance.ipc import choose_address, load_or_create_authkey, publish_address
    from desktop.paths import DataDir

    address, family = choose_address(DataDir.at(data_dir))
    with Listener(address, family=family, authkey=load_or_create_authkey(data_dir)):
        publish_address(DataDir.at(data_dir), address, family)
        lock = InstanceLock(data_dir)
        assert lock.acquire()
        try:
            started = time.monotonic()
            assert hook.main(["event", "incoming", "138"], launch=Launches()) == 0
            assert time.monotonic() - started < 1.0
        finally:
            lock.release()


def _nobody_can_run_python() -> bool:
    if os.name == "nt" or os.geteuid() != 0 or not shutil.which("runuser"):
        return False
    probe = subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-c", "import desktop.hook"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


@pytest.mark.slow
def test_a_gbk_name_in_argv_is_recorded_not_a_traceback(
    data_dir: Path, child_env: dict[str, str]
) -> None:
    """What a Linux softphone in a GBK locale passes: bytes that are not UTF-8."""
    lock = InstanceLock(data_dir)  # looks like a starting app, so nothing is launched
    assert lock.acquire()
    try:
        proc = subprocess.run(
            [
                os.fsencode(sys.executable),
                b"-m",
                b"desktop.hook",
                b"event",
                b"incoming",
                b"--name",
                "王五".encode("gbk"),
                b"13800138000",
            ],
            env={**child_env, ENV_DATA_DIR: str(data_dir), "LC_ALL": "C.UTF-8"},
            capture_output=True,
            timeout=30,
        )
    finally:
        lock.release()
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    [event] = spooled(data_dir)
    assert (event.name, event.number) == ("王五", "13800138000")


@pytest.mark.slow
def test_an_unusable_data_dir_is_one_line_on_stderr(
    tmp_path: Path, child_env: dict[str, str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc, _ = run_hook(child_env, blocker / "sub", "event", "incoming", "138")
    assert proc.returncode == hook.EXIT_FAILED
    assert len(proc.stderr.strip().splitlines()) == 1 and "cannot record" in proc.stderr


@pytest.mark.slow
@pytest.mark.skipif(not _nobody_can_run_python(), reason="no second user who can run this Python")
def test_a_read_only_data_dir_as_a_normal_user(tmp_path: Path, child_env: dict[str, str]) -> None:
    readonly = tmp_path / "ro"
    readonly.mkdir(mode=0o755)
    proc = subprocess.run(
        [
            "runuser",
            "-u",
            "nobody",
            "--",
            sys.executable,
            "-m",
            "desktop.hook",
            "event",
            "incoming",
            "138",
        ],
        env={**child_env, ENV_DATA_DIR: str(readonly / "new")},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == hook.EXIT_FAILED
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
