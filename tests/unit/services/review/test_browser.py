from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from desktop.core.clock import parse_iso
from desktop.core.text.segmenter import Segmenter
from desktop.services.notes_search import index_calls
from desktop.services.review.browser import CallBrowser, CallFilter, FilterError, Sort
from desktop.services.review.period import Period
from tests.helpers.review_fixture import CHECKLISTS, NOW, ZONE

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 7), ZONE)
IN_PERIOD = CallFilter(period=PERIOD)


@pytest.fixture
def browser(ro: sqlite3.Connection, segmenter: Segmenter) -> CallBrowser:
    return CallBrowser(ro, now=lambda: parse_iso(NOW), checklists=CHECKLISTS, segmenter=segmenter)


def ids(rows) -> list[str]:
    return [r.id for r in rows]


def test_period_newest_first(browser: CallBrowser) -> None:
    assert ids(browser.page(IN_PERIOD)) == ["C6", "C3", "C9", "C5", "C2", "C8", "C1"]
    assert browser.count(IN_PERIOD) == 7
    assert browser.count(CallFilter()) == 9


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (IN_PERIOD.with_(intents=("inquiry",)), ["C3", "C9", "C2"]),
        (IN_PERIOD.with_(outcomes=("follow_up",)), ["C1"]),
        (IN_PERIOD.with_(agents=("B",)), ["C6", "C3", "C5"]),
        (IN_PERIOD.with_(missed_only=True), ["C5"]),
        (IN_PERIOD.with_(required_skipped=True), ["C2", "C8"]),
        (IN_PERIOD.with_(reminder_overdue=True), ["C2"]),
        (IN_PERIOD.with_(repeat_callers=True), ["C3", "C9", "C2", "C8", "C1"]),
        (IN_PERIOD.with_(hours=(23,)), ["C6", "C2"]),
        (IN_PERIOD.with_(intents=("complaint",), step_missing="calm"), ["C8"]),
        (CallFilter(phone="13800000003"), ["C4", "C3"]),
        (CallFilter(call_ids=("C7", "C1")), ["C7", "C1"]),
        (IN_PERIOD.with_(priorities=("urgent",)), []),
    ],
)
def test_filters(browser: CallBrowser, flt: CallFilter, expected: list[str]) -> None:
    assert ids(browser.page(flt)) == expected
    assert browser.count(flt) == len(expected)


def test_notes_search_through_the_fts_index(
    review_db, browser: CallBrowser, segmenter: Segmenter
) -> None:
    conn = sqlite3.connect(review_db, isolation_level=None)
    index_calls(conn, [f"C{n}" for n in range(1, 10)], segmenter)
    conn.close()
    assert ids(browser.page(CallFilter(notes="快递"))) == ["C8", "C1"]
    assert ids(browser.page(IN_PERIOD.with_(notes="发票抬头"))) == ["C9", "C2"]
    assert ids(browser.page(CallFilter(notes="滤芯"))) == ["C4", "C3"]
    assert browser.page(IN_PERIOD.with_(notes="滤芯 发票")) == []


def test_keyset_pages_and_jump_cover_every_row_once(browser: CallBrowser) -> None:
    for sort in (Sort(), Sort("intent", False), Sort("agent", True), Sort("outcome", False)):
        everything = ids(browser.page(CallFilter(), sort, limit=100))
        paged, after = [], None
        while True:
            rows = browser.page(CallFilter(), sort, after, limit=2)
            paged += ids(rows)
            if len(rows) < 2:
                break
            after = rows[-1].key
        assert paged == everything and len(set(paged)) == 9
        assert ids(browser.jump(CallFilter(), sort, 4, limit=3)) == everything[4:7]
        assert browser.jump(CallFilter(), sort, 9) == []
        key = browser.page(CallFilter(), sort, limit=100)[5].key
        assert browser.position_of(CallFilter(), sort, key) == 5


def test_sorted_by_intent_puts_missed_first_ascending(browser: CallBrowser) -> None:
    rows = browser.page(IN_PERIOD, Sort("intent", descending=False))
    assert [r.intent for r in rows] == [None, "complaint", "complaint", "help"] + ["inquiry"] * 3


def test_row_columns(browser: CallBrowser) -> None:
    rows = {r.id: r for r in browser.page(IN_PERIOD)}
    c1 = rows["C1"]
    assert c1.masked_phone == "138****0001"
    assert (c1.talk_s, c1.acw_s) == (300, 60)
    assert c1.checklist_text == "2/3 ✓"  # the late 'thank' tick does not count
    assert c1.reminders == 1 and c1.reminders_open == 0
    assert rows["C2"].checklist_text == "跳过 1 步"
    assert rows["C2"].reminders_open == 1
    assert rows["C5"].checklist_text == "" and rows["C5"].talk_s is None
    assert rows["C1"].notes_preview.startswith("快递延误")


def test_iterate_yields_everything(browser: CallBrowser) -> None:
    assert len(list(browser.iterate(CallFilter(), batch=2))) == 9


def test_bad_filters_say_why(ro: sqlite3.Connection) -> None:
    plain = CallBrowser(ro, now=lambda: parse_iso(NOW))
    with pytest.raises(FilterError, match="日期"):
        plain.page(CallFilter(hours=(10,)))
    with pytest.raises(FilterError, match="全文检索"):
        plain.page(CallFilter(notes="快递"))
    with pytest.raises(FilterError):
        Sort("notes")


def test_browser_never_writes(review_db, browser: CallBrowser) -> None:
    before = review_db.read_bytes()
    browser.page(IN_PERIOD.with_(required_skipped=True, repeat_callers=True))
    browser.count(CallFilter(reminder_overdue=True))
    assert review_db.read_bytes() == before
