"""The lead's actions as the UI runs them: each asks the gate first, picks a file, runs the
work on the task runner with a progress dialog (cancel works), and reports in Chinese.

Workers read and write through their own connections (never the GUI's); audit rows of exports
are written on the GUI thread once the file is complete; an import's audit row is inside its
own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db import connect
from desktop.core.calendar import AgentCalendar
from desktop.core.clock import Clock
from desktop.core.progress import Cancelled
from desktop.services.audit import AuditLog
from desktop.services.lead.bundle import BundleError, export_bundle, import_bundle
from desktop.services.lead.export import ExportError
from desktop.services.lead.pin import PinError
from desktop.services.lead.reports import (
    CallQuery,
    ExportResult,
    SourceReader,
    StatsInputs,
    export_browser,
    export_calls,
    export_handbook,
    export_stats,
    record_export,
)
from desktop.services.lead.retention import (
    PurgeResult,
    RetentionPolicy,
    load_policy,
    purge,
    save_policy,
)
from desktop.services.lead.unmask import reveal_number
from desktop.ui.lead.audit_view import AuditLogView
from desktop.ui.lead.pin_dialog import LeadGate

if TYPE_CHECKING:
    from desktop.ui.review.window import ReviewWindow


@dataclass
class LeadContext:
    """What the flows need from the app (wired in desktop/app.py)."""

    db_path: Path
    db: Any  # the GUI thread's connection (audit rows of exports, settings)
    clock: Clock
    audit: AuditLog
    calendar: Callable[[], AgentCalendar]
    pack: Callable[[], Any]
    tasks: Any  # desktop.ui.tasks.TaskRunner
    gate: LeadGate


def _to_date(value: QDate) -> date:
    """A QDate as a datetime.date (PySide6 types `toPython()` as object)."""
    return date(value.year(), value.month(), value.day())


class ExportOptions(QDialog):
    """Period, format and (a lead action, audited) full numbers."""

    def __init__(self, title: str, today: date, parent: QWidget | None, formats: Sequence[str]):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.date_from = QDateEdit(QDate(today.year, today.month, 1))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.format = QComboBox()
        for fmt in formats:
            self.format.addItem({"xlsx": "Excel 工作簿 (.xlsx)", "csv": "CSV (.csv)"}[fmt], fmt)
        self.unmask = QCheckBox("导出完整号码（将记录审计）")
        form = QFormLayout()
        form.addRow("开始日期", self.date_from)
        form.addRow("结束日期", self.date_to)
        form.addRow("格式", self.format)
        form.addRow("", self.unmask)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def query(self) -> CallQuery:
        return CallQuery(_to_date(self.date_from.date()), _to_date(self.date_to.date()))


class LeadFlows(QObject):
    message = Signal(str)  # for the status bar
    imported = Signal(object)  # list of changed call ids, after bundles were merged
    purged = Signal(object)  # PurgeResult, after a purge from the lead's menu

    def __init__(self, ctx: LeadContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.progress_dialog: QProgressDialog | None = None

    # ---- plumbing ------------------------------------------------------------------
    def _allowed(self, parent: QWidget | None, action: str) -> bool:
        return self.ctx.gate.require(parent, action)

    def _save_path(self, parent: QWidget | None, title: str, name: str, fmt: str) -> Path | None:
        pattern = {"xlsx": "Excel 工作簿 (*.xlsx)", "csv": "CSV (*.csv)"}.get(
            fmt, "数据包 (*.cabundle)"
        )
        chosen, _ = QFileDialog.getSaveFileName(parent, title, name, pattern)
        return Path(chosen) if chosen else None

    def _run(
        self,
        parent: QWidget | None,
        title: str,
        work: Callable[[Any], Any],
        finished: Callable[[Any], None],
        always: Callable[[], None] | None = None,
    ):
        """Run `work(progress)` on the task runner behind a progress dialog with 取消;
        `finished(result)` on success, `always()` however it ended (GUI thread)."""
        dialog = QProgressDialog(title, "取消", 0, 100, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        self.progress_dialog = dialog

        def on_progress(done: int, total: int, text: str) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(min(done, max(total, 1)))
            if text:
                dialog.setLabelText(f"{title}：{text}")

        def on_done(future: Future) -> None:
            dialog.close()
            self.progress_dialog = None
            if always is not None:
                always()
            try:
                result = future.result()
            except Cancelled:
                self._say(parent, f"{title}已取消，未留下不完整的文件")
                return
            except (ExportError, BundleError) as exc:
                self._warn(parent, title, str(exc))
                return
            except Exception as exc:
                self._warn(parent, title, f"{title}失败：{exc}")
                return
            finished(result)

        handle = self.ctx.tasks.run_with_progress(work, on_done, on_progress)
        dialog.canceled.connect(handle.cancel)
        return handle

    def _say(self, parent: QWidget | None, text: str) -> None:
        self.message.emit(text)

    def _warn(self, parent: QWidget | None, title: str, text: str) -> None:
        self.message.emit(text)
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent
        )
        box.setModal(False)
        box.show()

    def _reader(self):
        return connect(self.ctx.db_path, readonly=True)

    # ---- exports -------------------------------------------------------------------
    def export_calls(
        self,
        parent: QWidget | None,
        query: CallQuery | None = None,
        fmt: str | None = None,
        path: Path | None = None,
        unmask: bool = False,
    ):
        """The calls of `query` (the browser's filter), or of a period asked for here."""
        if not self._allowed(parent, "导出通话记录"):
            return None
        calendar = self.ctx.calendar()
        if query is None or fmt is None:
            options = ExportOptions(
                "导出通话记录", calendar.today(self.ctx.clock.now()), parent, ("xlsx", "csv")
            )
            if options.exec() != QDialog.DialogCode.Accepted:
                return None
            query, fmt, unmask = (
                options.query(),
                options.format.currentData(),
                options.unmask.isChecked(),
            )
        path = path or self._save_path(parent, "导出通话记录", f"通话记录.{fmt}", fmt)
        if path is None:
            return None
        pack, now = self.ctx.pack(), self.ctx.clock.now()

        def work(progress):
            db = self._reader()
            try:
                return export_calls(
                    db, path, fmt, query, calendar,
                    now=now, unmask=unmask, pack=pack, progress=progress,
                )  # fmt: skip
            finally:
                db.close()

        return self._run(parent, "导出通话记录", work, lambda r: self._exported(parent, r))

    def export_filtered(
        self,
        parent: QWidget | None,
        source: Any,
        flt: Any,
        fmt: str | None = None,
        path: Path | None = None,
        unmask: bool = False,
    ):
        """The calls of the review browser's current filter (`source` is its ReviewSource)."""
        if not self._allowed(parent, "导出筛选的通话"):
            return None
        if fmt is None:
            options = ExportOptions("导出筛选的通话", date.today(), parent, ("xlsx", "csv"))
            options.date_from.hide()
            options.date_to.hide()
            if options.exec() != QDialog.DialogCode.Accepted:
                return None
            fmt, unmask = options.format.currentData(), options.unmask.isChecked()
        path = path or self._save_path(parent, "导出筛选的通话", f"通话记录.{fmt}", fmt)
        if path is None:
            return None
        calendar, pack, now = self.ctx.calendar(), self.ctx.pack(), self.ctx.clock.now()
        center = bool(getattr(source, "is_center", False))

        def work(progress):
            if center:  # the calls and the workbook's statistics both from the center
                return export_browser(
                    source.browser(), flt, SourceReader(source.conn(), source.dialect), path,
                    fmt, calendar, now=now, unmask=unmask, pack=pack, progress=progress,
                    dialect=source.dialect, agents=list(flt.agents) or None,
                    source_text=source.label,
                )  # fmt: skip
            db = self._reader()
            try:
                return export_browser(
                    source.browser(), flt, db, path, fmt, calendar,
                    now=now, unmask=unmask, pack=pack, progress=progress,
                )  # fmt: skip
            finally:
                db.close()

        return self._run(parent, "导出筛选的通话", work, lambda r: self._exported(parent, r))

    def attach_review(self, review: ReviewWindow, source: Any) -> None:
        """Hook the review window: lead activity there keeps lead mode open, locking closes
        it, bundles dropped on it are imported, its menu gets the lead's exports, and the
        audit log is a tab."""
        from PySide6.QtGui import QAction

        gate = self.ctx.gate
        gate.watch(review)
        gate.locked.connect(review.close)
        review.setAcceptDrops(True)
        review.installEventFilter(_BundleDrops(self, review))
        menu = review.menuBar().addMenu("导出(&E)")
        actions = {}
        for text, slot in (
            (
                "导出当前筛选的通话…",
                lambda: self.export_filtered(review, source, review.current_filter()),
            ),
            ("导出统计…", lambda: self.export_review_stats(review, source)),
            ("导出投诉处理手册…", lambda: self.export_handbook(review)),
            ("导入日志包…", lambda: self.import_bundles(review)),
        ):
            action = QAction(text, review)
            action.triggered.connect(slot)
            menu.addAction(action)
            actions[text] = action

        def name_the_source() -> None:
            """The menu says which database each export reads (the review may show the
            center, or the local file after a fallback)."""
            center = bool(getattr(source, "is_center", False))
            where = "（中心数据库）" if center else ""
            saved: str = getattr(source, "center_url", None) or ""
            if not center and saved:
                where = "（本机数据库）"  # a center is saved but did not answer: the banner
            for text in ("导出当前筛选的通话…", "导出统计…"):
                actions[text].setText(text.replace("…", where + "…"))
            actions["导出投诉处理手册…"].setText(
                "导出投诉处理手册（内容包的步骤与话术，与数据源无关）…"
                if center
                else "导出投诉处理手册…"
            )
            actions["导入日志包…"].setText(
                "导入日志包（到本机数据库；导入中心请用 callassist center import）…"
                if center
                else "导入日志包…"
            )

        review.source_ready.connect(name_the_source)
        name_the_source()
        review.tabs.addTab(
            AuditLogView(self._reader, self.ctx.calendar, self.ctx.tasks.run_in_background),
            "审计日志",
        )

    def export_review_stats(
        self,
        parent: Any,
        source: Any,
        query: CallQuery | None = None,
        fmt: str | None = None,
        path: Path | None = None,
    ):
        """导出统计 from the review window: on the center, the center's statistics for the
        review's agent or team (the whole center when neither is chosen); on the local file,
        the lead's usual statistics export."""
        if not getattr(source, "is_center", False):
            return self.export_stats(parent, query, fmt, path)
        agent, agents = parent.scope()
        return self.export_stats(
            parent, query, fmt, path, source=source, agent=agent,
            agents=list(agents) if agents is not None else None,
        )  # fmt: skip

    def export_stats(
        self,
        parent: QWidget | None,
        query: CallQuery | None = None,
        fmt: str | None = None,
        path: Path | None = None,
        *,
        source: Any = None,
        agent: str | None = None,
        agents: list[str] | None = None,
    ):
        """The statistics workbook; with a center `source`, read from the center (`agent`
        or a team's `agents`)."""
        if not self._allowed(parent, "导出统计"):
            return None
        calendar = self.ctx.calendar()
        if query is None or fmt is None:
            options = ExportOptions(
                "导出统计", calendar.today(self.ctx.clock.now()), parent, ("xlsx", "csv")
            )
            options.unmask.hide()
            if options.exec() != QDialog.DialogCode.Accepted:
                return None
            query, fmt = options.query(), options.format.currentData()
        path = path or self._save_path(parent, "导出统计", f"统计.{fmt}", fmt)
        if path is None:
            return None
        inputs = StatsInputs.of(self.ctx.pack(), self.ctx.clock.now())
        if source is not None:
            from dataclasses import replace

            query = replace(query, agent=agent)

            def from_center(progress):
                return export_stats(
                    SourceReader(source.conn(), source.dialect), path, fmt, query, calendar,
                    inputs=inputs, progress=progress, dialect=source.dialect,
                    agents=None if agent else agents, source_text=source.label,
                )  # fmt: skip

            return self._run(parent, "导出统计", from_center, lambda r: self._exported(parent, r))

        def work(progress):
            db = self._reader()
            try:
                return export_stats(
                    db, path, fmt, query, calendar, inputs=inputs, progress=progress
                )
            finally:
                db.close()

        return self._run(parent, "导出统计", work, lambda r: self._exported(parent, r))

    def export_handbook(self, parent: QWidget | None, path: Path | None = None):
        if not self._allowed(parent, "导出投诉处理手册"):
            return None
        path = path or self._save_path(parent, "导出投诉处理手册", "投诉处理手册.xlsx", "xlsx")
        if path is None:
            return None
        pack, calendar = self.ctx.pack(), self.ctx.calendar()
        return self._run(
            parent,
            "导出投诉处理手册",
            lambda _p: export_handbook(pack, path, calendar),
            lambda r: self._exported(parent, r),
        )

    def _exported(self, parent: QWidget | None, result: ExportResult) -> None:
        record_export(self.ctx.audit, result, via="ui")
        rows = sum(result.rows.values())
        masked = "含完整号码" if result.unmasked else "号码已脱敏"
        self._say(parent, f"已导出 {result.path.name}（{rows} 行，{masked}）")

    # ---- bundles -------------------------------------------------------------------
    def export_bundle(
        self, parent: QWidget | None, path: Path | None = None, since: date | None = None
    ):
        if not self._allowed(parent, "导出日志包"):
            return None
        path = path or self._save_path(parent, "导出日志包", "日志包.cabundle", "bundle")
        if path is None:
            return None
        calendar, clock = self.ctx.calendar(), self.ctx.clock

        def done(summary) -> None:
            self.ctx.audit.record("bundle.export", "bundle", path.name, rows=summary.rows)
            self._say(parent, f"已导出日志包 {path.name}（{summary.rows.get('calls', 0)} 条通话）")

        return self._run(
            parent,
            "导出日志包",
            lambda p: export_bundle(
                self.ctx.db_path, path, clock, calendar, since=since, progress=p
            ),
            done,
        )

    def import_bundles(self, parent: QWidget | None, files: Sequence[Path] | None = None):
        """Merge bundles (picked here, or dropped on the review window)."""
        if not self._allowed(parent, "导入日志包"):
            return None
        if files is None:
            chosen, _ = QFileDialog.getOpenFileNames(
                parent, "导入日志包", "", "数据包 (*.cabundle *.sqlite3 *.db);;所有文件 (*)"
            )
            files = [Path(f) for f in chosen]
        if not files:
            return None
        files = list(files)
        clock, actor, db_path = self.ctx.clock, self.ctx.audit.actor, self.ctx.db_path

        def work(progress):
            db = connect(db_path)
            audit = AuditLog(db, clock, actor)
            reports, refused = [], []
            try:
                for number, path in enumerate(files):
                    progress.check()
                    progress.report(number, len(files), path.name)
                    try:
                        reports.append(import_bundle(db, path, audit, target_file=db_path))
                    except BundleError as exc:
                        refused.append(exc)
                progress.report(len(files), len(files), "完成")
            finally:
                db.close()
            return reports, refused

        def done(outcome) -> None:
            reports, refused = outcome
            lines = []
            changed: list[str] = []
            for report in reports:
                lines.append(f"{report.path.name}（坐席 {report.agent_id}）")
                lines += report.lines()
                changed += report.changed_call_ids
            for error in refused:
                lines.append(("已跳过 " if error.skipped else "未导入 ") + str(error))
            summary = "\n".join(lines)
            self.last_import_summary = summary
            self._say(parent, f"已导入 {len(reports)} 个日志包，{len(refused)} 个未导入")
            if changed:
                self.imported.emit(changed)
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "导入日志包",
                summary,
                QMessageBox.StandardButton.Ok,
                parent,
            )
            box.setModal(False)
            box.show()
            self.last_box = box

        return self._run(parent, "导入日志包", work, done)

    # ---- retention, audit, PIN ------------------------------------------------------
    def retention(self, parent: QWidget | None) -> None:
        if not self._allowed(parent, "数据保留与清理"):
            return
        dialog = RetentionDialog(self, load_policy(self.ctx.db), parent)
        dialog.exec()

    def dry_run(
        self,
        parent: QWidget | None,
        policy: RetentionPolicy,
        done: Callable[[PurgeResult], None],
        always: Callable[[], None] | None = None,
    ):
        """Count what a purge by `policy` would remove, on a worker (a big file takes a while)."""
        return self._run(parent, "预览清理", self._purger(policy, dry_run=True), done, always)

    def purge_now(
        self,
        parent: QWidget | None,
        policy: RetentionPolicy,
        done: Callable[[PurgeResult], None],
        always: Callable[[], None] | None = None,
    ):
        """Save `policy` and purge by it now, on a worker; the app hears of it (`purged`)."""

        def finished(result: PurgeResult) -> None:
            self.purged.emit(result)
            done(result)

        return self._run(parent, "数据清理", self._purger(policy, dry_run=False), finished, always)

    def _purger(self, policy: RetentionPolicy, *, dry_run: bool) -> Callable[[Any], PurgeResult]:
        clock, actor, db_path = self.ctx.clock, self.ctx.audit.actor, self.ctx.db_path

        def work(progress) -> PurgeResult:
            db = connect(db_path)
            try:
                if not dry_run:
                    save_policy(db, policy)
                audit = AuditLog(db, clock, actor)
                return purge(
                    db, clock, audit, policy, dry_run=dry_run, via="menu", progress=progress
                )
            finally:
                db.close()

        return work

    def audit_log(self, parent: QWidget | None) -> QDialog | None:
        if not self._allowed(parent, "查看审计日志"):
            return None
        dialog = QDialog(parent)
        dialog.setWindowTitle("审计日志")
        dialog.resize(900, 520)
        view = AuditLogView(
            self._reader, self.ctx.calendar, self.ctx.tasks.run_in_background, dialog
        )
        QVBoxLayout(dialog).addWidget(view)
        self.ctx.gate.watch(dialog)
        self.ctx.gate.locked.connect(dialog.close)
        dialog.show()
        return dialog

    def unmask_call(self, parent: QWidget | None, call_id: str) -> str | None:
        """The full number of one call for the lead (audited), None when not allowed."""
        if not self._allowed(parent, "查看完整号码"):
            return None
        return reveal_number(self.ctx.db, self.ctx.audit, call_id)

    def change_pin(self, parent: QWidget | None) -> None:
        if not self._allowed(parent, "修改组长 PIN"):
            return
        dialog = ChangePinDialog(parent)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                self.ctx.gate.session.pin.set_pin(dialog.new.text(), old_pin=dialog.old.text())
            except PinError as exc:
                dialog.message.setText(str(exc))
                continue
            self._say(parent, "组长 PIN 已修改")
            return

    def lock(self) -> None:
        self.ctx.gate.lock()
        self.message.emit("已退出组长模式")


