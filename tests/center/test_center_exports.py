"""The review window's 导出 menu on a center source (issue 17), through the real app against
the real server: the filtered calls (CSV, masked) and their workbook, and the statistics
workbook, are read from the center (the lead's local file holds no calls: a local export
would be empty), for the review's team when one is chosen; the menu names its source."""

from __future__ import annotations

from datetime import date

import openpyxl

from desktop.core.clock import parse_iso
from desktop.core.privacy import mask_number
from desktop.services.center.connection import connect
from desktop.services.center.dialect import POSTGRES
from desktop.services.lead.reports import CallQuery
from desktop.services.review import stats
from desktop.services.review.browser import CallFilter
from desktop.services.review.period import Period
from desktop.ui.review.window import ReviewWindow
from tests.center.test_center_review import _top, center  # noqa: F401 - the center fixture
from tests.gui.conftest import app  # noqa: F401 - the whole app
from tests.helpers.review_fixture import NOW

WEEK = Period.parse("2026-03-01", "2026-03-07", "Asia/Shanghai")


def open_center_review(qtbot, app, url) -> ReviewWindow:  # noqa: F811
    from desktop.run import _open_review

    app.lead_gate.session.set_first_pin("246810")  # lead mode on: no PIN dialog
    _open_review(app, url)
    qtbot.waitUntil(
        lambda: any(isinstance(w, ReviewWindow) and w.isVisible() for w in _top()), timeout=10_000
    )
    window = next(w for w in _top() if isinstance(w, ReviewWindow))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.source.is_center, timeout=20_000)
    qtbot.waitUntil(lambda: window.team.count() == 3, timeout=20_000)
    return window


def totals(path) -> dict[str, object]:
    """The 统计 sheet's rows by type (合计 = the whole scope)."""
    sheet = openpyxl.load_workbook(path)["统计"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "类型")
    return {r[0]: r[1] for r in rows[header + 1 :] if r and r[0]}


def test_exports_from_a_center_review_read_the_center(qtbot, app, center, tmp_path):  # noqa: F811
    window = open_center_review(qtbot, app, center)
    menu = next(a for a in window.menuBar().actions() if a.text() == "导出(&E)").menu()
    texts = [a.text() for a in menu.actions()]
    assert "导出当前筛选的通话（中心数据库）…" in texts and "导出统计（中心数据库）…" in texts
    assert any("与数据源无关" in t for t in texts)  # the pack's handbook: no database read
    with connect(center) as pg:
        phones = {r[0] for r in pg.execute("SELECT phone FROM calls WHERE phone <> ''")}
        team_b = stats.compute(
            pg, WEEK, agents=["B"], now=parse_iso(NOW), dialect=POSTGRES
        )["calls"]  # fmt: skip
    assert phones and 0 < team_b < 7

    # the filtered calls, CSV: the center's seven calls of the week, numbers masked
    out = tmp_path / "filtered.csv"
    handle = app.lead.export_filtered(window, window.source, CallFilter(period=WEEK), "csv", out)
    qtbot.waitUntil(lambda: handle.done and app.tasks.idle, timeout=20_000)
    qtbot.waitUntil(out.exists)
    text = out.read_text(encoding="utf-8-sig")
    assert len(text.strip().splitlines()) == 1 + 7
    assert not any(p in text for p in phones) and mask_number(sorted(phones)[0]) in text

    # ... as a workbook: its statistics from the center too
    book = tmp_path / "filtered.xlsx"
    handle = app.lead.export_filtered(window, window.source, CallFilter(period=WEEK), "xlsx", book)
    qtbot.waitUntil(lambda: handle.done and app.tasks.idle, timeout=20_000)
    qtbot.waitUntil(book.exists)
    assert totals(book)["合计"] == 7

    # 导出统计 for the whole center, then for the team chosen in the review
    whole = tmp_path / "stats.xlsx"
    query = CallQuery(date(2026, 3, 1), date(2026, 3, 7))
    handle = app.lead.export_review_stats(window, window.source, query, "xlsx", whole)
    qtbot.waitUntil(lambda: handle.done and app.tasks.idle, timeout=20_000)
    qtbot.waitUntil(whole.exists)
    assert totals(whole)["合计"] == 7
    notes = [c.value for c in openpyxl.load_workbook(whole)["统计"]["A"] if c.value]
    assert any("中心数据库" in str(n) for n in notes)
    window.team.setCurrentIndex(window.team.findData("south"))  # agent B's team
    team = tmp_path / "team.xlsx"
    handle = app.lead.export_review_stats(window, window.source, query, "xlsx", team)
    qtbot.waitUntil(lambda: handle.done and app.tasks.idle, timeout=20_000)
    qtbot.waitUntil(team.exists)
    assert totals(team)["合计"] == team_b
    by_agent = openpyxl.load_workbook(team)["按坐席"]
    assert {r[0] for r in by_agent.iter_rows(values_only=True)} >= {"B"}
    assert "A" not in {r[0] for r in by_agent.iter_rows(values_only=True)}
    # each export is audited in the lead's own file
    audited = app.db.execute(
        "SELECT action, json_extract(detail, '$.scope') FROM audit_log "
        "WHERE action LIKE 'export.%' ORDER BY id"
    ).fetchall()
    assert [a for a, _s in audited] == [
        "export.calls",
        "export.calls",
        "export.stats",
        "export.stats",
    ]
    assert all("中心数据库" in s for _a, s in audited)
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=20_000)
    window.source.close()
