"""Composition root: opens the database, builds the services and the window.

`build_app(data_dir, clock)` is the one in-process entry: tests (and anyone's acceptance
tests) call it with a temporary data dir and a FakeClock and drive the real window.

Window first, wiring later (issue 16): `build_app` builds what the first frame draws (the
workspace with today's calls and the pack, the reminders panel, the menus' titles, the status
bar). The rest (the softphone bridge and its IPC server, the reminder alert, tray and
scheduler, the desk's keys and ring notices, the text assist, the menus' entries) is wired
in small steps (`WIRING`). By default they all run before build_app returns, so a caller
gets everything wired; `deferred=True` (`python -m desktop`) runs them one per turn of the
event loop once the window has painted, and `App.finish_startup()` runs what is left at once.
Reaching a part that is not wired yet (`app.softphone`, `app.text` …) wires it first.
"""

from __future__ import annotations

import functools
import gc
import importlib
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer

from db import Database, connect, open_db
from desktop import paths
from desktop.core.calendar import AgentCalendar
from desktop.core.changes import ChangeBus, OpChanges
from desktop.core.clock import Clock, SystemClock
from desktop.paths import DataDir
from desktop.services.audit import AuditLog
from desktop.services.call_screen import CallScreenReader
from desktop.services.calls import CallService
from desktop.services.content_service import ContentService
from desktop.services.follow_ups import FollowUps
from desktop.services.notes_keeper import NotesKeeper
from desktop.services.reminders import ReminderService
from desktop.services.script_usage import ScriptUsage
from desktop.services.settings import SettingsStore
from desktop.ui.change_hub import ChangeHub
from desktop.ui.main_window import MainWindow
from desktop.ui.reminders.panel import RemindersPanel
from desktop.ui.startup import DeferredSteps
from desktop.ui.tasks import TaskRunner
from desktop.ui.workspace.controller import WorkspaceController
from desktop.ui.workspace.view import WorkspaceView

if TYPE_CHECKING:  # wired after the first frame, or made on first use
    from PySide6.QtWidgets import QWidget

    from desktop.core.calls import Call
    from desktop.services.notes_search import NotesIndexer
    from desktop.services.softphone.events import SoftphoneEvents
    from desktop.services.text_assist import TextAssist
    from desktop.ui.content_problems import ContentProblemsDialog
    from desktop.ui.desk import Desk
    from desktop.ui.lead.flows import LeadFlows
    from desktop.ui.lead.pin_dialog import LeadGate
    from desktop.ui.reminders.alert import ReminderAlert
    from desktop.ui.reminders.scheduler import ReminderScheduler
    from desktop.ui.reminders.tray import Notifier
    from desktop.ui.softphone_bridge import SoftphoneBridge
    from desktop.ui.startup import BackgroundStart

log = logging.getLogger(__name__)

# The window paints and answers first; jieba, the indexes and the scheduler start just after.
BACKGROUND_DELAY_MS = 100
# How long a worker thread may keep Python's global lock while the GUI thread waits for it
# (Python's default is 5 ms): with start-up's several workers the GUI thread waited up to
# 30-50 ms per event otherwise (bench: first_minute_stall_max_ms).
GUI_SWITCH_INTERVAL_S = 0.001
# The collector is paused while the start-up work runs, but never longer than this.
GC_PAUSE_MAX_MS = 15_000


