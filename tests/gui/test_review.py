"""The review window with real Qt widgets, a real task runner and real SQLite files: the
hand-computed fixture (tests/helpers/review_fixture.py) and a 1,000,000-call file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from db import open_db
from desktop.core.calendar import AgentCalendar
from desktop.core.changes import OpChanges
from desktop.core.clock import parse_iso
from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.services.review.browser import CallFilter
from desktop.ui.review import ReviewWindow
from desktop.ui.review.call_model import CallTableModel
from desktop.ui.review.source import ReviewSource
from desktop.ui.tasks import TaskRunner
from tests.helpers.review_fixture import CHECKLISTS, NOW, build_review_db

MILLION = 1_000_000
PACK = load_pack(bundled_pack_dir())


@pytest.fixture(scope="session")
def million_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000,000 calls, one a minute back from 2026-03-01T00:00Z, on the real schema."""
    path = tmp_path_factory.mktemp("million") / "m.sqlite3"
    open_db(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' "
        "AND sql IS NOT NULL AND name <> 'idx_calls_repeat'"  # the facts triggers probe it
    ).fetchall()
    for name, _sql in indexes:  # built once after the load: several times faster
        conn.execute(f"DROP INDEX {name}")
    conn.execute("BEGIN")
    # one INSERT … SELECT over a counter: SQLite makes the million rows without Python
    conn.execute(
        f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {MILLION - 1})
        INSERT INTO calls (id, started_at, answered_at, ended_at, completed_at, status, intent,
                           agent, phone, outcome)
        SELECT printf('m%07d', i), t, t,
               strftime('%Y-%m-%dT%H:%M:%fZ', t, '+90 seconds'),
               strftime('%Y-%m-%dT%H:%M:%fZ', t, '+120 seconds'), 'completed',
               CASE i % 4 WHEN 0 THEN 'inquiry' WHEN 1 THEN 'complaint' WHEN 2 THEN 'status'
                    ELSE 'fault' END,
               'A' || (i % 7), printf('139%08d', i % 50000), 'resolved'
        FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%fZ', '2026-03-01', '-' || i || ' minutes') AS t
              FROM n)"""
    )
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.close()
    return path


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    qtbot.waitUntil(lambda: tasks.idle, timeout=20_000)
    tasks.close()


def source_for(path: Path, segmenter=None) -> ReviewSource:
    return ReviewSource(
        path,
        now=lambda: parse_iso(NOW),
        calendar=lambda: AgentCalendar("Asia/Shanghai"),
        checklists=lambda: CHECKLISTS,
        segmenter=segmenter,
        pack=lambda: PACK,
        evaluator="王组长",
    )


def test_lazy_model_opens_scrolls_and_jumps_in_a_million_calls(qtbot, runner, million_db) -> None:
    model = CallTableModel(source_for(million_db), runner.run_in_background)
    counts: list[int] = []
    model.count_changed.connect(counts.append)
    model.load(CallFilter())
    qtbot.waitUntil(lambda: model.rowCount() == 200 and bool(counts), timeout=20_000)
    assert counts == [MILLION]
    assert model.row(0).id == "m0000000" and model.row(199).id == "m0000199"
    assert model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 400, timeout=10_000)
    assert model.row(399).id == "m0000399"
    model.jump_to(500_000)
    qtbot.waitUntil(lambda: model.rowCount() == 200, timeout=10_000)
    assert model.row(0).id == "m0500000"
    assert model.headerData(0, Qt.Orientation.Vertical) == "500001"
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 400, timeout=10_000)
    assert model.row(399).id == "m0500399"


def test_view_scrolling_fetches_more_pages(qtbot, runner, million_db, tmp_path) -> None:
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    settings.setValue("review/preset", "自定义")
    settings.setValue("review/from", "2026-02-01")
    settings.setValue("review/to", "2026-02-07")  # 10,080 calls; statistics stay light
    window = ReviewWindow(source_for(million_db), runner.run_in_background, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.rowCount() == 200, timeout=20_000)
    for pages in (400, 600):
        window.table.scrollToBottom()
        qtbot.waitUntil(lambda n=pages: window.model.rowCount() >= n, timeout=20_000)
    qtbot.waitUntil(lambda: window.count_label.text() == "共 10,080 条通话", timeout=30_000)


@pytest.fixture
def review(qtbot, runner, tmp_path, segmenter) -> Iterator[ReviewWindow]:
    db_file = build_review_db(tmp_path / "r.sqlite3")
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    settings.setValue("review/preset", "自定义")
    settings.setValue("review/from", "2026-03-01")
    settings.setValue("review/to", "2026-03-07")
    window = ReviewWindow(source_for(db_file, segmenter), runner.run_in_background, settings)
    window.db_file = db_file
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: window.model.rowCount() == 7 and not window.model.loading, timeout=10_000
    )
    yield window


def shown_ids(window: ReviewWindow) -> list[str]:
    return [r.id for r in window.model.rows]


def test_filters_drive_the_browser_and_are_remembered(qtbot, review, runner, tmp_path) -> None:
    assert shown_ids(review) == ["C6", "C3", "C9", "C5", "C2", "C8", "C1"]
    review.intent.setCurrentIndex(review.intent.findData("inquiry"))
    qtbot.waitUntil(lambda: shown_ids(review) == ["C3", "C9", "C2"], timeout=10_000)
    review.skipped.setChecked(True)
    qtbot.waitUntil(lambda: shown_ids(review) == ["C2"], timeout=10_000)
    assert review.model.data(review.model.index(0, 9)) == "跳过 1 步"
    assert review.model.data(review.model.index(0, 2)) == "138****0002"
    assert review.model.data(review.model.index(0, 0)) == "2026-03-01 23:50"  # agent's zone
    review.close()
    again = ReviewWindow(review.source, runner.run_in_background, review._settings)
    qtbot.addWidget(again)
    assert again.intent.currentData() == "inquiry" and again.skipped.isChecked()
    assert again.preset.currentText() == "自定义"
    qtbot.waitUntil(lambda: [r.id for r in again.model.rows] == ["C2"], timeout=10_000)


def test_empty_period_and_bad_range_say_so(qtbot, review) -> None:
    review.date_from.setDate(review.date_from.date().addYears(-3))
    review.date_to.setDate(review.date_from.date())
    qtbot.waitUntil(lambda: "没有通话" in review.message.text(), timeout=10_000)
    review.date_from.setDate(review.date_to.date().addDays(5))
    qtbot.waitUntil(lambda: "日期有误" in review.message.text(), timeout=10_000)


def test_story_of_a_call(qtbot, review) -> None:
    review.table.selectRow(6)  # C1
    qtbot.waitUntil(lambda: "勾选" in review.story.toPlainText(), timeout=10_000)
    text = review.story.toPlainText()
    assert "选择类型：投诉" in text and "为首次响应提醒回电" in text
    assert "该来电者的其他通话" in text
    assert review.qa_button.isEnabled()


def test_stats_view_and_drill_down(qtbot, review) -> None:
    qtbot.waitUntil(
        lambda: "来电 7" in review.figures.text().replace("<b>", "").replace("</b>", ""),
        timeout=10_000,
    )
    qtbot.waitUntil(
        lambda: len(review.chart_steps.values) == 3, timeout=10_000
    )  # drawn last but one
    assert review.chart_hour.values[23] == 2 and review.chart_hour.values[10] == 3
    review.chart_hour.click_bar(23)
    qtbot.waitUntil(lambda: shown_ids(review) == ["C6", "C2"], timeout=10_000)
    assert review.tabs.currentIndex() == 0 and "23 点" in review.message.text()
    # complaint steps, most skipped first: thank (optional) 0, ★calm 0.5, ★accept 1
    assert review.chart_steps.labels == ["感谢客户", "★平息怒气", "★接受怨诉"]  # pack labels
    assert review.chart_steps.values == [0.0, 0.5, 1.0]
    review.chart_steps.click_bar(1)
    qtbot.waitUntil(lambda: shown_ids(review) == ["C8"], timeout=10_000)
    assert review.model.filter.step_missing == "calm"


def test_adherence_grid_cell_opens_its_calls(qtbot, review) -> None:
    review.grid_intent.setCurrentIndex(review.grid_intent.findData("inquiry"))
    qtbot.waitUntil(lambda: review.grid.rowCount() == 2, timeout=10_000)
    assert review.grid.verticalHeaderItem(0).text() == "A"
    column = review._grid_steps.index("answer") + 2
    assert review.grid.item(0, column).text() == "50%"
    review.grid.cellClicked.emit(0, column)
    qtbot.waitUntil(lambda: shown_ids(review) == ["C2"], timeout=10_000)


def test_qa_scorecard_saves_new_rows_only(qtbot, review) -> None:
    review.open_qa("C1")
    qtbot.waitUntil(lambda: review.qa_table.rowCount() == 6, timeout=10_000)
    assert review.qa_table.item(0, 1).text() == "达标"
    review.qa_comment.setPlainText("先处理情绪")
    review.save_qa()
    qtbot.waitUntil(lambda: "已保存评分" in review.message.text(), timeout=10_000)
    review.qa_table.cellWidget(2, 2).setValue(15)
    qtbot.waitUntil(lambda: review.qa_save.isEnabled(), timeout=10_000)
    review.save_qa()
    qtbot.waitUntil(lambda: "2 份评分" in review.qa_history.text(), timeout=10_000)
    conn = sqlite3.connect(review.db_file)
    rows = conn.execute(
        "SELECT score, supersedes_id FROM qa_evaluations ORDER BY created_at, rowid"
    ).fetchall()
    assert [r[0] for r in rows] == [50.0, 75.0] and rows[1][1] is not None
    assert conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 9
    conn.close()


def test_notes_search_and_handbook(qtbot, review, segmenter) -> None:
    from desktop.services.notes_search import index_calls

    conn = sqlite3.connect(review.db_file, isolation_level=None)
    index_calls(conn, [f"C{n}" for n in range(1, 10)], segmenter)
    conn.close()
    review.notes.setText("快递")  # as typed (QTest cannot type CJK); the debounce runs it
    qtbot.waitUntil(lambda: shown_ids(review) == ["C8", "C1"], timeout=10_000)
    review.refresh_handbook()
    qtbot.waitUntil(lambda: review.handbook.rowCount() >= 1, timeout=10_000)
    assert "快递" in review.handbook.item(0, 0).text()
    review.handbook.cellClicked.emit(0, 0)
    qtbot.waitUntil(lambda: set(shown_ids(review)) == {"C1", "C8"}, timeout=10_000)


def test_menu_entry_opens_the_review(qtbot, app) -> None:
    action = next(a for a in app.window.tools_menu.actions() if a.text() == "组长复盘…")
    assert action.shortcut().toString() == "Ctrl+Shift+L"
    app.lead_gate.session.set_first_pin("246810")  # lead mode is on: no PIN dialog now
    assert app.lead_gate.session.unlocked
    action.trigger()
    shown = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, ReviewWindow) and w.source.db_file == app.paths.db
    ]
    assert len(shown) == 1 and shown[0].isVisible()
    qtbot.addWidget(shown[0])
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)
    assert "没有通话" in shown[0].message.text() or "还没有" in shown[0].message.text()


# ---- live refresh: the review follows the agent's own file (app.hub.changed) ----------


def _figures(window: ReviewWindow) -> str:
    return window.figures.text().replace("<b>", "").replace("</b>", "")


def test_a_call_completed_in_the_workspace_appears_in_the_open_review(qtbot, app, clock) -> None:
    app.workspace.start_manual("13800138000", "")
    first = app.workspace.current
    app.workspace.choose_intent("inquiry")
    app.workspace.complete("resolved", "客户挂断")
    app.lead_gate.session.set_first_pin("246810")  # lead mode on: no PIN dialog
    app.window.open_review()
    review = next(
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, ReviewWindow) and w.source.db_file == app.paths.db
    )
    qtbot.addWidget(review)
    qtbot.waitUntil(lambda: shown_ids(review) == [first.id], timeout=10_000)
    qtbot.waitUntil(lambda: "来电 1" in _figures(review), timeout=10_000)
    review.table.selectRow(0)
    qtbot.waitUntil(lambda: "完成" in review.story.toPlainText(), timeout=10_000)

    clock.advance(minutes=5)
    qtbot.keyClick(app.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(app.window.view.new_call.number, "13912345678")
    qtbot.keyClick(app.window.view.new_call.number, Qt.Key.Key_Return)
    second = app.workspace.current
    assert second is not None and second.id != first.id
    app.workspace.choose_intent("complaint")
    clock.advance(minutes=3)
    app.workspace.complete("follow_up", "客户急着挂电话")
    assert app.calls.get(second.id).status == "completed"

    qtbot.waitUntil(lambda: shown_ids(review) == [second.id, first.id], timeout=10_000)
    assert review.table.currentIndex().row() == 1  # still on the first call
    assert review.model.row(1).id == first.id
    assert review.count_label.text() == "共 2 条通话"
    qtbot.waitUntil(lambda: "来电 2" in _figures(review), timeout=10_000)
    assert review.model.data(review.model.index(0, 4)) == "投诉"


def test_changes_refresh_rows_story_and_stats_in_place(qtbot, review) -> None:
    review.table.selectRow(4)  # C2
    qtbot.waitUntil(lambda: "发票" in review.story.toPlainText(), timeout=10_000)
    qtbot.waitUntil(lambda: "来电 7" in _figures(review), timeout=10_000)
    by_agent = {a: v["calls"] for a, v in review._stats["by_agent"].items()}
    conn = sqlite3.connect(review.db_file, isolation_level=None)
    conn.execute(
        "INSERT INTO calls (id, agent, phone, intent, status, started_at, answered_at, ended_at, "
        "completed_at, outcome, notes, priority, caller_name) VALUES ('C10', 'A', '13800000009', "
        "'help', 'completed', '2026-03-07T10:00:00.000Z', '2026-03-07T10:00:05.000Z', "
        "'2026-03-07T10:04:05.000Z', '2026-03-07T10:05:00.000Z', 'resolved', '', 'normal', '')"
    )
    conn.execute("UPDATE calls SET notes = '咨询发票抬头怎么改，已补开' WHERE id = 'C2'")
    conn.execute("DELETE FROM calls WHERE id = 'C6'")
    conn.close()
    review.on_changes(OpChanges.for_calls("C10", "C2", "C6"))
    review.on_changes(OpChanges.for_calls("C2"))  # a burst: one re-read
    qtbot.waitUntil(
        lambda: shown_ids(review) == ["C10", "C3", "C9", "C5", "C2", "C8", "C1"], timeout=10_000
    )
    assert review.table.currentIndex().row() == 4 and review.model.row(4).id == "C2"
    assert review.model.row(4).notes_preview.endswith("已补开")
    qtbot.waitUntil(lambda: "已补开" in review.story.toPlainText(), timeout=10_000)
    qtbot.waitUntil(  # C10 is A's, C6 was B's
        lambda: (
            {a: v["calls"] for a, v in review._stats["by_agent"].items()}
            == {"A": by_agent["A"] + 1, "B": by_agent["B"] - 1}
        ),
        timeout=10_000,
    )
    assert "来电 7" in _figures(review)
    qtbot.waitUntil(lambda: review.count_label.text() == "共 7 条通话", timeout=10_000)
    review.on_changes(OpChanges(settings=False))  # nothing the review shows
    assert not review._live.isActive()


def test_changes_while_hidden_are_read_when_shown(qtbot, review) -> None:
    review.hide()
    conn = sqlite3.connect(review.db_file, isolation_level=None)
    conn.execute("DELETE FROM calls WHERE id = 'C6'")
    conn.close()
    review.on_changes(OpChanges.for_calls("C6"))
    assert not review._live.isActive()
    review.show()
    qtbot.waitUntil(
        lambda: shown_ids(review) == ["C3", "C9", "C5", "C2", "C8", "C1"], timeout=10_000
    )


def test_a_scrolled_list_keeps_its_top_call_when_new_calls_arrive(qtbot, review) -> None:
    review.table.setFixedHeight(review.table.horizontalHeader().height() + 3 * 24 + 4)
    qtbot.waitUntil(lambda: review.table.viewport().height() < 5 * 24, timeout=5_000)
    review.table.scrollTo(review.model.index(3, 0), review.table.ScrollHint.PositionAtTop)
    top = review.model.row(review.table.indexAt(QPoint(0, 0)).row()).id
    assert top == "C5"
    conn = sqlite3.connect(review.db_file, isolation_level=None)
    for n in (11, 12):
        conn.execute(
            "INSERT INTO calls (id, agent, phone, status, started_at, priority, caller_name, "
            f"notes) VALUES ('C{n}', 'A', '', 'missed', '2026-03-07T1{n - 10}:00:00.000Z', "
            "'normal', '', '')"
        )
    conn.close()
    review.on_changes(OpChanges.for_calls())
    qtbot.waitUntil(lambda: len(shown_ids(review)) == 9, timeout=10_000)
    assert shown_ids(review).index("C11") < shown_ids(review).index("C5")
    assert review.model.row(review.table.indexAt(QPoint(0, 0)).row()).id == "C5"
