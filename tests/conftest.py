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
def segmenter(tmp_path_factory: pytest.TempPathFactory) -> Segmenter:
    """Real jieba, loaded once per test session (about 1.5 s), cache in a temp dir."""
    seg = Segmenter(tmp_path_factory.mktemp("jieba"))
    seg.load()
    assert seg.ready
    return seg