@dataclass
class App:
    """Everything one running assistant holds; `close()` releases it in order."""

    data_dir: Path
    paths: DataDir
    clock: Clock
    db: Database
    bus: ChangeBus
    hub: ChangeHub
    tasks: TaskRunner
    content: ContentService
    settings: SettingsStore
    audit: AuditLog
    calls: CallService
    screen: CallScreenReader
    scripts: ScriptUsage
    follow_ups: FollowUps
    window: MainWindow
    workspace: WorkspaceController
    reminders: ReminderService
    reminder_panel: RemindersPanel
    wiring: DeferredSteps
    baresip: str = ""  # the baresip address the bridge connects to ("" = none)
    desk: Desk | None = None
    # `callassist review --db URL|FILE`: what the review shows this session (not saved)
    review_db: str = ""
    first_run: QWidget | None = None  # the set-up offered beside the window (desktop.run)
    _events: SoftphoneEvents | None = None
    _softphone: SoftphoneBridge | None = None
    _text: TextAssist | None = None
    _notes_index: NotesIndexer | None = None
    _scheduler: ReminderScheduler | None = None
    _alert: ReminderAlert | None = None
    _notifier: Notifier | None = None
    _startup: BackgroundStart | None = None
    _lead_gate: LeadGate | None = None
    _lead: LeadFlows | None = None
    _closers: list = field(default_factory=list)
    _background_started: bool = False
    _gc_was_enabled: bool | None = None  # set while start-up work runs with gc paused
    _closed: bool = False

    # ---- parts wired after the first frame (reaching one wires what is left first) -----
    def finish_startup(self) -> None:
        """Run every wiring step still waiting, now (idempotent)."""
        self.wiring.finish()

    def _wired(self, part: object) -> None:
        if part is None:
            if threading.current_thread() is not threading.main_thread():
                # widgets and timers belong to the GUI thread: wait for its wiring instead
                raise RuntimeError("this part of the app is not wired yet (GUI thread only)")
            self.finish_startup()

    @property
    def events(self) -> SoftphoneEvents:
        self._wired(self._events)
        assert self._events is not None
        return self._events

    @property
    def softphone(self) -> SoftphoneBridge:
        self._wired(self._softphone)
        assert self._softphone is not None
        return self._softphone

    @property
    def text(self) -> TextAssist:
        self._wired(self._text)
        assert self._text is not None
        return self._text

    @property
    def notes_index(self) -> NotesIndexer:
        self._wired(self._notes_index)
        assert self._notes_index is not None
        return self._notes_index

    @property
    def scheduler(self) -> ReminderScheduler:
        self._wired(self._scheduler)
        assert self._scheduler is not None
        return self._scheduler

    @property
    def startup(self) -> BackgroundStart:
        self._wired(self._startup)
        assert self._startup is not None
        return self._startup

    @property
    def lead_gate(self) -> LeadGate:
        """Lead mode's PIN gate (also `window.lead_gate`, for require_lead), made on first
        use: the first frame needs none of the lead's modules."""
        if self._lead_gate is None:
            from desktop.services.lead.pin import LeadPin, LeadSession
            from desktop.ui.lead.pin_dialog import LeadGate

            session = LeadSession(LeadPin(self.db, self.clock, self.audit), self.clock)
            self._lead_gate = LeadGate(session, self.tasks.run_in_background, self.window)
        return self._lead_gate

    @property
    def lead(self) -> LeadFlows:
        """The lead's exports, imports, retention and audit (the 组长 menu), made on first use."""
        if self._lead is None:
            self._lead = _make_lead_flows(self)
        return self._lead

    def calendar(self) -> AgentCalendar:
        """The agent's time policy (zone, office hours, grace) for the current settings."""
        return self.settings.calendar()

    def start_background(self) -> None:
        """Start the work the window does not wait for: the reminder scheduler, jieba, the
        script index, the notes index backfill, learning from past calls. Each part runs on
        its own through the task runner (a locked database delays only that part, retried
        with back-off). The wiring schedules it just after the window is up; calling it
        earlier (tests, --selftest) wires what is left first, and it runs once."""
        if self._background_started or self._closed:
            return
        self.finish_startup()
        self._background_started = True
        sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
        # What start-up built (modules, widgets, the pack) lives as long as the app: keep the
        # collector from rescanning it, a 25-35 ms pause each full collection otherwise.
        # The collector stays paused while the start-up work runs (desktop.run paused it for
        # the first frame): that work makes a million lasting objects (jieba's dictionary,
        # the indexes) and little garbage, and collections rescanning them paused clicks
        # and keystrokes 10-75 ms. Once the work is done (or GC_PAUSE_MAX_MS passed), what
        # it made is frozen too and the collector runs as usual.
        gc.freeze()
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        QTimer.singleShot(GC_PAUSE_MAX_MS, self.window, self._resume_gc)
        from desktop import code_cache

        code_cache.stop_regexes()  # start-up's patterns are kept (desktop.run started it)
        from desktop.ui.input_gate import InputGate

        gate = InputGate(self._background_over, self.window)  # work waits for the agent
        gate.install()
        self._closers.append(gate.remove)
        self._closers.append(self._resume_gc)
        self.startup.start()

    def _background_over(self) -> bool:
        done = self.background_done
        if done:
            self._resume_gc()
        return done

    def _resume_gc(self) -> None:
        if self._gc_was_enabled is not None:
            gc.freeze()  # what the start-up work made lives as long as the app
            gc.enable()
            self._gc_was_enabled = None

    def wait_background(self, timeout: float = 120.0) -> bool:
        """Spin the event loop until the start-up work is done (tests, self-test, bench)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop

        self.start_background()
        deadline = QDeadlineTimer(int(timeout * 1000))
        while not self.background_done and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return self.background_done

    @property
    def background_done(self) -> bool:
        """Every start-up part ran and what it started (index, learning, backfill) is done."""
        if self.wiring.pending or self._text is None or self._notes_index is None:
            return False
        return (
            self.startup.done
            and self._text.search_ready.is_set()
            and self._text.history_learned.is_set()
            and self._notes_index.idle.is_set()
            and self.tasks.idle
        )

    def close(self) -> None:
        self._closed = True  # a start_background still queued must not run on a closed app
        self.wiring.close()  # wiring steps not run yet never will
        self.window.view.notes.flush()
        if not self.workspace.retry_notes():  # a last try; what fails stays in the side file
            log.warning(
                "closing with notes not in the database; they are kept in %s",
                self.paths.notes_rescue,
            )
        if self._startup is not None:
            self._startup.close()
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:  # a failing part must not stop the rest from closing
                log.exception("error while closing")
        self.tasks.close()
        self.hub.close()
        self.hub.blockSignals(True)  # a change queued from a worker must not reach a panel
        self.window.close()
        for timer in self.window.findChildren(QTimer):  # nothing may tick on a closed database
            timer.stop()
        self.window.deleteLater()
        self.db.close()


def build_app(
    data_dir: Path,
    clock: Clock | None = None,
    *,
    demo: bool = False,
    baresip: str | None = None,
    deferred: bool = False,
) -> App:
    """Build the whole app against `data_dir` (created if missing). Needs a QApplication.

    `baresip` ("HOST:PORT") overrides the setting; "" turns the baresip bridge off.
    `deferred`: return once the first frame's parts exist and wire the rest on the event
    loop after the window's first paint (see the module's docstring); by default everything
    is wired on return.

    Raises db.StorageError when the database cannot be used; nothing is created over a bad file.
    """
    clock = clock or SystemClock()
    data_dir = Path(data_dir)
    where = DataDir.at(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    notices: list[str] = []  # what opening the database had to tell the agent
    db = open_db(where.db, backup_dir=where.backups, notices=notices)
    try:
        bus = ChangeBus()
        content = ContentService(paths.content_pack_dir(), data_dir, bus)
        settings = SettingsStore(db, bus)
        audit = AuditLog(db, clock, actor=lambda: settings.current.agent_id)
        agent = lambda: settings.current.agent_id  # noqa: E731 - read live, never copied
        calls = CallService(db, clock, audit, lambda: content.pack, agent=agent, bus=bus)
        screen = CallScreenReader(db, calls, lambda: content.pack)
        scripts = ScriptUsage(db, clock, agent)
        reminders = ReminderService(
            db, clock, audit, settings, lambda: content.pack.reminder_rules, bus
        )
        follow_ups = FollowUps(db, calls, reminders, audit)
        if demo and db.execute("SELECT count(*) FROM calls").fetchone()[0] == 0:
            from desktop.services.demo_data import populate

            populate(db, content.pack, clock.now())
        ui_settings = QSettings(str(where.window_state), QSettings.Format.IniFormat)
        view = WorkspaceView(clock.now)
        window = MainWindow(view, ui_settings)
        hub = ChangeHub(bus, window)
        tasks = TaskRunner(window)
        notes = NotesKeeper(db, calls, where.notes_rescue)
        notes.recover()  # notes a failed save left aside last time go back to their call
        workspace = WorkspaceController(
            view, calls, screen, scripts, follow_ups, settings, lambda: content.pack, hub, notes
        )
        reminder_panel = RemindersPanel(reminders, clock, settings, hub=hub)
        window.add_side_panel(reminder_panel)
        wiring = DeferredSteps(window)
    except BaseException:
        db.close()
        raise
    app = App(
        data_dir,
        where,
        clock,
        db,
        bus,
        hub,
        tasks,
        content,
        settings,
        audit,
        calls,
        screen,
        scripts,
        follow_ups,
        window,
        workspace,
        reminders,
        reminder_panel,
        wiring,
        baresip=settings.current.baresip if baresip is None else baresip,
    )
    workspace.message.connect(window.show_message)
    app._closers.append(view.call_bar.stop)
    # the menu bar's titles are all there in the first frame; the entries are wired later
    window.lead_menu = window.menuBar().addMenu("组长(&L)")  # type: ignore[attr-defined]
    window.status_db.setText(f"数据：{where.db.name}")
    for notice in notices:
        log.warning("%s", notice)
        window.show_message(notice)
    _show_content_status(app)
    for name, step in WIRING:
        wiring.add(name, functools.partial(step, app))
    wiring.add("background", lambda: QTimer.singleShot(BACKGROUND_DELAY_MS, app.start_background))
    if deferred:
        wiring.start_after_paint(window)
    else:
        wiring.finish()
    return app


def _wire_softphone_bridge(app: App) -> None:
    """The bridge from the hook's spool, the IPC poke and baresip to the workspace (not
    started yet: the desk listens to its events first)."""
    from desktop.services.softphone.events import SoftphoneEvents
    from desktop.ui.softphone_bridge import SoftphoneBridge

    app._events = SoftphoneEvents(app.db, app.calls, app.clock)
    bridge = SoftphoneBridge(app.data_dir, app._events, app.baresip, app.clock)
    app._softphone = bridge
    view = app.window.view
    bridge.call_event.connect(lambda _event, call: app.workspace.apply_call_event(call))
    bridge.status_changed.connect(app.window.status_softphone.setText)
    bridge.raise_requested.connect(app.window.bring_to_front)
    bridge.problem.connect(app.window.show_message)

    def to_baresip(command: str) -> None:
        current = app.workspace.current
        if current is not None and current.source == "baresip":
            bridge.send(command)

    view.call_bar.answer_requested.connect(lambda: to_baresip("accept"))
    view.call_bar.end_requested.connect(lambda: to_baresip("hangup"))
    app._closers.append(bridge.stop)


def _start_softphone(app: App) -> None:
    """IPC server up, then the events spooled while the app was starting (a call that rang
    before this is drained now, not lost: the hook spools every event first)."""
    assert app._softphone is not None
    app._softphone.start()


def _wire_text(app: App) -> None:
    """The text assist (intent suggestions, phrase checks, script search) and the notes
    index; jieba and the indexes load in the start-up background work."""
    from desktop.services.notes_search import NotesIndexer
    from desktop.services.text_assist import TextAssist
    from desktop.ui.workspace.assist import AssistController

    text = TextAssist(app.paths.cache, app.content.pack)
    app._text = text
    AssistController(app.workspace, text, app.scripts)
    notes_index = NotesIndexer(app.paths.db, text.segmenter, app.tasks.run_in_background)
    app._notes_index = notes_index
    app.workspace.call_completed.connect(lambda done: notes_index.enqueue(done.call.id))
    app._closers.append(notes_index.stop)

    def repack(changes: OpChanges, _origin: object) -> None:
        if changes.content:
            text.set_pack(app.content.pack)

    app.hub.changed.connect(repack)


def _wire_checkpoints(app: App) -> None:
    """WAL checkpoints on their own thread: no commit on the GUI thread pays for one."""
    from db.checkpoint import WalCheckpointer

    checkpoints = WalCheckpointer(app.db, app.paths.db)
    checkpoints.start()
    app._closers.append(checkpoints.stop)


def _wire_scheduler(app: App) -> None:
    from desktop.ui.reminders.scheduler import ReminderScheduler

    app._scheduler = ReminderScheduler(app.reminders, app.clock, app.window, hub=app.hub)
    app._closers.append(app._scheduler.stop)


def _plan_background(app: App) -> None:
    """The start-up parts and what each waits for; each one retries on its own."""
    from desktop.services.notes_search import classified_calls
    from desktop.ui.reminders.scheduler import apscheduler_imported, import_apscheduler
    from desktop.ui.startup import BackgroundStart

    startup = BackgroundStart(app.tasks, app.window)
    app._startup = startup
    text, scheduler, notes_index = app.text, app.scheduler, app.notes_index
    # Imports the first frame does not need, on a worker: APScheduler for the scheduler.
    # sqlite-utils is not imported at all: the running app writes plain SQL (db.Database);
    # only a new database's schema and the demo data use its table helpers.
    if apscheduler_imported():  # a second app in this process (tests): start it at once
        startup.add("scheduler", "提醒", scheduler.start, on_gui=True)
    else:
        startup.add("apscheduler", "提醒", import_apscheduler)
        startup.add("scheduler", "提醒", scheduler.start, on_gui=True, after="apscheduler")
    startup.add(
        "script_index", "话术搜索", lambda: text.attach(app.tasks.run_in_background), on_gui=True
    )
    startup.add("jieba", "文字辅助", text.segmenter.load)
    startup.add(
        "history",
        "学习历史来电",
        lambda: classified_calls(app.paths.db),
        after="jieba",
        then=text.learn_from,
    )
    startup.add("notes_index", "记录索引", notes_index.start, on_gui=True, after="jieba")
    startup.add("retention", "数据保留清理", lambda: _purge_at_start(app))
    startup.status.connect(app.window.show_background_status)


def _purge_at_start(app: App) -> str:
    """Retention ("keep notes/calls N days") once at start, on a worker's own connection."""
    from desktop.services.lead.retention import load_policy, purge

    db = connect(app.paths.db)
    try:
        if not load_policy(db).active:
            return ""
        result = purge(db, app.clock, AuditLog(db, app.clock, app.audit.actor), via="start")
    finally:
        db.close()
    log.info("retention at start: %s", result.message)
    return result.message


