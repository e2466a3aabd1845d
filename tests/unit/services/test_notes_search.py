from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import open_db
from desktop.core.clock import FakeClock
from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.core.text.segmenter import Segmenter
from desktop.services.audit import AuditLog
from desktop.services.calls import CallService
from desktop.services.notes_search import NotesIndexer, index_calls, search_notes
from tests.helpers.runner import thread_runner

PACK = load_pack(bundled_pack_dir())
NOTES = {
    "a": "客户投诉快递延误三天，要求退款",
    "b": "查询物流进度，包裹在转运中心",
    "c": "宽带无法上网，已报障派单",
    "d": "快递员态度差，客户要求道歉",
}


@pytest.fixture
def filled(tmp_path: Path, clock: FakeClock, segmenter: Segmenter) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "n.sqlite3"
    db = open_db(path)
    calls = CallService(db, clock, AuditLog(db, clock), lambda: PACK)
    ids = {}
    for key, notes in NOTES.items():
        clock.advance(60)
        call = calls.start_call("13800138000")
        calls.save_notes(call.id, notes)
        calls.wrap_up(call.id, "resolved")
        ids[key] = call.id
    db.close()
    return path, ids


def test_two_character_words_and_parts_of_longer_words_are_found(
    filled: tuple[Path, dict[str, str]], segmenter: Segmenter
) -> None:
    path, ids = filled
    conn = sqlite3.connect(path, isolation_level=None)
    index_calls(conn, ids.values(), segmenter)
    assert search_notes(conn, "物流", segmenter) == [ids["b"]]
    assert set(search_notes(conn, "快递", segmenter)) == {ids["a"], ids["d"]}
    assert search_notes(conn, "快递 退款", segmenter) == [ids["a"]]
    assert search_notes(conn, "投訴", segmenter) == [ids["a"]]  # traditional query
    assert search_notes(conn, "", segmenter) == []
    conn.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_any_query_text_is_safe(
    filled: tuple[Path, dict[str, str]], segmenter: Segmenter, query: str
) -> None:
    path, _ = filled
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert isinstance(search_notes(conn, query + ' "NEAR* -(', segmenter), list)
    finally:
        conn.close()


def test_indexer_backfills_at_start_and_indexes_new_calls(
    filled: tuple[Path, dict[str, str]], segmenter: Segmenter, clock: FakeClock
) -> None:
    path, ids = filled
    with thread_runner() as run:
        indexer = NotesIndexer(path, segmenter, run)
        indexer.start()
        assert indexer.idle.wait(10)
        _index_one_more(path, clock, indexer, segmenter, ids)


def _index_one_more(path: Path, clock: FakeClock, indexer: NotesIndexer, segmenter, ids) -> None:
    db = open_db(path)
    calls = CallService(db, clock, AuditLog(db, clock), lambda: PACK)
    call = calls.start_call()
    calls.save_notes(call.id, "客户要求补发发票")
    calls.wrap_up(call.id, "resolved")
    indexer.enqueue(call.id)
    assert indexer.idle.wait(10)
    indexer.stop()
    conn = db.conn
    assert search_notes(conn, "物流", segmenter) == [ids["b"]]
    assert search_notes(conn, "发票", segmenter) == [call.id]
    db.close()
