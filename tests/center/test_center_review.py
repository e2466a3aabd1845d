"""The review window on the center's PostgreSQL database (issue 17), against the real server:
the same browser, story, statistics, grid, QA and notes search as on the local file, a team
filter, QA evaluations written to the center, and a center that fails (down, wrong password,
newer schema) falling back to the local database under a banner."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from db import open_db
from desktop.core.calendar import AgentCalendar
from desktop.core.clock import parse_iso
from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.services.center.connection import connect
from desktop.services.center.importer import import_bundle
from desktop.services.center.schema import migrate
from desktop.services.center.teams import assign_team
from desktop.ui.review.source import ReviewSource
from desktop.ui.review.window import ReviewWindow
from desktop.ui.tasks import TaskRunner
from tests.gui.conftest import app  # noqa: F401 - the whole app, for the command-line test
from tests.helpers.bundle_files import rows_from_db, write_bundle
from tests.helpers.pg import ROLE, PgServer, free_port
from tests.helpers.review_fixture import CHECKLISTS, NOW, build_review_db

PACK = load_pack(bundled_pack_dir())
FIRST_WEEK = ["C6", "C3", "C9", "C5", "C2", "C8", "C1"]


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    qtbot.waitUntil(lambda: tasks.idle, timeout=20_000)
    tasks.close()


@pytest.fixture
def center(tmp_path: Path, pg_url: str) -> str:
    """The review's hand-checked fixture, imported into the center as one agent's bundle;
    agent A in team north, B in team south."""
    agent_file = build_review_db(tmp_path / "agent.sqlite3")
    bundle = write_bundle(tmp_path / "A.callassist-bundle", rows_from_db(agent_file))
    with connect(pg_url) as pg:
        migrate(pg)
        import_bundle(pg, bundle, url=pg_url)
        assign_team(pg, "A", "north", "北区")
        assign_team(pg, "B", "south", "南区")
    return pg_url


@pytest.fixture
def local_db(tmp_path: Path) -> Path:
    """The lead's own database: migrated, with no calls (so what is shown says where from)."""
    path = tmp_path / "lead.sqlite3"
    open_db(path).close()
    return path


closers: list = []


@pytest.fixture(autouse=True)
def _close_sources(qtbot) -> Iterator[None]:
    """Each window's connections, closed once its queries are done (the runner fixture
    waits for them first: fixtures tear down in reverse)."""
    yield
    while closers:
        closers.pop()()


def open_review(qtbot, runner, tmp_path, local_db, url, segmenter=None, saved=None):
    source = ReviewSource(
        local_db,
        now=lambda: parse_iso(NOW),
        calendar=lambda: AgentCalendar("Asia/Shanghai"),
        checklists=lambda: CHECKLISTS,
        segmenter=segmenter,
        pack=lambda: PACK,
        evaluator="王组长",
        center_url=url,
    )
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    settings.setValue("review/preset", "自定义")
    settings.setValue("review/from", "2026-03-01")
    settings.setValue("review/to", "2026-03-07")
    window = ReviewWindow(
        source,
        runner.run_in_background,
        settings,
        save_center_url=None if saved is None else saved.append,
        run_with_progress=runner.run_with_progress,
    )
    qtbot.addWidget(window)
    window.show()
    closers.append(source.close)
    return window


def shown_ids(window: ReviewWindow) -> list[str]:
    return [r.id for r in window.model.rows]


def figures_text(window: ReviewWindow) -> str:
    return window.figures.text().replace("<b>", "").replace("</b>", "")