def _wire_reminders(app: App) -> None:
    """Reminders on screen; "call back now" is one use case in FollowUps."""
    from desktop.core.reminders import ReminderError
    from desktop.ui.reminders import connect_reminder_ui
    from desktop.ui.reminders.alert import ReminderAlert
    from desktop.ui.reminders.tray import create_notifier

    reminders, panel, workspace = app.reminders, app.reminder_panel, app.workspace
    alert = ReminderAlert(reminders, app.clock, app.settings, app.window, hub=app.hub)
    notifier = create_notifier(parent=app.window)
    app._alert, app._notifier = alert, notifier
    connect_reminder_ui(app.scheduler, panel, alert, notifier, reminders, app.clock, app.settings)

    def call_back(reminder_id: str) -> None:
        if app.desk is not None and app.desk.start_callback(reminder_id):
            return  # baresip dials; its outgoing call is linked to the reminder when reported
        workspace.view.notes.flush()
        try:
            call, _reminder = app.follow_ups.call_back_now(reminder_id)
        except ReminderError as exc:
            app.window.show_message(str(exc))
            return
        workspace.show_callback(call)
        if app.desk is not None:
            app.desk.callback_started(call)

    def current_changed(call: Call | None) -> None:
        if call is not None and call.is_open:
            panel.set_current_call(call.id, call.phone, call.caller_name)
        else:
            panel.set_current_call(None)

    panel.call_back_requested.connect(call_back)
    panel.open_call_requested.connect(workspace.switch_to)
    workspace.current_call_changed.connect(current_changed)
    current_changed(workspace.current)


