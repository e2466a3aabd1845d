"""Where problems go on 200 desktops: a small rotating log in the data dir that IT can
collect, and a last-resort hook so an unexpected error is logged and shown in the status
bar instead of ending the agent's shift."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from desktop.paths import DataDir

LOG_FILE_NAME = DataDir.at(".").log.name
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 1_000_000
BACKUPS = 3
log = logging.getLogger("desktop")


class RotatingLog(logging.FileHandler):
    """`logging.handlers.RotatingFileHandler`'s rotation (callassist.log → .1 → .2 → .3)
    on a plain FileHandler: `logging.handlers` imports socket, pickle and queue, ~10 ms of
    every start (issue 16), for one class."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        super().__init__(path, mode="a", encoding="utf-8")
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full(record):
                self._rotate()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _full(self, record: logging.LogRecord) -> bool:
        if self.stream is None:  # closed by a rotation that could not reopen: try now
            self.stream = self._open()
        if not os.path.isfile(self.baseFilename):  # a device (os.devnull) never rotates
            return False
        end = self.stream.seek(0, os.SEEK_END)
        return end > 0 and end + len(self.format(record)) + 1 >= self.max_bytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
        self.stream = None
        for n in range(self.backups - 1, 0, -1):
            older = f"{self.baseFilename}.{n}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{n + 1}")
        if self.backups > 0:
            os.replace(self.baseFilename, f"{self.baseFilename}.1")
        self.stream = self._open()


def setup_logging(data_dir: Path) -> Path:
    """INFO and above to stderr and to <data dir>/callassist.log (1 MB, 3 old files kept).

    Raises OSError when the log file cannot be opened (a read-only data dir); stderr
    logging is set up first, so the reason can still be logged.
    """
    path = DataDir.at(data_dir).log
    logging.basicConfig(level=logging.INFO, format=FORMAT)
    handler = RotatingLog(path)
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