def test_the_review_shows_the_center(qtbot, runner, tmp_path, local_db, center, segmenter):
    window = open_review(qtbot, runner, tmp_path, local_db, center, segmenter)
    qtbot.waitUntil(lambda: shown_ids(window) == FIRST_WEEK, timeout=20_000)
    assert window.source.is_center and not window.banner.isVisible()
    assert "中心数据库" in window.windowTitle() and "s3cret" not in window.windowTitle()
    qtbot.waitUntil(lambda: window.count_label.text() == "共 7 条通话", timeout=10_000)
    # statistics and charts: the same figures as on the local file (tests/gui/test_review.py)
    qtbot.waitUntil(lambda: "来电 7" in figures_text(window), timeout=10_000)
    qtbot.waitUntil(lambda: len(window.chart_steps.values) == 3, timeout=10_000)
    assert window.chart_hour.values[23] == 2 and window.chart_hour.values[10] == 3
    assert window.chart_steps.values == [0.0, 0.5, 1.0]
    # the story of a call
    window.table.selectRow(6)  # C1
    qtbot.waitUntil(lambda: "勾选" in window.story.toPlainText(), timeout=10_000)
    assert "选择类型：投诉" in window.story.toPlainText()
    # the adherence grid, and a cell's drill-down
    window.grid_intent.setCurrentIndex(window.grid_intent.findData("inquiry"))
    qtbot.waitUntil(lambda: window.grid.rowCount() == 2, timeout=10_000)
    column = window._grid_steps.index("answer") + 2
    assert window.grid.item(0, column).text() == "50%"
    window.grid.cellClicked.emit(0, column)
    qtbot.waitUntil(lambda: shown_ids(window) == ["C2"], timeout=10_000)
    # notes search through the center's index
    window.notes.setText("快递")
    qtbot.waitUntil(lambda: shown_ids(window) == ["C8", "C1"], timeout=10_000)


def test_a_team_filters_browser_statistics_and_grid(qtbot, runner, tmp_path, local_db, center):
    window = open_review(qtbot, runner, tmp_path, local_db, center)
    qtbot.waitUntil(lambda: window.team.count() == 3, timeout=20_000)
    assert window.team.isVisible()
    assert window.team.itemText(1) == "北区（1 人）"
    qtbot.waitUntil(lambda: "来电 7" in figures_text(window), timeout=10_000)
    window.team.setCurrentIndex(window.team.findData("south"))
    qtbot.waitUntil(
        lambda: bool(shown_ids(window)) and {r.agent for r in window.model.rows} == {"B"},
        timeout=10_000,
    )
    b_calls = len(window.model.rows)
    assert 0 < b_calls < 7
    qtbot.waitUntil(lambda: f"来电 {b_calls}" in figures_text(window), timeout=10_000)
    qtbot.waitUntil(lambda: set(window._grid_agents) <= {"B"}, timeout=10_000)
    window.tabs.setCurrentWidget(window.handbook_page)  # the handbook runs when looked at
    qtbot.waitUntil(lambda: window._handbook_task is None, timeout=10_000)
    assert window.handbook_note.text() == "" and not window.handbook_progress.isVisible()


def test_the_whole_center_handbook_runs_with_progress_and_cancels(
    qtbot, runner, tmp_path, local_db, center, segmenter
):
    """No team or agent chosen: the whole center's handbook is built on a worker, a day at a
    time with a progress bar, and equals the one built from the agent's own file (its notes
    index holds the same jieba words); 取消 stops it and says so."""
    from desktop.services.review import handbook

    window = open_review(qtbot, runner, tmp_path, local_db, center, segmenter)
    qtbot.waitUntil(lambda: shown_ids(window) == FIRST_WEEK, timeout=20_000)
    window.tabs.setCurrentWidget(window.handbook_page)
    assert "全中心" in window.handbook_note.text()  # started: says what it builds
    assert window.handbook_progress.isVisible() and window.handbook_cancel.isVisible()
    qtbot.waitUntil(lambda: window._handbook_task is None, timeout=20_000)
    assert not window.handbook_progress.isVisible()
    agent_file = sqlite3.connect(tmp_path / "agent.sqlite3")
    try:
        local = handbook.build(
            agent_file, window.period(), now=parse_iso(NOW), segmenter=segmenter,
            grace=window.source.grace,
        )  # fmt: skip
    finally:
        agent_file.close()
    assert local and window._topics == local
    assert "快递" in window.handbook.item(0, 0).text()
    # asked again and cancelled at once: nothing is shown for it, the note says so
    window.refresh_handbook()
    window.handbook_cancel.click()
    assert window.handbook_note.text() == "已取消生成投诉手册。"
    assert not window.handbook_progress.isVisible()


