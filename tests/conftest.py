"""Test-wide set-up: offscreen Qt, data dirs redirected to tmp, a fake clock, and a test
fails on any unexpected warning logged by the app (tests/helpers/logfail.py)."""

from __future__ import annotations

import os
import time

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("CALLASSIST_DATA_DIR", None)
# The computer's zone is never the agent's (Asia/Shanghai in settings): anything that
# converts with the computer's zone shows a wrong time in the tests (the time policy).
os.environ["TZ"] = os.environ.get("CALLASSIST_TEST_TZ", "America/New_York")

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from desktop import fast_enum
from desktop.core.clock import FakeClock
from desktop.core.text.segmenter import Segmenter
from tests.helpers.logfail import Expectation, ExpectLog, LogFailHandler, describe

# PySide6's enums made as the real entry makes them (desktop.run): before PySide6's import
# (pytest-qt imports it when pytest configures it, after this file)
fast_enum.install()

LOGFAIL = pytest.StashKey[LogFailHandler]()


def _fail_on_unexpected(handler: LogFailHandler, when: str) -> None:
    records = handler.take_unexpected()
    if records:
        lines = "\n".join("  " + describe(r) for r in records)
        pytest.fail(
            f"unexpected log records {when} (declare them with expect_log):\n{lines}",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _logfail(request: pytest.FixtureRequest) -> Iterator[LogFailHandler]:
    """Any WARNING+ record from desktop/db/bench fails the test unless expected; also the
    expectations of `@pytest.mark.expect_log(level, pattern, logger=None)` must be met."""
    handler = LogFailHandler()
    marked = [
        Expectation(m.args[0], re.compile(m.args[1]), m.kwargs.get("logger"))
        for m in request.node.iter_markers("expect_log")
    ]
    for expectation in marked:
        handler.push(expectation)
    if "caplog" in request.fixturenames:
        handler.caplog_handler = request.getfixturevalue("caplog").handler
    request.node.stash[LOGFAIL] = handler
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    _fail_on_unexpected(handler, "while the test's fixtures were set up or torn down")
    missing = [e.describe() for e in marked if not e.matched]
    if missing:
        pytest.fail(f"expect_log marker never matched: {', '.join(missing)}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Unexpected records logged by the test body fail the test itself (not its teardown)."""
    result = yield
    handler = item.stash.get(LOGFAIL, None)
    if handler is not None:
        _fail_on_unexpected(handler, "during the test")
    return result


@pytest.fixture
def expect_log(_logfail: LogFailHandler) -> ExpectLog:
    """`with expect_log(logging.WARNING, r"regex", logger="desktop.x"): ...` allows (and
    requires) a matching record inside the block."""
    return ExpectLog(_logfail)


# Property tests check behaviour, not speed: a busy 2-core CI machine must not fail them on
# hypothesis' per-example deadline (speed targets live in bench/).
settings.register_profile("callassist", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("callassist")


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
