from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from desktop.core.clock import parse_iso
from desktop.core.text.segmenter import Segmenter
from desktop.services.notes_search import index_calls
from desktop.services.review.browser import SORT_COLUMNS, CallBrowser, CallFilter, FilterError, Sort
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


@pytest.fixture
def tied_db(tmp_path) -> sqlite3.Connection:
    """300 calls whose sort values tie often (3 agents, 4 intents, talk and wrap-up times
    from a handful of values, missed calls without any), some on the same second."""
    from db import open_db

    path = tmp_path / "tied.sqlite3"
    db = open_db(path)
    rows = []
    for n in range(300):
        started = f"2026-03-0{1 + n % 5}T0{n % 7}:00:{n % 3:02d}.000Z"
        missed = n % 11 == 0
        talk = (30, 60, 60, 125)[n % 4] + (n % 2) * 0.5
        acw = (10, 10, 45)[n % 3]
        answered = None if missed else started
        ended = None if missed else _plus(started, talk)
        completed = None if missed else _plus(started, talk + acw)
        rows.append(
            (
                f"T{n:03d}",
                f"A{n % 3}",
                (None, "inquiry", "complaint", "fault")[n % 4] if not missed else None,
                "missed" if missed else "completed",
                started,
                answered,
                ended,
                completed,
                None if missed else ("resolved", "follow_up")[n % 2],
                ("normal", "urgent")[n % 5 == 0],
            )
        )
    db.conn.execute("BEGIN")
    db.conn.executemany(
        "INSERT INTO calls (id, agent, intent, status, started_at, answered_at, ended_at, "
        "completed_at, outcome, priority, phone, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '')",
        rows,
    )
    db.conn.execute("COMMIT")
    db.close()
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    yield conn
    conn.close()


def _plus(iso: str, seconds: float) -> str:
    from datetime import timedelta

    from desktop.core.clock import to_iso

    return to_iso(parse_iso(iso) + timedelta(seconds=seconds))


def _expected(conn: sqlite3.Connection, sort: Sort) -> list[str]:
    """The order worked out in Python from the raw rows (NULL talk / wrap-up first
    ascending, ties by start time then insertion order)."""
    rows = conn.execute(
        "SELECT rowid, id, started_at, agent, intent, priority, outcome, answered_at, ended_at, "
        "completed_at FROM calls"
    ).fetchall()

    def seconds(a: str | None, b: str | None) -> float:
        if a is None or b is None:
            return -1.0
        return round((parse_iso(b) - parse_iso(a)).total_seconds(), 3)

    def value(r):
        rowid, _id, started, agent, intent, priority, outcome, answered, ended, completed = r
        first = {
            "started_at": (),
            "agent": (agent or "",),
            "intent": (intent or "",),
            "priority": (priority or "",),
            "outcome": (outcome or "",),
            "talk_s": (seconds(answered, ended),),
            "acw_s": (seconds(ended, completed),),
        }[sort.column]
        return (*first, started, rowid)

    return [r[1] for r in sorted(rows, key=value, reverse=sort.descending)]


@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
@pytest.mark.parametrize("column", list(SORT_COLUMNS))
def test_keyset_paging_is_exact_under_every_sort(tied_db, column: str, descending: bool) -> None:
    browser = CallBrowser(tied_db, now=lambda: parse_iso(NOW))
    sort = Sort(column, descending)
    expected = _expected(tied_db, sort)
    assert ids(browser.page(CallFilter(), sort, limit=1000)) == expected
    paged, after = [], None
    while True:
        rows = browser.page(CallFilter(), sort, after, limit=7)
        paged += ids(rows)
        if len(rows) < 7:
            break
        after = rows[-1].key
    assert paged == expected
    for at in (0, 1, 77, 150, 299):
        assert ids(browser.jump(CallFilter(), sort, at, limit=5)) == expected[at : at + 5]
        key = browser.key_at(CallFilter(), sort, at)
        assert browser.position_of(CallFilter(), sort, key) == at
    assert browser.jump(CallFilter(), sort, 300) == []
    completed = CallFilter(outcomes=("resolved",))
    want = [i for i in expected if i in set(ids(browser.page(completed, limit=1000)))]
    paged, after = [], None
    while rows := browser.page(completed, sort, after, limit=9):
        paged += ids(rows)
        after = rows[-1].key
    assert paged == want


def test_talk_and_wrap_up_sorts_put_calls_without_them_first_ascending(browser) -> None:
    rows = browser.page(IN_PERIOD, Sort("talk_s", descending=False))
    assert rows[0].id == "C5" and rows[0].talk_s is None
    talks = [r.talk_s for r in rows[1:]]
    assert talks == sorted(talks)
    rows = browser.page(IN_PERIOD, Sort("acw_s", descending=True))
    acws = [r.acw_s if r.acw_s is not None else -1 for r in rows]
    assert acws == sorted(acws, reverse=True)


def test_notes_search_gives_the_same_pages_by_either_plan(
    review_db, browser: CallBrowser, segmenter: Segmenter, monkeypatch
) -> None:
    """A common word in a period walks the period's index (dialect.MANY_MATCHES); the
    result is the one looking the matches up gives, page by page."""
    from desktop.services.review import dialect

    conn = sqlite3.connect(review_db, isolation_level=None)
    index_calls(conn, [f"C{n}" for n in range(1, 10)], segmenter)
    conn.close()
    whole = Period(date(2026, 3, 1), date(2026, 3, 31), ZONE)
    for words in ("快递", "发票抬头", "滤芯"):
        flt = CallFilter(period=whole, notes=words)
        looked_up = ids(browser.page(flt))
        monkeypatch.setattr(dialect, "MANY_MATCHES", 1)
        assert "+c.rowid" in browser._where(flt)[0]
        assert ids(browser.page(flt)) == looked_up and looked_up
        first = browser.page(flt, limit=1)
        assert ids(first + browser.page(flt, after=first[0].key)) == looked_up
        assert browser.count(flt) == len(looked_up)
        everywhere = CallFilter(notes=words)
        assert "+c.rowid" in browser._where(everywhere)[0]
        walked = ids(browser.page(everywhere))
        monkeypatch.setattr(dialect, "MANY_MATCHES", 1000)
        assert "+c.rowid" not in browser._where(everywhere)[0]
        assert ids(browser.page(everywhere)) == walked
