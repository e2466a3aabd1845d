"""Test-wide set-up: offscreen Qt, data dirs redirected to tmp, a fake clock."""

from __future__ import annotations

import os
import time

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("CALLASSIST_DATA_DIR", None)
# The computer's zone is never the agent's (Asia/Shanghai in settings): anything that
# converts with the computer's zone shows a wrong time in the tests (the time policy).
os.environ["TZ"] = os.environ.get("CALLASSIST_TEST_TZ", "America/New_York")

from pathlib import Path

import pytest

from desktop.core.clock import FakeClock
from desktop.core.text.segmenter import Segmenter


def pytest_configure(config: pytest.Config) -> None:
    time.tzset()  # apply TZ above before any test (and before Qt reads the zone)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A per-test data directory, also set in the environment so nothing touches ~/.local."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("CALLASSIST_DATA_DIR", str(path))
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock("2026-03-02T01:00:00Z")  # a Monday, 09:00 in Asia/Shanghai


@pytest.fixture(scope="session")
def jieba_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jieba-cache")


@pytest.fixture(scope="session")
def segmenter(jieba_cache_dir: Path) -> Segmenter:
    """Real jieba, loaded once per test session; the first load builds jieba's cache the
    normal (slow) way, which the fast-path tests then read."""
    seg = Segmenter(jieba_cache_dir)
    seg.load()
    assert seg.ready
    return seg


def _leftover_processes(basetemp: str) -> list[str]:
    """Children of this pytest still running, and any `python -m desktop` app started for
    this session's temporary dirs (a detached app is no child any more), which would hold
    data dirs and sockets. Other people's apps on the machine are not counted."""
    import subprocess

    if os.name == "nt":
        return []
    found: list[str] = []
    children = subprocess.run(
        ["ps", "-o", "pid=,stat=,args=", "--ppid", str(os.getpid())],
        capture_output=True,
        text=True,
    )
    for line in children.stdout.splitlines():
        pid, state, args = [*line.split(None, 2), "", ""][:3]
        if not state.startswith("Z") and "ps -o pid=" not in args:
            found.append(f"child {pid}: {args}")
    apps = subprocess.run(
        ["pgrep", "-u", str(os.getuid()), "-af", r"python[0-9.]* -m desktop( |$)"],
        capture_output=True,
        text=True,
    )
    for line in apps.stdout.splitlines():
        pid = line.split(None, 1)[0]
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read()
        except OSError:
            environ = b""
        if basetemp in line or os.fsencode(basetemp) in environ:
            found.append(f"app {line}")
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """CI check: a test that starts a process stops it. Fails the session otherwise."""
    import time

    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller checks
        return
    basetemp = str(session.config._tmp_path_factory.getbasetemp())  # type: ignore[attr-defined]
    deadline = time.monotonic() + 5  # a process being stopped may take a moment
    left = _leftover_processes(basetemp)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = _leftover_processes(basetemp)
    if left:
        print("\nprocesses left running by the tests:\n  " + "\n  ".join(left))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
