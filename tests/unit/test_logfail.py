"""The log-fail fixture's rules, on records handed straight to a fresh handler."""

from __future__ import annotations

import logging

import pytest

from tests.helpers.logfail import ExpectLog, LogFailHandler


def record(name: str, level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, message, None, None)


def test_app_warnings_are_unexpected_others_and_info_are_not() -> None:
    handler = LogFailHandler()
    for rec in (
        record("desktop.services.x", logging.WARNING, "a"),
        record("db", logging.ERROR, "b"),
        record("desktopx", logging.WARNING, "not ours"),
        record("jieba", logging.WARNING, "not ours"),
        record("desktop.ui", logging.INFO, "below warning"),
    ):
        handler.handle(rec)
    assert [r.getMessage() for r in handler.take_unexpected()] == ["a", "b"]
    assert handler.take_unexpected() == []


def test_expect_log_allows_a_match_and_requires_one() -> None:
    handler = LogFailHandler()
    expect = ExpectLog(handler)
    with expect(logging.WARNING, r"bad \d+", logger="desktop.core") as expectation:
        handler.handle(record("desktop.core.loader", logging.WARNING, "bad 42"))
        handler.handle(record("desktop.core.loader", logging.ERROR, "bad 43"))  # other level
        handler.handle(record("desktop.ui", logging.WARNING, "bad 44"))  # other logger
    assert [r.getMessage() for r in expectation.matched] == ["bad 42"]
    assert [r.getMessage() for r in handler.take_unexpected()] == ["bad 43", "bad 44"]
    with pytest.raises(AssertionError, match="none came"), expect(logging.WARNING, "never"):
        pass
    handler.handle(record("desktop", logging.WARNING, "bad 45"))  # the block is over
    assert len(handler.take_unexpected()) == 1


def test_a_caplog_at_that_level_counts_as_expected() -> None:
    handler = LogFailHandler()
    captured = logging.Handler(level=logging.ERROR)
    handler.caplog_handler = captured
    handler.handle(record("desktop", logging.ERROR, "captured"))
    handler.handle(record("desktop", logging.WARNING, "below the capture level"))
    captured.setLevel(logging.NOTSET)  # caplog's default: captures, but nothing declared
    handler.handle(record("desktop", logging.CRITICAL, "not declared"))
    assert [r.getMessage() for r in handler.take_unexpected()] == [
        "below the capture level",
        "not declared",
    ]
