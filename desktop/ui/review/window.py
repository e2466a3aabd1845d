"""The review window (组长复盘). Thin: it lays out, turns widget state into a CallFilter or a
period, and hands every query to the task runner (a key per query, so the newest wins)."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, QPoint, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.calls import OUTCOME_LABELS, PRIORITY_LABELS
from desktop.core.changes import OpChanges
from desktop.core.progress import Cancelled, Progress
from desktop.services.review import handbook, qa
from desktop.services.review.browser import CallFilter
from desktop.services.review.period import Period, PeriodError
from desktop.services.review.stats import adherence_by_agent, compute, known_agents
from desktop.services.review.story import INTENT_LABELS, call_story
from desktop.ui.review.call_model import CallTableModel, seconds_text
from desktop.ui.review.charts import BarChart
from desktop.ui.review.source import ReviewSource

SHORT_INTENT = {**INTENT_LABELS, "unrelated": "无关"}
LIVE_REFRESH_MS = 1000
PRESETS = ("今天", "昨天", "本周", "上周", "本月", "上月", "自定义")
WINDOW_TITLE = "组长复盘"


def preset_range(preset: str, today: date) -> tuple[date, date] | None:
    """The local dates a preset covers (weeks start on Monday); None for 自定义."""
    if preset == "今天":
        return today, today
    if preset == "昨天":
        day = today - timedelta(days=1)
        return day, day
    monday = today - timedelta(days=today.weekday())
    if preset == "本周":
        return monday, today
    if preset == "上周":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    first = today.replace(day=1)
    if preset == "本月":
        return first, today
    if preset == "上月":
        last = first - timedelta(days=1)
        return last.replace(day=1), last
    return None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _rate_color(value: float) -> QColor:
    if value >= 0.95:
        return QColor("#c8efc9")
    if value >= 0.8:
        return QColor("#fbe7a6")
    return QColor("#f5b5ae")


class ReviewWindow(QMainWindow):
    """Works on the agent's own file, a lead's merged one (calls carry their agent) or the
    center's PostgreSQL database (issue 17: with teams; a center that fails falls back to
    the local file under a banner)."""

    drilled = Signal(object)  # the CallFilter a chart or grid click opened
    source_ready = Signal()  # the database to show is chosen (center or local fallback)

    def __init__(
        self,
        source: ReviewSource,
        run: Callable[..., Any],
        ui_settings: QSettings,
        parent: QWidget | None = None,
        save_center_url: Callable[[str], None] | None = None,
        run_with_progress: Callable[..., Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("reviewWindow")
        self.source = source
        self._closed = False

        def guarded(fn, on_done=None, *, key=None):
            """Results reaching a closed window are dropped (its widgets may be gone)."""
            done = None if on_done is None else (lambda f: None if self._closed else on_done(f))
            return run(fn, done, key=key)

        self._run = guarded

        def guarded_progress(fn, on_done, on_progress, *, key=None):
            """`fn(progress)` with its reports shown; without the app's runner (a test's
            plain one) it runs with a Progress nobody watches."""
            if run_with_progress is None:
                progress = Progress()
                guarded(lambda: fn(progress), on_done, key=key)
                return progress
            report = lambda d, t, text: None if self._closed else on_progress(d, t, text)  # noqa: E731
            done = lambda f: None if self._closed else on_done(f)  # noqa: E731
            return run_with_progress(fn, done, report, key=key)

        self._run_progress = guarded_progress
        self._handbook_task: Any = None
        self._settings = ui_settings
        self._stats: dict[str, Any] | None = None
        self._pending_charts: list[Callable[[dict[str, Any]], None]] = []
        self._chart_timer = QTimer(self, singleShot=True, interval=0)  # dies with the window
        self._chart_timer.timeout.connect(self._draw_next_chart)
        self._story_call: str | None = None
        self._qa_items: list[qa.ScoreItem] = []
        self._extra: dict[str, Any] = {}  # drill-down conditions the filter bar cannot show
        self._showing = ""  # what a drill-down shows, kept in the status line
        self._save_center_url = save_center_url
        self._team_members: dict[str, tuple[str, list[str]]] = {}
        self._probing = False
        self.tabs = QTabWidget()
        self.banner = QLabel("")
        self.banner.setObjectName("reviewBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "QLabel#reviewBanner { background: #fff3cd; color: #664d03; padding: 6px; }"
        )
        self.banner.setVisible(False)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.banner)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.message = QLabel("")
        self.message.setObjectName("reviewMessage")
        self.statusBar().addWidget(self.message, 1)
        self._build_filter_bar()
        self._build_browser()
        self._build_stats()
        self._build_adherence()
        self._build_qa()
        self._build_handbook()
        self._restore()
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.apply_filter)
        # live refresh: at most one re-read per interval while the agent's calls change
        self._live = QTimer(self, singleShot=True, interval=LIVE_REFRESH_MS)
        self._live.timeout.connect(self.refresh_live)
        self._stale = False  # changed while hidden: re-read when shown again
        self._handbook_stale = False
        self._grid_stale = False
        self._top_call: str | None = None  # the call at the top of the list (live refresh)
        self.tabs.currentChanged.connect(self._tab_shown)
        QShortcut(QKeySequence("Ctrl+F"), self, self.notes.setFocus)
        self._build_source_menu()
        self.resize(1280, 760)
        self.connect_source()

    # ---- which database: the saved center, or the local file ---------------------------
    def _build_source_menu(self) -> None:
        menu = self.menuBar().addMenu("数据源(&D)")
        self.center_action = menu.addAction("中心数据库…")
        self.center_action.triggered.connect(self.ask_center_url)
        self.local_action = menu.addAction("改用本机数据库")
        self.local_action.triggered.connect(lambda: self.set_center_url(""))

    def connect_source(self) -> None:
        """Choose the database (a worker probes the center; never the GUI thread), then load
        the agents, teams and the filter's results from it."""
        if not self.source.center_url:
            self.source.fall_back("")
            self._source_chosen()
            return
        self._probing = True
        self.show_message("正在连接中心数据库…")
        self._run(self.source.probe, self._probed, key="review.source")

    def _probed(self, future) -> None:
        self._probing = False
        try:
            banner = future.result()
        except Exception as exc:  # whatever broke, the local file still works
            banner = f"中心数据库出错（{exc}）。现在显示的是本机数据库。"
        if banner:
            self.source.fall_back(banner)
        else:
            self.source.use_center()
        self._source_chosen()

    def _source_chosen(self) -> None:
        self.setWindowTitle(f"{WINDOW_TITLE} · {self.source.label}")
        self.banner.setText(self.source.banner)
        self.banner.setVisible(bool(self.source.banner))
        self.local_action.setEnabled(bool(self.source.center_url))
        self.team.setVisible(self.source.is_center)
        self._team_members = {}
        for combo, everyone in ((self.team, "全部班组"), (self.agent, "全部坐席")):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, "")
            combo.blockSignals(False)
        dialect = self.source.dialect
        self._run(
            lambda: known_agents(self.source.conn(), dialect),
            self._agents_arrived,
            key="review.agents",
        )
        if self.source.is_center:
            self._run(self.source.teams, self._teams_arrived, key="review.teams")
        self.apply_filter()
        self.source_ready.emit()

    def ask_center_url(self) -> None:
        url, ok = QInputDialog.getText(
            self,
            "中心数据库",
            "中心数据库地址（postgresql://用户@主机[:端口]/库名；不含密码，密码放在 "
            "PGPASSWORD 或 .pgpass 中；留空则使用本机数据库）：",
            text=self.source.center_url,
        )
        if ok:
            self.set_center_url(url)

    def set_center_url(self, url: str) -> bool:
        """Save the center address (lead settings) and show it; False with a message when
        the address is refused (a password in it, not a PostgreSQL URL)."""
        from desktop.services.center.connection import CenterError
        from desktop.services.center.source import normalized_url

        try:
            url = normalized_url(url)
        except CenterError as exc:
            self.show_message(exc.message)
            return False
        if self._save_center_url is not None:
            self._save_center_url(url)
        self.source.center_url = url
        self.connect_source()
        return True

    # ---- filter bar ---------------------------------------------------------------------
    def _build_filter_bar(self) -> None:
        bar = QWidget()
        rows = QVBoxLayout(bar)
        rows.setContentsMargins(6, 4, 6, 4)
        self.preset = QComboBox()
        self.preset.addItems(PRESETS)
        self.preset.setAccessibleName("日期范围")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.intent = QComboBox()
        self.intent.addItem("全部类型", "")
        for key, label in INTENT_LABELS.items():
            self.intent.addItem(label, key)
        self.outcome = QComboBox()
        self.outcome.addItem("全部结果", "")
        for key, label in OUTCOME_LABELS.items():
            self.outcome.addItem(label, key)
        self.agent = QComboBox()
        self.agent.addItem("全部坐席", "")
        self.team = QComboBox()
        self.team.setAccessibleName("班组")
        self.team.addItem("全部班组", "")
        self.team.setVisible(False)  # the center's teams; a local file has none
        self.priority = QComboBox()
        self.priority.addItem("全部优先级", "")
        for key, label in PRIORITY_LABELS.items():
            self.priority.addItem(label, key)
        self.missed = QCheckBox("仅未接")
        self.skipped = QCheckBox("跳过必做步骤")
        self.overdue = QCheckBox("提醒逾期")
        self.repeat = QCheckBox("重复来电")
        self.notes = QLineEdit(placeholderText="搜索通话记录（全文）")
        self.notes.setClearButtonEnabled(True)
        self.notes.setAccessibleName("全文搜索")
        self.clear_button = QPushButton("清除条件")
        row1 = [
            QLabel("日期"),
            self.preset,
            self.date_from,
            QLabel("至"),
            self.date_to,
            self.intent,
            self.outcome,
            self.team,
            self.agent,
            self.priority,
        ]
        row2 = [self.missed, self.skipped, self.overdue, self.repeat, self.notes, self.clear_button]
        for widgets in (row1, row2):
            line = QHBoxLayout()
            for w in widgets:
                line.addWidget(w, 1 if w is self.notes else 0)
            if widgets is row1:
                line.addStretch(1)
            rows.addLayout(line)
        self.filter_bar = bar
        self.preset.currentTextChanged.connect(self._preset_changed)
        for w in (self.date_from, self.date_to):
            w.dateChanged.connect(self._custom_dates)
        for combo in (self.intent, self.outcome, self.team, self.agent, self.priority):
            combo.currentIndexChanged.connect(self._changed)
        for box in (self.missed, self.skipped, self.overdue, self.repeat):
            box.toggled.connect(self._changed)
        self.notes.textChanged.connect(lambda _t: self._debounce.start())
        self.notes.returnPressed.connect(self.apply_filter)
        self.clear_button.clicked.connect(self.clear_filters)

    def _today(self) -> date:
        return self.source.calendar().today(self.source.now())

    def _preset_changed(self, preset: str) -> None:
        span = preset_range(preset, self._today())
        custom = span is None
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if span is not None:
            for edit, day in zip((self.date_from, self.date_to), span, strict=True):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self._changed()

    def _custom_dates(self) -> None:
        if self.preset.currentText() == "自定义":
            self._changed()

    def _changed(self, *_args: Any) -> None:
        self._extra = {}
        self._debounce.start(0)

    def clear_filters(self) -> None:
        for combo in (self.intent, self.outcome, self.team, self.agent, self.priority):
            combo.setCurrentIndex(0)
        for box in (self.missed, self.skipped, self.overdue, self.repeat):
            box.setChecked(False)
        self.notes.clear()
        self._changed()

    def period(self) -> Period:
        """The chosen period in the agent's zone; PeriodError with a Chinese reason."""
        first, last = (
            date(e.date().year(), e.date().month(), e.date().day())
            for e in (self.date_from, self.date_to)
        )
        return Period(first, last, self.source.calendar().zone_name)

    def scope(self) -> tuple[str | None, tuple[str, ...] | None]:
        """(agent, team's agents) for the statistics: one agent wins over the team."""
        agent = self.agent.currentData() or None
        team = self.team.currentData() or ""
        if agent is not None or not team:
            return agent, None
        return None, tuple(self._team_members.get(team, ("", []))[1])

    def current_filter(self) -> CallFilter:
        values = lambda combo: (combo.currentData(),) if combo.currentData() else ()  # noqa: E731
        agent, team_agents = self.scope()
        base = CallFilter(
            period=self.period(),
            intents=values(self.intent),
            outcomes=values(self.outcome),
            agents=(agent,) if agent else (team_agents or ()),
            priorities=values(self.priority),
            missed_only=self.missed.isChecked(),
            required_skipped=self.skipped.isChecked(),
            reminder_overdue=self.overdue.isChecked(),
            repeat_callers=self.repeat.isChecked(),
            notes=self.notes.text().strip(),
        )
        return base.with_(**self._extra) if self._extra else base

    def apply_filter(self) -> None:
        """Run the filter bar's query in the browser, and the period's statistics."""
        try:
            flt = self.current_filter()
        except PeriodError as exc:
            self.show_message(f"日期有误：{exc}")
            return
        self._remember()
        self._showing = ""
        self.show_message("正在查询…")
        self.model.load(flt)
        self.refresh_stats()

    def _teams_arrived(self, future) -> None:
        try:
            members = future.result()
        except Exception as exc:  # shown; the window works without teams
            self.show_message(f"无法读取班组：{exc}")
            return
        self._team_members = {t: m for t, m in members.items() if m[1]}  # empty teams: none
        wanted = self._settings.value("review/team", "", type=str)
        self.team.blockSignals(True)
        for team, (name, agents) in self._team_members.items():
            self.team.addItem(f"{name or team}（{len(agents)} 人）", team)
        if wanted and self.team.findData(wanted) >= 0:
            self.team.setCurrentIndex(self.team.findData(wanted))
        self.team.blockSignals(False)
        if self.team.currentData():
            self._changed()

    def _agents_arrived(self, future) -> None:
        try:
            agents = future.result()
        except Exception as exc:
            self.show_message(f"无法读取数据库：{exc}")
            return
        wanted = self._settings.value("review/agent", "", type=str)
        self.agent.blockSignals(True)
        for agent in agents:
            if agent and self.agent.findData(agent) < 0:
                self.agent.addItem(agent, agent)
        if wanted and self.agent.findData(wanted) >= 0:
            self.agent.setCurrentIndex(self.agent.findData(wanted))
        self.agent.blockSignals(False)
        if not agents:
            self.show_message("数据库中还没有通话记录。")

    # ---- remembered filters -------------------------------------------------------------
    def _remember(self) -> None:
        s = self._settings
        s.setValue("review/preset", self.preset.currentText())
        s.setValue("review/from", self.date_from.date().toString(Qt.DateFormat.ISODate))
        s.setValue("review/to", self.date_to.date().toString(Qt.DateFormat.ISODate))
        for name, combo in (
            ("intent", self.intent),
            ("outcome", self.outcome),
            ("agent", self.agent),
            ("team", self.team),
            ("priority", self.priority),
        ):
            s.setValue(f"review/{name}", combo.currentData() or "")
        for name, box in (
            ("missed", self.missed),
            ("skipped", self.skipped),
            ("overdue", self.overdue),
            ("repeat", self.repeat),
        ):
            s.setValue(f"review/{name}", box.isChecked())
        s.setValue("review/notes", self.notes.text())

    def _restore(self) -> None:
        s = self._settings
        widgets = [
            self.preset,
            self.date_from,
            self.date_to,
            self.intent,
            self.outcome,
            self.agent,
            self.priority,
            self.missed,
            self.skipped,
            self.overdue,
            self.repeat,
            self.notes,
        ]
        for w in widgets:
            w.blockSignals(True)
        preset = s.value("review/preset", "本月", type=str)
        self.preset.setCurrentText(preset if preset in PRESETS else "本月")
        span = preset_range(self.preset.currentText(), self._today())
        if span is None:
            today = self._today()
            for edit, key in ((self.date_from, "review/from"), (self.date_to, "review/to")):
                stored = QDate.fromString(str(s.value(key, "", type=str)), Qt.DateFormat.ISODate)
                edit.setDate(
                    stored if stored.isValid() else QDate(today.year, today.month, today.day)
                )
        else:
            self.date_from.setDate(QDate(span[0].year, span[0].month, span[0].day))
            self.date_to.setDate(QDate(span[1].year, span[1].month, span[1].day))
        custom = span is None
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        for name, combo in (
            ("intent", self.intent),
            ("outcome", self.outcome),
            ("priority", self.priority),
        ):
            index = combo.findData(s.value(f"review/{name}", "", type=str))
            combo.setCurrentIndex(max(0, index))
        for name, box in (
            ("missed", self.missed),
            ("skipped", self.skipped),
            ("overdue", self.overdue),
            ("repeat", self.repeat),
        ):
            box.setChecked(bool(s.value(f"review/{name}", False, type=bool)))
        self.notes.setText(str(s.value("review/notes", "", type=str)))
        for w in widgets:
            w.blockSignals(False)

    # ---- browser + story ----------------------------------------------------------------
    def _build_browser(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        self.model = CallTableModel(self.source, self._run, self)
        self.table = QTableView()
        self.table.setAccessibleName("通话记录")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col, width in enumerate((130, 56, 100, 70, 76, 56, 52, 52, 76, 72, 90)):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self.open_story_row(current.row())
        )
        self.count_label = QLabel("")
        self.jump = QSpinBox(minimum=1, maximum=1)
        self.jump.setAccessibleName("跳到行")
        self.jump_button = QPushButton("跳到该行")
        self.jump_button.clicked.connect(lambda: self.model.jump_to(self.jump.value() - 1))
        foot = QHBoxLayout()
        foot.addWidget(self.count_label, 1)
        foot.addWidget(QLabel("第"))
        foot.addWidget(self.jump)
        foot.addWidget(QLabel("行"))
        foot.addWidget(self.jump_button)
        self.story = QTextBrowser()
        self.story.setAccessibleName("通话经过")
        self.story.setOpenLinks(False)
        self.story.anchorClicked.connect(self._story_link)
        self.story.setHtml("<p style='color:#777'>选择一条通话查看经过。</p>")
        self.qa_button = QPushButton("质检评分…")
        self.qa_button.setEnabled(False)
        self.qa_button.clicked.connect(lambda: self.open_qa(self._story_call))
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.story, 1)
        right_layout.addWidget(self.qa_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(foot)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        self.tabs.addTab(page, "通话记录")
        self.model.count_changed.connect(self._counted)
        self.model.about_to_refresh.connect(self._note_place)
        self.model.refreshed.connect(self._keep_place)
        self.model.failed.connect(lambda text: self.show_message(f"查询失败：{text}"))
        self.model.loading_changed.connect(self._loading)

    def _loading(self, loading: bool) -> None:
        if not loading and self.model.rowCount() == 0:
            self.show_message("该条件下没有通话。请换一个日期范围或清除条件。")
        elif not loading:
            self.show_message(self._showing)

    def _counted(self, total: int) -> None:
        self.count_label.setText(f"共 {total:,} 条通话")
        self.jump.setMaximum(max(1, total))

    def open_story_row(self, row: int) -> None:
        found = self.model.row(row)
        if found is not None:
            self.open_story(found.id)

    def open_story(self, call_id: str) -> None:
        self._story_call = call_id
        self.qa_button.setEnabled(True)
        cal = self.source.calendar()
        pack = self.source.pack()

        def script_title(script_id: str) -> str | None:
            script = pack.script(script_id) if pack is not None else None
            return script.title if script else None

        def step_label(call_type: str, key: str) -> str | None:
            if pack is None:
                return None
            return next((s.label for s in pack.steps(call_type) if s.key == key), None)

        def work():
            return call_story(
                self.source.conn(),
                call_id,
                now=self.source.now(),
                grace=cal.grace,
                script_title=script_title,
                step_label=step_label,
                local_time=lambda iso: cal.format_iso(iso, "%m-%d %H:%M"),
                dialect=self.source.dialect,
            )

        self._run(work, self._story_arrived, key="review.story")

    def _story_arrived(self, future) -> None:
        try:
            story = future.result()
        except Exception as exc:
            self.story.setHtml(f"<p>无法读取这条通话：{html.escape(str(exc))}</p>")
            return
        cal = self.source.calendar()
        call = story.call
        title = INTENT_LABELS.get(call["intent"] or "", "未分类")
        lines = [
            f"<h3>{html.escape(title)} · {html.escape(cal.format_iso(call['started_at'], '%Y-%m-%d %H:%M'))}</h3>",
            f"<p>坐席 {html.escape(call['agent'] or '—')} · {html.escape(self._masked(call['phone']))} "
            f"{html.escape(call['caller_name'] or '')}</p><table cellspacing='2'>",
        ]
        for event in story.events:
            text = html.escape(event.text)
            if event.call_id:
                text += f" <a href='call:{html.escape(event.call_id)}'>打开</a>"
            lines.append(
                f"<tr><td style='color:#666;white-space:nowrap'>{cal.format_iso(event.at, '%m-%d %H:%M:%S')}</td>"
                f"<td>{text}</td></tr>"
            )
        lines.append("</table>")
        if story.other_calls:
            lines.append(
                f"<p><b>该来电者的其他通话</b>（{len(story.other_calls)}）"
                f" <a href='phone:{html.escape(call['phone'])}'>全部列出</a></p><ul>"
            )
            for other in story.other_calls[:10]:
                label = INTENT_LABELS.get(
                    other["intent"] or "", "未接" if other["status"] == "missed" else "未分类"
                )
                lines.append(
                    f"<li><a href='call:{other['id']}'>{cal.format_iso(other['started_at'], '%Y-%m-%d %H:%M')}</a> "
                    f"{html.escape(label)} {html.escape(OUTCOME_LABELS.get(other['outcome'] or '', ''))}</li>"
                )
            lines.append("</ul>")
        scroll = self.story.verticalScrollBar()
        at = scroll.value() if call["id"] == getattr(self, "_story_shown", None) else 0
        self.story.setHtml("".join(lines))
        scroll.setValue(at)  # a live refresh of the same call keeps the reader's place
        self._story_shown = call["id"]
        self.story_loaded = story

    def _masked(self, phone: str) -> str:
        from desktop.core.privacy import mask_number

        return mask_number(phone) if phone else "未知号码"

    def _story_link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("call:"):
            self.open_story(text[5:])
        elif text.startswith("phone:"):
            self.drill_down(CallFilter(phone=text[6:]), "该来电者的全部通话")

    # ---- drill-down ---------------------------------------------------------------------
    def drill_down(self, flt: CallFilter, what: str) -> None:
        """Show the calls behind a bar or a cell in the browser."""
        self.tabs.setCurrentIndex(0)
        self._showing = f"显示：{what}（改动筛选条件即恢复）"
        self.show_message(self._showing)
        self.model.load(flt)
        self.drilled.emit(flt)

    # ---- statistics ---------------------------------------------------------------------
    def _build_stats(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.figures = QLabel("")
        self.figures.setObjectName("reviewFigures")
        self.figures.setWordWrap(True)
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.figures)
        grid = QGridLayout()
        self.chart_hour = BarChart("每小时来电（本地时间）")
        self.chart_day = BarChart("每日来电")
        self.chart_intent = BarChart("来电类型", "#7a5cc4")
        self.chart_aht = BarChart("各坐席平均处理时长 AHT（秒）", "#2e9e6b")
        self.chart_steps = BarChart(
            "步骤执行率（最常跳过在上，★ 必做）", "#d9822b", horizontal=True
        )
        self.chart_kept = BarChart("回电守约率（按日）", "#c24a4a")
        self.step_intent = QComboBox()
        self.step_intent.setAccessibleName("步骤图类型")
        for key, label in INTENT_LABELS.items():
            self.step_intent.addItem(label, key)
        self.step_intent.setCurrentIndex(1)  # 投诉
        self.step_intent.currentIndexChanged.connect(self._redraw_steps)
        charts = [
            self.chart_hour,
            self.chart_day,
            self.chart_intent,
            self.chart_aht,
            self.chart_steps,
            self.chart_kept,
        ]
        for n, chart in enumerate(charts):
            grid.addWidget(chart, n // 3, n % 3)
        layout.addLayout(grid, 1)
        steps_row = QHBoxLayout()
        steps_row.addWidget(QLabel("步骤图的类型："))
        steps_row.addWidget(self.step_intent)
        steps_row.addStretch(1)
        layout.addLayout(steps_row)
        self.chart_hour.bar_clicked.connect(
            lambda i: self._drill_stats("hours", (i,), f"{i} 点的来电")
        )
        self.chart_day.bar_clicked.connect(self._drill_day)
        self.chart_intent.bar_clicked.connect(
            lambda i: self._drill_stats(
                "intents", (self._intent_keys[i],), f"{self.chart_intent.labels[i]}类来电"
            )
        )
        self.chart_aht.bar_clicked.connect(
            lambda i: self._drill_stats(
                "agents", (self.chart_aht.labels[i],), f"坐席 {self.chart_aht.labels[i]} 的通话"
            )
        )
        self.chart_steps.bar_clicked.connect(self._drill_step)
        self.chart_kept.bar_clicked.connect(self._drill_day_kept)
        self._intent_keys: list[str] = []
        self._step_keys: list[str] = []
        self._day_keys: list[str] = []
        self.tabs.addTab(page, "统计图表")

    def refresh_stats(self) -> None:
        try:
            period = self.period()
        except PeriodError as exc:
            self.show_message(f"日期有误：{exc}")
            return
        agent, agents = self.scope()
        cal = self.source.calendar()
        checklists = self.source.checklists()
        dialect = self.source.dialect

        def work():
            return compute(
                self.source.conn(),
                period,
                agent=agent,
                agents=agents,
                checklists=checklists,
                grace=cal.grace,
                now=self.source.now(),
                dialect=dialect,
            )

        self._run(work, self._stats_arrived, key="review.stats")
        if self.tabs.currentWidget() is self.handbook_page:
            self.refresh_handbook()
        else:  # jieba over the period's notes: only for a lead who looks at it
            self._handbook_stale = True

    def _tab_shown(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.grid_page and self._grid_stale:
            self.refresh_adherence()
        if self.tabs.currentWidget() is self.handbook_page and self._handbook_stale:
            self.refresh_handbook()

    # ---- live refresh -------------------------------------------------------------------
    def on_changes(self, changes: OpChanges, _origin: object = None) -> None:
        """The agent's database changed (app.hub.changed): re-read what is shown, soon."""
        if not (
            changes.calls or changes.reminders or changes.qa or changes.settings or changes.content
        ):
            return
        if not self.isVisible():
            self._stale = True
        elif not self._live.isActive():  # a burst of changes (typing notes) costs one re-read
            self._live.start()

    def refresh_live(self) -> None:
        """The browser (same rows, selection and scroll), the open story and the statistics,
        each re-read on the task runner."""
        self._stale = False
        if self._closed:
            return
        self.model.refresh()
        if self._story_call:
            self.open_story(self._story_call)
        self.refresh_stats()

    def _note_place(self) -> None:
        """Before fresh rows merge in: which call is at the top of the view."""
        top = self.table.indexAt(QPoint(0, 0))
        row = self.model.row(top.row()) if top.isValid() and top.row() > 0 else None
        self._top_call = row.id if row is not None else None

    def _keep_place(self) -> None:
        """After: the same call at the top again (at the very top, new calls show instead)."""
        cid = self._top_call
        if cid is None:
            return
        row = next((n for n, r in enumerate(self.model.rows) if r.id == cid), None)
        if row is not None:
            self.table.scrollTo(
                self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )

    def _stats_arrived(self, future) -> None:
        # the grid reads the same facts: after the statistics, not beside them, so two
        # heavy reads never hold both cores of a desk machine at once; and only for a lead
        # who looks at it (filling its cells is GUI-thread work)
        if self.tabs.currentWidget() is self.grid_page:
            self.refresh_adherence()
        else:
            self._grid_stale = True
        try:
            self._stats = future.result()
        except Exception as exc:
            self.figures.setText(f"统计失败：{html.escape(str(exc))}")
            return
        self._draw_stats()

    def _draw_stats(self) -> None:
        s = self._stats
        if s is None:
            return
        if not s["calls"]:
            self.figures.setText("<b>该时段没有通话。</b>请换一个日期范围。")
        else:
            cb, comp = s["callbacks"], s["complaints"]
            aht = "—" if s["aht_s"] is None else seconds_text(s["aht_s"])
            fr = (
                "—"
                if comp["first_response_median_s"] is None
                else seconds_text(comp["first_response_median_s"])
            )
            rs = (
                "—"
                if comp["resolution_median_s"] is None
                else seconds_text(comp["resolution_median_s"])
            )
            self.figures.setText(
                f"<b>{s['period']['from']} 至 {s['period']['to']}</b>　来电 <b>{s['calls']:,}</b>　"
                f"接通 {s['answered']:,}　未接 {s['missed']:,}（接通率 {_pct(s['answer_rate'])}）　"
                f"AHT <b>{aht}</b>（通话 {seconds_text(s['talk_s'])} + 话后 {seconds_text(s['acw_s'])}，不含保持）　"
                f"首次解决率 FCR <b>{_pct(s['fcr'])}</b>　回电守约 {cb['kept']}/{cb['due']}（{_pct(cb['kept_rate'])}）　"
                f"当前逾期提醒 {cb['overdue']}　投诉首次响应中位 {fr}　解决中位 {rs}　"
                f"质检均分 {'—' if s['qa']['score_avg'] is None else round(s['qa']['score_avg'], 1)}"
            )
        # one chart per event-loop turn: six at once would hold the GUI thread too long
        self._pending_charts = [
            self._draw_hours,
            self._draw_days,
            self._draw_intents,
            self._draw_aht,
            self._draw_steps,
            self._draw_kept,
        ]
        self._chart_timer.start()

    def _draw_next_chart(self) -> None:
        if self._pending_charts and self._stats is not None and not self._closed:
            self._pending_charts.pop(0)(self._stats)
            self._chart_timer.start()

    def _draw_hours(self, s: dict[str, Any]) -> None:
        hours = [str(h) for h in range(24)]
        self.chart_hour.set_bars(hours, [s["by_hour"][h] for h in hours], every=3)

    def _draw_days(self, s: dict[str, Any]) -> None:
        self._day_keys = list(s["by_day"])
        self.chart_day.set_bars(
            [d[5:] for d in self._day_keys],
            list(s["by_day"].values()),
            every=max(1, len(self._day_keys) // 8),
        )

    def _draw_intents(self, s: dict[str, Any]) -> None:
        self._intent_keys = list(s["by_intent"])
        self.chart_intent.set_bars(
            [SHORT_INTENT.get(k, k) for k in self._intent_keys],
            [v["calls"] for v in s["by_intent"].values()],
        )

    def _draw_aht(self, s: dict[str, Any]) -> None:
        agents = list(s["by_agent"])
        self.chart_aht.set_bars(
            agents, [s["by_agent"][a]["aht_s"] for a in agents], every=max(1, len(agents) // 10)
        )

    def _redraw_steps(self, _index: int = 0) -> None:
        if self._stats is not None:
            self._draw_steps(self._stats)

    def _draw_steps(self, s: dict[str, Any]) -> None:
        intent = self.step_intent.currentData()
        adherence = s["adherence"].get(intent)
        pack = self.source.pack()
        labels = {st.key: st.label for st in pack.steps(intent)} if pack is not None else {}
        if adherence:
            steps = sorted(adherence["steps"].items(), key=lambda kv: kv[1])
            self._step_keys = [k for k, _v in steps]
            required = set(adherence["required"])
            self.chart_steps.set_bars(
                [("★" if k in required else "") + labels.get(k, k) for k in self._step_keys],
                [v for _k, v in steps],
                y_max=1.0,
                colors=["#d9822b" if k in required else "#e8b67f" for k in self._step_keys],
            )
        else:
            self._step_keys = []
            self.chart_steps.set_bars([], [])

    def _draw_kept(self, s: dict[str, Any]) -> None:
        kept_days = [d for d, v in s["callbacks"]["by_day"].items() if v["due"]]
        self._kept_days = kept_days
        self.chart_kept.set_bars(
            [d[5:] for d in kept_days],
            [
                s["callbacks"]["by_day"][d]["kept"] / s["callbacks"]["by_day"][d]["due"]
                for d in kept_days
            ],
            every=max(1, len(kept_days) // 8),
            y_max=1.0,
        )

    def _base_for_drill(self) -> CallFilter:
        agent, agents = self.scope()
        return CallFilter(period=self.period(), agents=(agent,) if agent else (agents or ()))

    def _drill_stats(self, field: str, value: tuple, what: str) -> None:
        self._extra = {}
        self.drill_down(self._base_for_drill().with_(**{field: value}), what)

    def _drill_day(self, index: int) -> None:
        day = date.fromisoformat(self._day_keys[index])
        flt = self._base_for_drill().with_(
            period=Period(day, day, self.source.calendar().zone_name)
        )
        self.drill_down(flt, f"{day.isoformat()} 的来电")

    def _drill_day_kept(self, index: int) -> None:
        day = date.fromisoformat(self._kept_days[index])
        flt = self._base_for_drill().with_(
            period=Period(day, day, self.source.calendar().zone_name)
        )
        self.drill_down(flt, f"{day.isoformat()} 的来电（含当日到期回电）")

    def _drill_step(self, index: int) -> None:
        intent = self.step_intent.currentData()
        step = self._step_keys[index]
        flt = self._base_for_drill().with_(intents=(intent,), step_missing=step)
        self.drill_down(
            flt,
            f"{INTENT_LABELS.get(intent, intent)}：未完成「{self.chart_steps.labels[index].lstrip('★')}」的通话",
        )

    # ---- adherence grid -----------------------------------------------------------------
    def _build_adherence(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.grid_intent = QComboBox()
        self.grid_intent.setAccessibleName("执行表类型")
        for key, label in INTENT_LABELS.items():
            self.grid_intent.addItem(label, key)
        self.grid_intent.setCurrentIndex(1)
        self.grid_intent.currentIndexChanged.connect(self.refresh_adherence)
        top.addWidget(QLabel("类型："))
        top.addWidget(self.grid_intent)
        top.addWidget(
            QLabel(
                "每格为该坐席完成该步骤的通话占比；★ 为必做步骤。点击单元格查看未完成该步骤的通话。"
            )
        )
        top.addStretch(1)
        layout.addLayout(top)
        self.grid = QTableWidget()
        self.grid.setAccessibleName("步骤执行表")
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.cellClicked.connect(self._grid_clicked)
        layout.addWidget(self.grid, 1)
        self.grid_empty = QLabel("该时段这一类型没有已完成的通话。")
        self.grid_empty.setVisible(False)
        layout.addWidget(self.grid_empty)
        self._grid_agents: list[str] = []
        self._grid_steps: list[str] = []
        self.grid_page = page
        self.tabs.addTab(page, "步骤执行")

    def refresh_adherence(self) -> None:
        self._grid_stale = False
        try:
            period = self.period()
        except PeriodError:
            return
        intent = self.grid_intent.currentData()
        checklists = self.source.checklists()
        agent, agents = self.scope()
        dialect = self.source.dialect

        def work():
            return adherence_by_agent(
                self.source.conn(),
                period,
                intent,
                checklists,
                agent=agent,
                agents=agents,
                dialect=dialect,
            )

        self._run(work, lambda f: self._grid_arrived(f, intent, checklists), key="review.grid")

    def _grid_arrived(self, future, intent: str, checklists) -> None:
        try:
            grid = future.result()
        except Exception as exc:
            self.show_message(f"步骤执行表失败：{exc}")
            return
        steps = list(checklists.get(intent, ()))
        ordered = [k for k, r in steps if r] + [k for k, r in steps if not r]
        required = {k for k, r in steps if r}
        pack = self.source.pack()
        labels = {st.key: st.label for st in pack.steps(intent)} if pack is not None else {}
        self._grid_agents = sorted(grid)
        self._grid_steps = ordered
        self.grid.setUpdatesEnabled(False)
        self.grid.clear()
        self.grid.setRowCount(len(self._grid_agents))
        self.grid.setColumnCount(len(ordered) + 2)
        self.grid.setHorizontalHeaderLabels(
            ["通话数", "必做全完成"]
            + [("★" if k in required else "") + labels.get(k, k) for k in ordered]
        )
        self.grid.setVerticalHeaderLabels(self._grid_agents)
        for r, agent in enumerate(self._grid_agents):
            cell = grid[agent]
            self.grid.setItem(r, 0, QTableWidgetItem(str(cell["calls"])))
            done = QTableWidgetItem(_pct(cell["all_required"]))
            done.setBackground(QBrush(_rate_color(cell["all_required"])))
            self.grid.setItem(r, 1, done)
            for c, step in enumerate(ordered):
                rate = cell["steps"].get(step, 0.0)
                item = QTableWidgetItem(_pct(rate))
                item.setBackground(QBrush(_rate_color(rate)))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.grid.setItem(r, c + 2, item)
        for c in range(self.grid.columnCount()):  # measuring every item would stall the GUI
            self.grid.setColumnWidth(c, 64 if c == 0 else 96)
        self.grid.verticalHeader().setDefaultSectionSize(24)
        self.grid.setUpdatesEnabled(True)
        self.grid_empty.setVisible(not grid)

    def _grid_clicked(self, row: int, column: int) -> None:
        if row >= len(self._grid_agents):
            return
        agent = self._grid_agents[row]
        intent = self.grid_intent.currentData()
        flt = CallFilter(period=self.period(), agents=(agent,), intents=(intent,))
        if column >= 2:
            step = self._grid_steps[column - 2]
            self.drill_down(
                flt.with_(step_missing=step),
                f"坐席 {agent} 未完成「{(self.grid.horizontalHeaderItem(column) or QTableWidgetItem()).text().lstrip('★')}」的通话",
            )
        elif column == 1:
            self.drill_down(flt.with_(required_skipped=True), f"坐席 {agent} 跳过必做步骤的通话")
        else:
            self.drill_down(flt, f"坐席 {agent} 的{INTENT_LABELS.get(intent, intent)}通话")

    # ---- QA scorecard -------------------------------------------------------------------
    def _build_qa(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.qa_title = QLabel("在通话记录中选择一条通话，点击“质检评分…”。")
        layout.addWidget(self.qa_title)
        self.qa_table = QTableWidget(0, 4)
        self.qa_table.setAccessibleName("质检评分表")
        self.qa_table.setHorizontalHeaderLabels(["评分项", "自动判断", "得分", "说明"])
        self.qa_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.qa_table, 1)
        self.qa_comment = QPlainTextEdit(placeholderText="评语（辅导要点）")
        self.qa_comment.setMaximumHeight(90)
        layout.addWidget(self.qa_comment)
        row = QHBoxLayout()
        self.qa_evaluator = QLineEdit(self.source.evaluator, placeholderText="评分人")
        self.qa_save = QPushButton("保存评分（新建一份，旧的保留）")
        self.qa_save.setEnabled(False)
        self.qa_save.clicked.connect(self.save_qa)
        self.qa_history = QLabel("")
        row.addWidget(QLabel("评分人："))
        row.addWidget(self.qa_evaluator)
        row.addWidget(self.qa_save)
        row.addWidget(self.qa_history, 1)
        layout.addLayout(row)
        self.tabs.addTab(page, "质检评分")

    def open_qa(self, call_id: str | None) -> None:
        if not call_id:
            return
        self.tabs.setCurrentIndex(3)
        checklists = self.source.checklists()
        pack = self.source.pack()
        checker = None
        if pack is not None:
            from desktop.core.text.phrases import PhraseChecker

            checker = PhraseChecker(pack.phrases)

        def step_label(call_type: str, key: str) -> str | None:
            if pack is None:
                return None
            return next((st.label for st in pack.steps(call_type) if st.key == key), None)

        dialect = self.source.dialect

        def work():
            conn = self.source.conn()
            items = qa.prefill(
                conn,
                call_id,
                checklists=checklists,
                phrase_checker=checker,
                now=self.source.now(),
                grace=self.source.grace,
                step_label=step_label,
                dialect=dialect,
            )
            history = qa.QAStore(conn, dialect).history(call_id)
            return items, history

        self._run(work, lambda f: self._qa_arrived(f, call_id), key="review.qa")

    def _qa_arrived(self, future, call_id: str) -> None:
        try:
            items, history = future.result()
        except Exception as exc:
            self.qa_title.setText(f"无法评分：{exc}")
            return
        self._qa_call = call_id
        self._qa_items = items
        self.qa_title.setText(f"通话 {call_id[:8]}… 的质检评分（根据记录自动预填，可调整）")
        self.qa_table.setRowCount(len(items))
        for r, item in enumerate(items):
            label = ("【关键】" if item.critical else "") + item.label
            self.qa_table.setItem(r, 0, QTableWidgetItem(label))
            verdict = {True: "达标", False: "未达标", None: "不适用"}[item.auto]
            self.qa_table.setItem(r, 1, QTableWidgetItem(verdict))
            spin = QSpinBox(minimum=0, maximum=item.max)
            spin.setValue(item.points)
            spin.setSuffix(f" / {item.max}")
            spin.setEnabled(item.auto is not None)
            self.qa_table.setCellWidget(r, 2, spin)
            self.qa_table.setItem(r, 3, QTableWidgetItem(item.note))
        self.qa_table.resizeColumnsToContents()
        self.qa_save.setEnabled(True)
        if history:
            last = history[-1]
            self.qa_history.setText(
                f"已有 {len(history)} 份评分，最新 {last.score} 分（{last.evaluator}）"
            )
        else:
            self.qa_history.setText("尚无评分")

    def qa_points(self) -> list[qa.ScoreItem]:
        return [item.with_points(self._points_of(r)) for r, item in enumerate(self._qa_items)]

    def _points_of(self, row: int) -> int:
        spin = self.qa_table.cellWidget(row, 2)
        return spin.value() if isinstance(spin, QSpinBox) else 0

    def save_qa(self) -> None:
        try:
            items = self.qa_points()
        except qa.QAError as exc:
            self.show_message(str(exc))
            return
        call_id = self._qa_call
        evaluator = self.qa_evaluator.text().strip() or "组长"
        comment = self.qa_comment.toPlainText()

        dialect = self.source.dialect

        def work():
            conn = self.source.writer()
            try:
                return qa.QAStore(conn, dialect).save(
                    call_id, items, evaluator=evaluator, comment=comment, now=self.source.now()
                )
            finally:
                conn.close()

        self.qa_save.setEnabled(False)
        self._run(work, self._qa_saved, key="review.qa_save")

    def _qa_saved(self, future) -> None:
        self.qa_save.setEnabled(True)
        try:
            saved = future.result()
        except Exception as exc:
            self.show_message(f"评分未保存：{exc}")
            return
        self.qa_comment.clear()
        self.show_message(f"已保存评分：{saved.score} 分")
        self.open_qa(saved.call_id)
        self.refresh_stats()

    # ---- complaint handbook -------------------------------------------------------------
    def _build_handbook(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            QLabel("常见投诉处理手册：本时段投诉记录中最常见的问题。点击一行查看这些通话。")
        )
        self.handbook = QTableWidget(0, 6)
        self.handbook.setAccessibleName("投诉手册")
        self.handbook.setHorizontalHeaderLabels(
            ["问题（关键词）", "投诉数", "处理时长中位", "解决率", "回电守约", "示例通话"]
        )
        self.handbook.horizontalHeader().setStretchLastSection(True)
        self.handbook.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.handbook.cellClicked.connect(self._handbook_clicked)
        layout.addWidget(self.handbook, 1)
        self.handbook_note = QLabel("")
        self.handbook_progress = QProgressBar()
        self.handbook_progress.setAccessibleName("投诉手册进度")
        self.handbook_cancel = QPushButton("取消")
        self.handbook_cancel.clicked.connect(self.cancel_handbook)
        foot = QHBoxLayout()
        foot.addWidget(self.handbook_note, 1)
        foot.addWidget(self.handbook_progress)
        foot.addWidget(self.handbook_cancel)
        layout.addLayout(foot)
        self._show_handbook_progress(False)
        self._topics: list[handbook.Topic] = []
        self.handbook_page = page
        self.tabs.addTab(page, "投诉手册")

    def _show_handbook_progress(self, running: bool) -> None:
        self.handbook_progress.setVisible(running)
        self.handbook_cancel.setVisible(running)

    def refresh_handbook(self) -> None:
        self._handbook_stale = False
        try:
            period = self.period()
        except PeriodError:
            return
        agent, agents = self.scope()
        dialect = self.source.dialect
        self.cancel_handbook(quiet=True)
        self.handbook_note.setText("")
        source = self.source

        def build(progress: Progress | None = None):
            return handbook.build(
                source.conn(),
                period,
                agent=agent,
                agents=agents,
                now=source.now(),
                grace=source.grace,
                segmenter=source.segmenter,
                dialect=dialect,
                progress=progress,
            )

        if not source.is_center:  # the local notes index holds the words: quick
            self._run(build, self._handbook_arrived, key="review.handbook")
            return
        # the center keeps no jieba words: every note of the period is cut here (a whole
        # center's month is ~830,000 notes), a day at a time with progress and 取消
        whole = agent is None and agents is None
        scope_text = "全中心" if whole else ("该坐席" if agent else "该班组")
        self.handbook_note.setText(f"正在生成{scope_text}的投诉手册…")
        self.handbook_progress.setRange(0, 0)
        self._show_handbook_progress(True)

        def on_progress(done: int, total: int, text: str) -> None:
            if self._handbook_task is None:
                return
            self.handbook_progress.setRange(0, max(total, 1))
            self.handbook_progress.setValue(min(done, max(total, 1)))
            if text:
                self.handbook_note.setText(f"正在生成{scope_text}的投诉手册：{text}")

        task = None

        def on_done(future) -> None:
            if self._handbook_task is not task:
                return  # cancelled, or a newer handbook was asked for
            self._handbook_task = None
            self._show_handbook_progress(False)
            self.handbook_note.setText("")
            self._handbook_arrived(future)

        task = self._run_progress(build, on_done, on_progress, key="review.handbook")
        self._handbook_task = task

    def cancel_handbook(self, quiet: bool = False) -> None:
        """Stop the handbook being built (取消, or a newer one asked for)."""
        task, self._handbook_task = self._handbook_task, None
        if task is None:
            return
        task.cancel()
        self._show_handbook_progress(False)
        if not quiet:
            self.handbook_note.setText("已取消生成投诉手册。")

    def _handbook_arrived(self, future) -> None:
        try:
            topics = future.result()
        except Cancelled:
            return
        except Exception as exc:
            self.show_message(f"投诉手册失败：{exc}")
            return
        self._topics = topics
        self.handbook.setRowCount(len(topics))
        for r, t in enumerate(topics):
            values = [
                t.word,
                str(t.calls),
                seconds_text(t.median_handle_s),
                _pct(t.resolution_rate),
                _pct(t.callbacks_kept),
                f"{len(t.examples)} 条（点击查看）",
            ]
            for c, text in enumerate(values):
                self.handbook.setItem(r, c, QTableWidgetItem(text))
        self.handbook.resizeColumnsToContents()

    def _handbook_clicked(self, row: int, _column: int) -> None:
        if row < len(self._topics):
            topic = self._topics[row]
            self.drill_down(
                CallFilter(call_ids=topic.examples), f"投诉问题「{topic.word}」的示例通话"
            )

    # ---- messages -----------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def showEvent(self, event) -> None:
        self._closed = False  # reopened from the menu: results are wanted again
        super().showEvent(event)
        if self._stale:
            self._live.start()

    def closeEvent(self, event) -> None:
        self._closed = True
        self._remember()
        self._settings.sync()
        super().closeEvent(event)
