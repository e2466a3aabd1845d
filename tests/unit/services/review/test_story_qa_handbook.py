from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from desktop.core.clock import parse_iso
from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.core.text.phrases import PhraseChecker
from desktop.core.text.segmenter import Segmenter
from desktop.services.notes_search import index_calls
from desktop.services.review import handbook
from desktop.services.review.period import Period
from desktop.services.review.qa import QAError, QAStore, prefill, score_of
from desktop.services.review.story import CallNotFound, call_story
from tests.helpers.review_fixture import CHECKLISTS, NOW, ZONE

PACK = load_pack(bundled_pack_dir())
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 7), ZONE)


def test_story_in_time_order(ro: sqlite3.Connection) -> None:
    story = call_story(ro, "C1", now=parse_iso(NOW))
    kinds = [e.kind for e in story.events]
    assert kinds[:2] == ["ring", "answer"]
    assert [e.at for e in story.events] == sorted(e.at for e in story.events)
    texts = [e.text for e in story.events]
    assert "选择类型：咨询" in texts and "选择类型：投诉" in texts
    assert "勾选：accept" in texts
    assert any(t.startswith("复制话术") for t in texts)
    assert any(t.startswith("结案：需跟进") for t in texts)
    callbacks = [e for e in story.events if e.kind == "callback"]
    assert [e.call_id for e in callbacks] == ["C8"]
    assert story.reminders[0]["fate"] == "已完成（晚 23 分钟）"  # 03:00 vs 02:21:10 + 15 min
    assert any(e.kind == "audit" and "稍后" in e.text for e in story.events)
    assert [c["id"] for c in story.other_calls] == ["C8"]


def test_story_of_unticked_step_and_fates(ro: sqlite3.Connection) -> None:
    story = call_story(ro, "C2", now=parse_iso(NOW))
    assert "取消勾选：answer" in [e.text for e in story.events]
    assert story.reminders[0]["fate"] == "已逾期，尚未处理"
    cancelled = call_story(ro, "C9", now=parse_iso(NOW)).reminders
    assert {r["fate"] for r in cancelled} == {"已完成（准时）", "已取消：客户已自行解决"}
    with pytest.raises(CallNotFound):
        call_story(ro, "nope", now=parse_iso(NOW))


def test_qa_prefill_from_the_data(ro: sqlite3.Connection) -> None:
    checker = PhraseChecker(PACK.phrases)
    items = {
        i.key: i
        for i in prefill(
            ro, "C1", checklists=CHECKLISTS, phrase_checker=checker, now=parse_iso(NOW)
        )
    }
    assert items["required_steps"].auto is True and items["required_steps"].critical
    assert items["skip_reason"].auto is None
    assert items["first_response"].auto is False  # R1 answered 23 min late
    assert items["progress"].auto is None and items["callback"].auto is None
    assert items["phrases"].auto is False and "没办法" in items["phrases"].note
    assert score_of(list(items.values())) == 50.0  # (30 + 0 + 0) / (30 + 15 + 15)
    c8 = {
        i.key: i
        for i in prefill(
            ro, "C8", checklists=CHECKLISTS, phrase_checker=checker, now=parse_iso(NOW)
        )
    }
    assert c8["required_steps"].auto is False and "calm" in c8["required_steps"].note
    assert c8["skip_reason"].auto is False  # no reason given


def test_qa_saves_append_only_and_supersede(review_db) -> None:
    conn = sqlite3.connect(review_db, isolation_level=None)
    store = QAStore(conn)
    items = prefill(conn, "C1", checklists=CHECKLISTS, phrase_checker=None, now=parse_iso(NOW))
    first = store.save("C1", items, evaluator="L1", comment="先安抚", now=parse_iso(NOW))
    adjusted = [i.with_points(i.max) for i in items]
    second = store.save("C1", adjusted, evaluator="L1", now=parse_iso("2026-03-21T00:00:00Z"))
    assert second.supersedes_id == first.id and second.score == 100.0
    assert store.current("C1").id == second.id
    assert [e.id for e in store.history("C1")] == [first.id, second.id]
    assert store.history("C1")[0].comment == "先安抚"
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("UPDATE qa_evaluations SET score = 0")
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("DELETE FROM qa_evaluations")
    with pytest.raises(QAError):
        items[0].with_points(99)
    with pytest.raises(QAError):
        store.save("nope", items, evaluator="L1", now=parse_iso(NOW))
    assert conn.execute("SELECT COUNT(*) FROM qa_evaluations").fetchone()[0] == 2
    assert conn.execute("SELECT notes FROM calls WHERE id = 'C1'").fetchone()[0].startswith("快递")
    conn.close()


def test_handbook_topics(review_db, segmenter: Segmenter) -> None:
    conn = sqlite3.connect(review_db, isolation_level=None)
    index_calls(conn, [f"C{n}" for n in range(1, 10)], segmenter)
    topics = handbook.build(conn, PERIOD, now=parse_iso(NOW))
    top = topics[0]
    assert "快递" in top.word.split()  # both complaint notes, no other note
    assert top.calls == 2
    assert top.median_handle_s == pytest.approx(270)  # (360 + 180) / 2, answer to wrap-up done
    assert top.resolution_rate == 1.0  # C1's case resolved by C8
    assert top.callbacks_kept == 0.0  # R1 late
    assert set(top.examples) == {"C1", "C8"}
    assert (
        handbook.build(conn, Period(date(2025, 1, 1), date(2025, 1, 1), ZONE), now=parse_iso(NOW))
        == []
    )
    conn.close()
