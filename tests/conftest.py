"""Test-wide set-up: offscreen Qt, data dirs redirected to tmp, a fake clock."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("CALLASSIST_DATA_DIR", None)

from pathlib import Path

import pytest

from desktop.core.clock import FakeClock
from desktop.core.text.segmenter import Segmenter


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
