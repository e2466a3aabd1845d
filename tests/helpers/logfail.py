"""Fail a test on any unexpected WARNING-or-worse log record from the app (qutebrowser's
tests/helpers/logfail.py is the model).

A record from the app's loggers (`desktop`, `db`, `bench`) at WARNING or above fails the test
it happened in, unless the test says it expects it, either for a block:

    def test_bad_file_is_skipped(expect_log):
        with expect_log(logging.WARNING, r"skipping .*bad\\.toml"):
            service.reload()

for the whole test:

    @pytest.mark.expect_log(logging.ERROR, r"baresip went away")
    def test_reconnects(...): ...

or, as in qutebrowser, by capturing that level with pytest's caplog, whose assertions then
check the record:

    with caplog.at_level(logging.WARNING):
        decoder.feed(b"junk")
    assert "out of sync" in caplog.text

An expectation is itself checked: if no record matches it, the test fails too, so a test
cannot keep allowing a warning the code no longer logs. Records are collected from every
thread and judged when the test ends (a failure raised inside a worker's logging call would
be lost), so the report names the logger, the place and the message.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

APP_LOGGERS = ("desktop", "db", "bench")


def is_app_logger(name: str) -> bool:
    return any(name == n or name.startswith(n + ".") for n in APP_LOGGERS)


@dataclass
class Expectation:
    level: int
    pattern: re.Pattern[str]
    logger: str | None = None
    matched: list[logging.LogRecord] = field(default_factory=list)

    def matches(self, record: logging.LogRecord) -> bool:
        if record.levelno != self.level:
            return False
        if self.logger is not None and not (
            record.name == self.logger or record.name.startswith(self.logger + ".")
        ):
            return False
        return self.pattern.search(record.getMessage()) is not None

    def describe(self) -> str:
        where = f" from {self.logger}" if self.logger else ""
        return f"{logging.getLevelName(self.level)} matching {self.pattern.pattern!r}{where}"


def describe(record: logging.LogRecord) -> str:
    text = (
        f"{record.levelname} {record.name} ({record.pathname}:{record.lineno}): "
        f"{record.getMessage()}"
    )
    if record.exc_info and record.exc_info[1] is not None:
        text += f" [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]"
    return text


class LogFailHandler(logging.Handler):
    """Sits on the root logger for one test; sorts app records into expected and not."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self._lock = threading.Lock()
        self.active: list[Expectation] = []
        self.unexpected: list[logging.LogRecord] = []
        self.caplog_handler: logging.Handler | None = None  # the test's caplog, if it has one

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < self.level or not is_app_logger(record.name):
            return
        with self._lock:
            for expectation in reversed(self.active):
                if expectation.matches(record):
                    expectation.matched.append(record)
                    return
            captured = self.caplog_handler
            if captured is not None and logging.NOTSET < captured.level <= record.levelno:
                return  # caplog.at_level(...) / set_level(...): the test captures it on purpose
            self.unexpected.append(record)

    def push(self, expectation: Expectation) -> None:
        with self._lock:
            self.active.append(expectation)

    def pop(self, expectation: Expectation) -> None:
        with self._lock:
            self.active.remove(expectation)

    def take_unexpected(self) -> list[logging.LogRecord]:
        with self._lock:
            records, self.unexpected = self.unexpected, []
        return records


class ExpectLog:
    """What the `expect_log` fixture hands a test: `with expect_log(level, pattern): ...`."""

    def __init__(self, handler: LogFailHandler) -> None:
        self._handler = handler

    @contextmanager
    def __call__(
        self, level: int, pattern: str, *, logger: str | None = None
    ) -> Iterator[Expectation]:
        expectation = Expectation(level, re.compile(pattern), logger)
        self._handler.push(expectation)
        try:
            yield expectation
        finally:
            self._handler.pop(expectation)
        if not expectation.matched:
            raise AssertionError(f"expected a log record {expectation.describe()}, none came")