def _wire_desk(app: App) -> None:
    """Keys from any field, the call notice, second rings, missed-call callbacks."""
    from desktop.ui.desk import Desk

    assert app._alert is not None and app._notifier is not None
    app.desk = Desk(
        app.window,
        app.workspace,
        app.screen,
        app.reminders,
        app.follow_ups,
        app.settings,
        app.softphone,
        app._notifier,
        forget_alert=app._alert.forget,
    )
    app._closers.append(app.desk.close)


def _wire_tools(app: App) -> None:
    from PySide6.QtGui import QAction, QKeySequence

    window = app.window

    def open_settings() -> None:
        from desktop.ui.settings_dialog import SettingsDialog  # not needed for the first frame

        SettingsDialog(app.settings, window).exec()

    def reload_content() -> None:
        if not app.lead_gate.require(window, "重新加载内容包"):
            return
        problems = app.content.reload()
        _show_content_status(app)
        window.show_message(
            f"内容包有 {len(problems)} 个问题，继续使用上次可用的版本（详见状态栏提示）"
            if problems
            else "内容包已重新加载"
        )

    settings_action = QAction("设置…", window)
    settings_action.setShortcut(QKeySequence("Ctrl+,"))
    settings_action.triggered.connect(open_settings)
    reload_action = QAction("重新加载内容包", window)
    reload_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
    reload_action.triggered.connect(reload_content)
    window.tools_menu.addAction(settings_action)
    window.tools_menu.addAction(reload_action)
    window.addAction(reload_action)
    problems_action = QAction("内容包问题…", window)
    problems_action.triggered.connect(lambda: show_content_problems(app))
    window.tools_menu.addAction(problems_action)
    window.status_problems.clicked.connect(lambda: show_content_problems(app))


