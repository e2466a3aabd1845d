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
