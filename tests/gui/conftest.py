from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.app import App, build_app
from desktop.core.clock import FakeClock
from desktop.ui.reminders.scheduler import import_apscheduler


@pytest.fixture
def app(qtbot, data_dir: Path, clock: FakeClock, segmenter) -> Iterator[App]:
    """The real app on an empty temporary data dir, window shown offscreen; jieba's cache is
    copied in so each test loads it the fast way, as a second start of the app does."""
    (data_dir / "cache").mkdir()
    shutil.copy(segmenter.cache_file, data_dir / "cache" / segmenter.cache_file.name)
    import_apscheduler()  # as the app's start-up does first: the scheduler then starts at once
    built = build_app(data_dir, clock)
    built.start_background()
    qtbot.addWidget(built.window)
    built.window.show()
    yield built
    built.close()
