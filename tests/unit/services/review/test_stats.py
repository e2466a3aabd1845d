"""Every figure against numbers worked out by hand on tests/helpers/review_fixture.py."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest

from desktop.core.clock import parse_iso
from desktop.services.review.period import Period, PeriodError
from desktop.services.review.stats import adherence_by_agent, compute, percentile
from tests.helpers.review_fixture import CHECKLISTS, NOW, ZONE

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 7), ZONE)


def stats(conn: sqlite3.Connection, **kw):
    return compute(conn, PERIOD, checklists=CHECKLISTS, now=parse_iso(NOW), **kw)


def test_headline_figures(ro: sqlite3.Connection) -> None:
    s = stats(ro)
    # in the period: C1 C2 C3 C5 C6 C8 C9 (C4 is day 8, C7 local 00:30 on the 8th)
    assert s["calls"] == 7
    assert s["answered"] == 6 and s["missed"] == 1
    assert s["answer_rate"] == pytest.approx(6 / 7)
    # talk 300+1800+200+600+120+100 = 3120 over 6 handled calls; wrap-up 360
    assert s["talk_s"] == pytest.approx(520)
    assert s["acw_s"] == pytest.approx(60)
    assert s["aht_s"] == pytest.approx(580)
    # eligible C1 C2 C3 C8 C9 (C6 has no number): C1 follow-up; C2 repeated by C9 (day 4);
    # C3 repeated by C4 on day 8, past the period; C8 (a call-back) and C9 count
    assert s["fcr_calls"] == 5
    assert s["fcr"] == pytest.approx(0.4)


def test_json_keys_the_issue_lists(ro: sqlite3.Connection) -> None:
    s = stats(ro)
    for key in (
        "calls",
        "answered",
        "missed",
        "aht_s",
        "talk_s",
        "acw_s",
        "fcr",
        "by_hour",
        "by_intent",
        "by_agent",
        "adherence",
        "callbacks",
        "complaints",
    ):
        assert key in s
    json.dumps(s)  # serialisable as is


def test_local_hours_and_days(ro: sqlite3.Connection) -> None:
    s = stats(ro)
    assert {h: n for h, n in s["by_hour"].items() if n} == {"10": 3, "11": 1, "12": 1, "23": 2}
    assert len(s["by_hour"]) == 24
    assert s["by_day"] == {
        "2026-03-01": 3,
        "2026-03-02": 0,
        "2026-03-03": 1,
        "2026-03-04": 1,
        "2026-03-05": 0,
        "2026-03-06": 1,
        "2026-03-07": 1,
    }


def test_other_zone_moves_the_midnight_call(ro: sqlite3.Connection) -> None:
    s = compute(ro, Period(date(2026, 3, 1), date(2026, 3, 1), "UTC"), now=parse_iso(NOW))
    # UTC 2026-03-01: C1 02:00, C8 03:00, C2 15:50
    assert s["calls"] == 3
    assert s["by_hour"]["15"] == 1


def test_by_intent_and_agent(ro: sqlite3.Connection) -> None:
    s = stats(ro)
    assert s["by_intent"]["complaint"]["calls"] == 2
    assert s["by_intent"]["complaint"]["aht_s"] == pytest.approx(270)
    assert s["by_intent"]["complaint"]["fcr"] == pytest.approx(0.5)
    assert s["by_intent"]["inquiry"]["calls"] == 3
    assert s["by_intent"]["inquiry"]["aht_s"] == pytest.approx(760)
    assert s["by_intent"]["inquiry"]["fcr"] == pytest.approx(1 / 3)
    assert s["by_intent"]["help"]["fcr"] is None  # only an unknown number
    assert set(s["by_intent"]) == {"complaint", "inquiry", "help"}
    a, b = s["by_agent"]["A"], s["by_agent"]["B"]
    assert (a["calls"], a["answered"], a["missed"]) == (4, 4, 0)
    assert a["aht_s"] == pytest.approx(645)
    assert (b["calls"], b["answered"], b["missed"]) == (3, 2, 1)
    assert b["aht_s"] == pytest.approx(450)


def test_adherence(ro: sqlite3.Connection) -> None:
    adh = stats(ro)["adherence"]
    complaint = adh["complaint"]
    assert complaint["calls"] == 2
    assert complaint["all_required"] == pytest.approx(0.5)  # C8 skipped calm
    assert complaint["steps"] == {"accept": 1.0, "calm": 0.5, "thank": 0.0}  # late tick ignored
    assert complaint["most_skipped"] == "calm"  # thank is optional
    inquiry = adh["inquiry"]
    assert inquiry["calls"] == 3
    assert inquiry["all_required"] == pytest.approx(2 / 3)  # C2 unticked 'answer'
    assert inquiry["steps"]["answer"] == pytest.approx(2 / 3)
    assert inquiry["most_skipped"] == "answer"
    assert "help" not in adh  # no checklist known


def test_adherence_grid_by_agent(ro: sqlite3.Connection) -> None:
    grid = adherence_by_agent(ro, PERIOD, "inquiry", CHECKLISTS)
    assert grid["A"]["calls"] == 2 and grid["A"]["steps"]["answer"] == pytest.approx(0.5)
    assert grid["B"]["calls"] == 1 and grid["B"]["all_required"] == 1.0


def test_callbacks_kept_and_overdue(ro: sqlite3.Connection) -> None:
    cb = stats(ro)["callbacks"]
    # R2 kept (10 min late, within grace), R3 late (30 min), R4 missed; R5 not due (Mar 25)
    # and outside; R6 cancelled
    assert (cb["due"], cb["kept"], cb["late"], cb["missed"]) == (3, 1, 1, 1)
    assert cb["kept_rate"] == pytest.approx(1 / 3)
    assert cb["overdue"] == 1  # R4, still open
    assert cb["by_day"]["2026-03-04"] == {"due": 1, "kept": 1}
    assert cb["by_day"]["2026-03-06"] == {"due": 1, "kept": 0}


def test_grace_decides_kept(ro: sqlite3.Connection) -> None:
    cb = stats(ro, grace=timedelta(minutes=5))["callbacks"]
    assert cb["kept"] == 0 and cb["late"] == 2


def test_complaint_times(ro: sqlite3.Connection) -> None:
    c = stats(ro)["complaints"]
    # one case (C1; C8 is its call-back). First response: hang-up 02:05:10 -> call-back
    # 03:00:00 = 3290 s. Resolution: start 02:00:00 -> C8 resolved 03:03:00 = 3780 s.
    assert c["cases"] == 1
    assert c["first_response_median_s"] == pytest.approx(3290)
    assert c["first_response_p90_s"] == pytest.approx(3290)
    assert c["resolution_median_s"] == pytest.approx(3780)
    assert c["unresolved"] == 0


def test_one_agent(ro: sqlite3.Connection) -> None:
    s = stats(ro, agent="B")
    assert (s["calls"], s["missed"]) == (3, 1)
    assert set(s["by_agent"]) == {"B"}
    assert (s["callbacks"]["due"], s["callbacks"]["late"]) == (1, 1)  # R3 only
    assert s["callbacks"]["overdue"] == 0
    assert s["complaints"]["cases"] == 0
    assert s["complaints"]["first_response_median_s"] is None


def test_unknown_agent_and_empty_period_give_zeros_and_nulls(ro: sqlite3.Connection) -> None:
    s = stats(ro, agent="nobody")
    assert s["calls"] == 0 and s["aht_s"] is None and s["fcr"] is None
    assert s["answer_rate"] is None and s["by_agent"] == {}
    empty = compute(ro, Period(date(2025, 1, 1), date(2025, 1, 2), ZONE), now=parse_iso(NOW))
    assert empty["calls"] == 0 and empty["callbacks"]["kept_rate"] is None


def test_qa_averages_use_the_newest_evaluation(review_db) -> None:
    conn = sqlite3.connect(review_db)
    conn.executemany(
        "INSERT INTO qa_evaluations (id, call_id, agent, evaluator, created_at, score, "
        "supersedes_id) VALUES (?, ?, ?, 'L', ?, ?, ?)",
        [
            ("q1", "C1", "A", "2026-03-10T00:00:00.000Z", 80, None),
            ("q2", "C1", "A", "2026-03-11T00:00:00.000Z", 60, "q1"),
            ("q3", "C3", "B", "2026-03-11T00:00:00.000Z", 90, None),
        ],
    )
    conn.commit()
    s = stats(conn)
    assert (s["by_agent"]["A"]["qa_avg"], s["by_agent"]["A"]["qa_count"]) == (60, 1)
    assert s["by_agent"]["B"]["qa_avg"] == 90
    assert s["qa"] == {"evaluated": 2, "score_avg": 75}
    conn.close()


def test_period_bounds_and_errors() -> None:
    assert Period.parse("2026-03-01", "2026-03-07", ZONE).iso_bounds() == (
        "2026-02-28T16:00:00.000Z",
        "2026-03-07T16:00:00.000Z",
    )
    # New York's spring-forward day is 23 hours long
    start, end = Period.parse("2026-03-08", "2026-03-08", "America/New_York").bounds()
    assert end - start == timedelta(hours=23)
    with pytest.raises(PeriodError):
        Period.parse("2026-03-07", "2026-03-01")
    with pytest.raises(PeriodError):
        Period.parse("2026-13-01", "2026-03-01")
    with pytest.raises(PeriodError):
        Period.parse("2026-03-01", "2026-03-01", "Mars/Olympus")


def test_percentile_is_nearest_rank() -> None:
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([], 0.9) is None


def test_a_closed_case_resolves_at_its_audit_entry(review_db) -> None:
    conn = sqlite3.connect(review_db, isolation_level=None)
    conn.execute(  # as desktop/services/reminders/cases.py records it
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES "
        "('2026-03-01T02:30:00.000Z', 'A', 'reminder.case_closed', 'case', 'C1', '{}'), "
        "('2026-03-01T02:10:00.000Z', 'A', 'reminder.case_closed', 'reminder', 'C1', '{}')"
    )
    c = stats(conn)["complaints"]
    conn.close()
    # start 02:00:00 -> closed 02:30:00, before C8's resolution at 03:03:00; an entry about
    # something other than the case (entity 'reminder') does not close it
    assert c["resolution_median_s"] == pytest.approx(1800)