def show_content_problems(app: App) -> ContentProblemsDialog:
    """The pack's problems as a table (file, key, what is wrong), not only a tooltip."""
    from desktop.ui.content_problems import ContentProblemsDialog

    dialog = ContentProblemsDialog(app.content.problems, app.window)
    dialog.open()
    return dialog


def _wire_review(app: App) -> None:
    """组长复盘 (Ctrl+Shift+L): built on first use, so start-up never imports the review."""
    from PySide6.QtGui import QAction, QKeySequence

    window = app.window
    opened: list = []

    def save_center_url(url: str) -> None:
        app.settings.update(center_url=url)

    def open_review() -> None:
        if not app.lead_gate.require(window, "组长复盘"):
            return
        if not opened:
            from desktop.services.center.connection import is_center_url
            from desktop.services.review.stats import checklists_from_pack
            from desktop.ui.review import ReviewWindow
            from desktop.ui.review.source import ReviewSource

            given = app.review_db
            source = ReviewSource(
                Path(given) if given and not is_center_url(given) else app.paths.db,
                now=app.clock.now,
                calendar=app.calendar,
                checklists=lambda: checklists_from_pack(app.content.pack),
                segmenter=app.text.segmenter,
                pack=lambda: app.content.pack,
                evaluator=app.settings.current.agent_name,
                center_url=given if is_center_url(given) else app.settings.current.center_url,
            )
            opened.append(
                ReviewWindow(
                    source,
                    app.tasks.run_in_background,
                    window.ui_settings,
                    save_center_url=save_center_url,
                    run_with_progress=app.tasks.run_with_progress,
                )
            )
            app._closers.append(source.close)  # runs after the window's close (reversed)
            app._closers.append(opened[0].close)
            app.hub.changed.connect(opened[0].on_changes)  # the agent's own file: live
            app.lead.attach_review(opened[0], source)
        opened[0].show()
        opened[0].raise_()
        opened[0].activateWindow()

    action = QAction("组长复盘…", window)
    action.setShortcut(QKeySequence("Ctrl+Shift+L"))
    action.triggered.connect(open_review)
    window.tools_menu.addAction(action)
    window.addAction(action)
    window.open_review = open_review  # type: ignore[attr-defined]


