from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.review_fixture import build_review_db


@pytest.fixture
def review_db(tmp_path: Path) -> Path:
    return build_review_db(tmp_path / "review.sqlite3")


@pytest.fixture
def ro(review_db: Path) -> Iterator[sqlite3.Connection]:
    """Read-only, as the review opens the file."""
    conn = sqlite3.connect(f"file:{review_db.as_posix()}?mode=ro", uri=True)
    yield conn
    conn.close()
