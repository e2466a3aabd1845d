"""Where problems go on 200 desktops: a small rotating log in the data dir that IT can
collect, and a last-resort hook so an unexpected error is logged and shown in the status
bar instead of ending the agent's shift."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from desktop.paths import DataDir

LOG_FILE_NAME = DataDir.at(".").log.name
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
log = logging.getLogger("desktop")


def setup_logging(data_dir: Path) -> Path:
    """INFO and above to stderr and to <data dir>/callassist.log (1 MB, 3 old files kept).

    Raises OSError when the log file cannot be opened (a read-only data dir); stderr
    logging is set up first, so the reason can still be logged.
    """
    path = DataDir.at(data_dir).log
    logging.basicConfig(level=logging.INFO, format=FORMAT)
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.getLogger().addHandler(handler)
    return path


def install_error_hook(show: Callable[[str], None]) -> None:
    """Unhandled exceptions (in Qt slots too) are logged with their traceback and announced
    through `show`; the app keeps running and nothing the agent typed is touched."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("unhandled error", exc_info=(kind, value, tb))
        show(f"发生内部错误（已记录到 {LOG_FILE_NAME}）：{value}")

    sys.excepthook = hook