def _wire_lead(app: App) -> None:
    """The lead's menu; its flows and the PIN gate are made when first used (App.lead,
    App.lead_gate; `window.lead_gate` for require_lead)."""
    from PySide6.QtGui import QAction

    window = app.window
    window.lead_gate_source = lambda: app.lead_gate
    menu = window.lead_menu  # type: ignore[attr-defined]  # made with the first frame
    entries = (
        ("导出通话记录…", lambda: app.lead.export_calls(window)),
        ("导出统计…", lambda: app.lead.export_stats(window)),
        ("导出投诉处理手册…", lambda: app.lead.export_handbook(window)),
        (None, None),
        ("导出日志包…", lambda: app.lead.export_bundle(window)),
        ("导入日志包…", lambda: app.lead.import_bundles(window)),
        (None, None),
        ("数据保留与清理…", lambda: app.lead.retention(window)),
        ("审计日志…", lambda: app.lead.audit_log(window)),
        ("修改组长 PIN…", lambda: app.lead.change_pin(window)),
        ("退出组长模式", lambda: app.lead.lock()),
    )
    for text, slot in entries:
        if text is None:
            menu.addSeparator()
            continue
        action = QAction(text, window)
        action.triggered.connect(slot)
        menu.addAction(action)


def _make_lead_flows(app: App) -> LeadFlows:
    from desktop.ui.lead.flows import LeadContext, LeadFlows

    window = app.window
    context = LeadContext(
        db_path=app.paths.db,
        db=app.db,
        clock=app.clock,
        audit=app.audit,
        calendar=app.calendar,
        pack=lambda: app.content.pack,
        tasks=app.tasks,
        gate=app.lead_gate,
    )
    flows = LeadFlows(context, window)
    flows.message.connect(window.show_message)

    def imported(call_ids: list[str]) -> None:
        for call_id in call_ids:
            app.notes_index.enqueue(call_id)
        app.bus.publish(OpChanges(calls=True, reminders=True, qa=True, audit=True), flows)

    flows.imported.connect(imported)
    flows.purged.connect(lambda _result: app.bus.publish(OpChanges(calls=True, audit=True), flows))
    return flows