class _BundleDrops(QObject):
    """Bundle files dropped on the review window are imported (after the gate)."""

    def __init__(self, flows: LeadFlows, window: QWidget) -> None:
        super().__init__(window)
        self.flows = flows
        self.window = window

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if event.mimeData().hasUrls():
                event.acceptProposedAction()
                return True
        elif event.type() == QEvent.Type.Drop and event.mimeData().hasUrls():
            files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
            event.acceptProposedAction()
            if files:
                self.flows.import_bundles(self.window, files)
            return True
        return False


class ChangePinDialog(QDialog):
    def __init__(self, parent: QWidget | None) -> None:
        from PySide6.QtWidgets import QLabel, QLineEdit

        super().__init__(parent)
        self.setWindowTitle("修改组长 PIN")
        self.old, self.new = QLineEdit(), QLineEdit()
        for edit in (self.old, self.new):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        form = QFormLayout(self)
        form.addRow("原 PIN", self.old)
        form.addRow("新 PIN", self.new)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class RetentionDialog(QDialog):
    """Keep notes N days / keep calls N days; a dry run says what a purge would remove."""

    def __init__(self, flows: LeadFlows, policy: RetentionPolicy, parent: QWidget | None) -> None:
        from PySide6.QtWidgets import QLabel, QPushButton

        super().__init__(parent)
        self.flows = flows
        self.setWindowTitle("数据保留与清理")
        self.notes_days = QSpinBox()
        self.calls_days = QSpinBox()
        for spin, value in (
            (self.notes_days, policy.notes_days),
            (self.calls_days, policy.calls_days),
        ):
            spin.setRange(0, 3650)
            spin.setSuffix(" 天")
            spin.setSpecialValueText("永久保留")
            spin.setValue(value)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("清理结果")
        self.dry_button = QPushButton("预览（不删除）")
        self.purge_button = QPushButton("保存并立即清理")
        self.dry_button.clicked.connect(self.preview)
        self.purge_button.clicked.connect(self.apply)
        form = QFormLayout(self)
        form.addRow("备注保留", self.notes_days)
        form.addRow("通话记录保留", self.calls_days)
        form.addRow(self.dry_button, self.purge_button)
        form.addRow(self.result_label)

    def policy(self) -> RetentionPolicy:
        return RetentionPolicy(self.notes_days.value(), self.calls_days.value())

    def preview(self) -> None:
        self._start(self.flows.dry_run, "正在统计…")

    def apply(self) -> None:
        self._start(self.flows.purge_now, "正在清理…")

    def _start(self, action: Callable[..., Any], text: str) -> None:
        """Run the dry run or the purge on the task runner; the buttons wait for it."""
        self._busy(True)
        self.result_label.setText(text)
        self.handle = action(self, self.policy(), self._finished, lambda: self._busy(False))

    def _finished(self, result: PurgeResult) -> None:
        self.result_label.setText(result.message)

    def _busy(self, busy: bool) -> None:
        self.dry_button.setEnabled(not busy)
        self.purge_button.setEnabled(not busy)
