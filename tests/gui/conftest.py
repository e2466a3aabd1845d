from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.app import App, build_app
from desktop.core.clock import FakeClock


@pytest.fixture
def app(qtbot, data_dir: Path, clock: FakeClock) -> Iterator[App]:
    """The real app on an empty temporary data dir, window shown offscreen."""
    built = build_app(data_dir, clock)
    qtbot.addWidget(built.window)
    built.window.show()
    yield built
    built.close()