def _show_content_status(app: App) -> None:
    pack = app.content.pack
    problems = app.content.problems
    label = app.window.status_content
    if problems:
        label.setText(f"⚠ 内容包有 {len(problems)} 个问题，正在使用上次可用的版本")
        label.setToolTip("\n".join(f"{p.file} {p.key}：{p.reason}" for p in problems[:30]))
        app.window.view.inline_note.show_note(
            f"⚠ 内容包有 {len(problems)} 个问题，正在使用上次可用的版本（工具 → 内容包问题）"
        )
    app.window.status_problems.setVisible(bool(problems))
    if not problems:
        label.setText(f"内容包 v{pack.version}：{len(pack.scripts)} 条话术")
        label.setToolTip((app.content.source and str(app.content.source)) or "")


def _imports(*modules: str) -> Callable[[App], None]:
    """A step that only imports: the modules a wiring step needs, each group in its own
    turn of the loop (a module's body, its dataclasses and regexes are most of a step)."""

    def step(_app: App) -> None:
        for module in modules:
            importlib.import_module(module)

    return step


# PySide6 makes the Python enums of a Qt class when the class is first used. The first
# object of a class Qt has no binding for (Qt's private QAnimationTimer, which the main
# window's layout starts whenever it lays out again) that reaches Python (the input gate's
# app-wide event filter, while the start-up work runs) makes it make every pending class's
# enums at once: ~250 enums, 30-60 ms on the GUI thread in one go, twice that while two
# start-up workers compete for the interpreter. Done here in small slices instead, before
# that work starts, that one conversion finds nothing left to make (bench first_minute).
QT_TYPE_SLICES = 24
_qt_names: list[tuple[object, str]] = []


