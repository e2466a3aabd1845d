from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.error_log import LOG_FILE_NAME, RotatingLog, install_error_hook, setup_logging


@pytest.fixture
def restored() -> Iterator[None]:
    """The hook and the root logger's handlers are process-wide: put them back."""
    hook, handlers = sys.excepthook, list(logging.getLogger().handlers)
    yield
    for handler in logging.getLogger().handlers:
        if handler not in handlers:
            handler.close()
            logging.getLogger().removeHandler(handler)
    sys.excepthook = hook


@pytest.mark.expect_log(logging.CRITICAL, "unhandled error", logger="desktop")
def test_unhandled_error_is_logged_to_the_data_dir_and_shown(
    tmp_path: Path, restored: None
) -> None:
    path = setup_logging(tmp_path)
    assert path == tmp_path / LOG_FILE_NAME
    shown: list[str] = []
    install_error_hook(shown.append)
    try:
        raise RuntimeError("剪贴板坏了")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "unhandled error" in text and "RuntimeError: 剪贴板坏了" in text and "Traceback" in text
    assert shown and "剪贴板坏了" in shown[0] and LOG_FILE_NAME in shown[0]


def test_the_log_rotates_at_its_size_keeping_three_old_files(tmp_path: Path) -> None:
    path = tmp_path / LOG_FILE_NAME
    handler = RotatingLog(path, max_bytes=2_000)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("test.rotation")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for n in range(100):
            logger.warning("第 %03d 行 %s", n, "x" * 80)  # ~100 bytes a line, UTF-8
    finally:
        logger.removeHandler(handler)
        handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [LOG_FILE_NAME, *(f"{LOG_FILE_NAME}.{n}" for n in (1, 2, 3))]
    assert all(p.stat().st_size < 2_000 for p in tmp_path.iterdir())
    newest = path.read_text(encoding="utf-8").splitlines()
    assert newest[-1].startswith("第 099 行")
    previous = (tmp_path / f"{LOG_FILE_NAME}.1").read_text(encoding="utf-8").splitlines()
    assert int(previous[-1][2:5]) + 1 == int(newest[0][2:5])  # nothing lost between files
