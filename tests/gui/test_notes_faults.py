"""Notes typed while the database cannot take them are kept, retried and merged back
(issue 14.1): a lock held by another program, and a full disk (SQLite's own SQLITE_FULL,
reached with max_page_count)."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest

from desktop.app import App, build_app
from tests.helpers.typing import ime_type


def _rescue_files(app: App) -> list:
    return sorted(app.paths.notes_rescue.glob("*.notes.txt"))


@pytest.mark.expect_log(logging.WARNING, r"not saved .*locked")
def test_a_lock_held_by_another_program_never_loses_typing(app: App, qtbot) -> None:
    app.workspace.start_manual("13800138000", "")
    call_id = app.workspace.current.id
    notes = app.window.view.notes
    other = sqlite3.connect(app.paths.db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        ime_type(notes.editor, "客户要求退款", chunk=2)
        started = time.monotonic()
        notes.flush()
        assert time.monotonic() - started < 2.0  # no 3-second freeze on the GUI thread
        assert notes.status.text().startswith("未保存：数据库被其他程序占用")
        assert "color: #b00020" in notes.status.styleSheet()
        (kept,) = _rescue_files(app)
        assert kept.read_text(encoding="utf-8") == "客户要求退款"
        ime_type(notes.editor, "，三天内", chunk=1)  # typing goes on meanwhile
        notes.flush()
    finally:
        other.execute("ROLLBACK")
        other.close()
    qtbot.waitUntil(lambda: notes.status.text().startswith("已保存"), timeout=10_000)
    assert app.calls.get(call_id).notes == "客户要求退款，三天内"
    assert _rescue_files(app) == []


@pytest.mark.expect_log(logging.WARNING, r"not saved .*full")
@pytest.mark.expect_log(logging.WARNING, r"closing with notes not in the database")
def test_a_full_disk_keeps_every_character_and_merges_it_back_next_start(
    qtbot, data_dir, clock, segmenter
) -> None:
    first = build_app(data_dir, clock)
    qtbot.addWidget(first.window)
    first.workspace.start_manual("13800138000", "")
    call_id = first.workspace.current.id
    pages = first.db.execute("PRAGMA page_count").fetchone()[0]
    first.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from here on
    typed = "物流延误，客户很着急。" * 200 + "完毕"  # 2,002 characters
    notes = first.window.view.notes
    ime_type(notes.editor, typed, chunk=50)
    notes.flush()
    assert notes.status.text().startswith("未保存：磁盘已满")
    first.close()  # the last retry at close fails too: the side file stays
    (kept,) = sorted((data_dir / "notes-rescue").glob("*.notes.txt"))
    assert kept.read_text(encoding="utf-8") == typed
    second = build_app(data_dir, clock)  # a new start: the disk has room again
    qtbot.addWidget(second.window)
    try:
        assert second.calls.get(call_id).notes == typed
        assert list((data_dir / "notes-rescue").glob("*.notes.txt")) == []
    finally:
        second.close()


@pytest.mark.expect_log(logging.WARNING, r"not saved .*locked")
def test_a_failed_save_is_retried_with_back_off(app: App, qtbot, monkeypatch) -> None:
    import desktop.ui.workspace.controller as controller

    monkeypatch.setattr(controller, "NOTES_RETRY_MS", (20, 40))
    app.workspace.start_manual("13800138000", "")
    call_id = app.workspace.current.id
    failures = [2]
    real = app.calls.save_notes

    def flaky(cid: str, text: str) -> bool:
        if failures[0]:
            failures[0] -= 1
            raise sqlite3.OperationalError("database is locked")
        return real(cid, text)

    monkeypatch.setattr(app.calls, "save_notes", flaky)
    ime_type(app.window.view.notes.editor, "回电确认")
    app.window.view.notes.flush()
    qtbot.waitUntil(lambda: app.calls.get(call_id).notes == "回电确认", timeout=5000)
    assert failures == [0] and app.workspace.notes.pending == {}