def _realize_qt_types(part: int) -> Callable[[App], None]:
    def step(_app: App) -> None:
        if part == 0 or not _qt_names:
            _qt_names[:] = [
                (module, name)
                for key, module in sorted(sys.modules.items())
                if key.startswith("PySide6.Qt") and module is not None
                for name in dir(module)
                if not name.startswith("_")
            ]
        count = len(_qt_names)
        for module, name in _qt_names[
            count * part // QT_TYPE_SLICES : count * (part + 1) // QT_TYPE_SLICES
        ]:
            getattr(module, name, None)
        if part == QT_TYPE_SLICES - 1:
            _qt_names.clear()

    return step


# What build_app wires after the first frame, in this order, each step a few ms (measured
# in bench first_minute's notes): the bridge's events reach the desk before the bridge
# starts draining the spool; a part's modules are imported a step ahead of it.
WIRING: tuple[tuple[str, Callable[[App], None]], ...] = (
    ("import call events", _imports("uuid", "desktop.services.softphone.events")),
    ("import ipc", _imports("desktop.instance.ipc", "desktop.services.softphone.spool")),
    ("import baresip events", _imports("desktop.core.softphone.baresip_events")),
    ("import sockets", _imports("socket", "selectors")),
    ("import baresip client", _imports("desktop.services.softphone.baresip_client")),
    ("import softphone bridge", _imports("desktop.ui.softphone_bridge")),
    ("softphone bridge", _wire_softphone_bridge),
    ("wal checkpoints", _wire_checkpoints),
    ("reminder scheduler", _wire_scheduler),
    ("import reminder alert", _imports("desktop.ui.reminders.alert")),
    ("import tray", _imports("desktop.ui.reminders.tray")),
    ("reminder alert", _wire_reminders),
    ("import call notice", _imports("desktop.ui.call_notice")),
    ("import desk", _imports("desktop.ui.desk")),
    ("desk", _wire_desk),
    ("import multiprocessing", _imports("multiprocessing", "multiprocessing.process")),
    ("import multiprocessing reduction", _imports("multiprocessing.reduction")),
    ("import multiprocessing util", _imports("multiprocessing.util")),
    ("import ipc server", _imports("multiprocessing.connection")),
    ("softphone start", _start_softphone),
    ("import segmenter", _imports("desktop.core.text.segmenter")),
    ("import script search", _imports("desktop.services.script_search")),
    ("import complaint signals", _imports("desktop.core.text.signals")),
    ("import text assist", _imports("desktop.services.text_assist")),
    ("import assist bar", _imports("desktop.ui.workspace.assist_bar")),
    ("import assist", _imports("desktop.ui.workspace.assist")),
    ("import notes search", _imports("desktop.services.notes_search")),
    ("text assist", _wire_text),
    ("tools menu", _wire_tools),
    ("review", _wire_review),
    ("lead menu", _wire_lead),
    *((f"qt types {i + 1}/{QT_TYPE_SLICES}", _realize_qt_types(i)) for i in range(QT_TYPE_SLICES)),
    ("import start-up parts", _imports("desktop.ui.input_gate")),
    ("background plan", _plan_background),
)