def test_qa_saved_from_a_center_review_goes_to_the_center(
    qtbot, runner, tmp_path, local_db, center
):
    window = open_review(qtbot, runner, tmp_path, local_db, center)
    qtbot.waitUntil(lambda: shown_ids(window) == FIRST_WEEK, timeout=20_000)
    window.open_qa("C1")
    qtbot.waitUntil(lambda: window.qa_table.rowCount() == 6, timeout=10_000)
    window.qa_comment.setPlainText("先处理情绪")
    window.save_qa()
    qtbot.waitUntil(lambda: "已保存评分" in window.message.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "1 份评分" in window.qa_history.text(), timeout=10_000)
    with connect(center) as pg:
        rows = pg.execute(
            "SELECT call_id, agent, evaluator, comment FROM qa_evaluations"
        ).fetchall()
    assert rows == [("C1", "A", "王组长", "先处理情绪")]
    local = sqlite3.connect(local_db)
    assert local.execute("SELECT COUNT(*) FROM qa_evaluations").fetchone()[0] == 0
    local.close()


def _dead(server: PgServer, url: str) -> str:
    return f"postgresql://{ROLE}@127.0.0.1:{free_port()}/center"


def _wrong_password(server: PgServer, url: str, tmp_path: Path, monkeypatch) -> str:
    wrong = tmp_path / "wrong.pgpass"
    wrong.write_text(f"127.0.0.1:{server.port}:*:{ROLE}:not-the-password\n", encoding="utf-8")
    wrong.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(wrong))
    return url


def _newer(server: PgServer, url: str) -> str:
    with connect(url) as pg:
        pg.execute("INSERT INTO schema_version (version) VALUES (99)")
        pg.commit()
    return url


@pytest.mark.parametrize(
    "fault, says",
    [
        ("down", "无法连接中心数据库"),
        ("password", "用户名或密码错误"),
        ("newer", "比本程序"),
    ],
)
def test_a_center_that_fails_falls_back_to_the_local_database_with_a_banner(
    qtbot, runner, tmp_path, local_db, center, pg_server, monkeypatch, fault, says
):
    before = local_db.read_bytes()
    if fault == "down":
        url = _dead(pg_server, center)
    elif fault == "password":
        url = _wrong_password(pg_server, center, tmp_path, monkeypatch)
    else:
        url = _newer(pg_server, center)
    window = open_review(qtbot, runner, tmp_path, local_db, url)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=20_000)
    assert says in window.banner.text() and "本机数据库" in window.banner.text()
    assert not window.source.is_center and "本机数据库" in window.windowTitle()
    qtbot.waitUntil(lambda: "没有通话" in window.message.text(), timeout=10_000)
    assert window.model.rowCount() == 0 and not window.team.isVisible()
    assert local_db.read_bytes() == before  # the lead's database untouched


def test_the_center_address_is_saved_without_a_password(qtbot, runner, tmp_path, local_db, center):
    saved: list[str] = []
    window = open_review(qtbot, runner, tmp_path, local_db, "", saved=saved)
    qtbot.waitUntil(lambda: "没有通话" in window.message.text(), timeout=10_000)
    assert not window.set_center_url("postgresql://lead:secret@db.example/center")
    assert "不能包含密码" in window.message.text() and saved == []
    assert window.set_center_url(f"  {center} ")
    assert saved == [center]
    qtbot.waitUntil(lambda: shown_ids(window) == FIRST_WEEK, timeout=20_000)
    assert window.source.is_center
    assert window.set_center_url("")  # forget it: back to the local file, no banner
    qtbot.waitUntil(lambda: "没有通话" in window.message.text(), timeout=10_000)
    assert saved == [center, ""] and not window.source.is_center
    assert not window.banner.isVisible()


def test_the_app_opens_the_review_on_the_center_from_the_command_line(qtbot, app, center):  # noqa: F811
    """`callassist review --db URL` (desktop/run.py) opens the review on that center for
    the session, without saving it; the menu then finds the same window."""
    from desktop.__main__ import _parser
    from desktop.run import _open_review

    options = _parser().parse_args(["review", "--db", center])
    assert options.command == "review" and options.db == center
    app.lead_gate.session.set_first_pin("246810")  # lead mode on: no PIN dialog
    _open_review(app, options.db)
    qtbot.waitUntil(
        lambda: any(isinstance(w, ReviewWindow) and w.isVisible() for w in _top()), timeout=10_000
    )
    window = next(w for w in _top() if isinstance(w, ReviewWindow))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.source.is_center, timeout=20_000)
    assert "中心数据库" in window.windowTitle() and app.settings.current.center_url == ""
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=20_000)
    window.source.close()


def _top() -> list:
    from PySide6.QtWidgets import QApplication

    return QApplication.topLevelWidgets()
