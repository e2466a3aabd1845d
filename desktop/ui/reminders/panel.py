"""The reminders panel: the "新建提醒" form, the list (已逾期 / 到期 / 即将, a tree view over
`ReminderListModel`), the action buttons and the inline action editor.

A thin view: it renders `ReminderService.list_view()` and calls the service; errors come back
as ReminderError and are shown inline. Every follow-up question is asked in the inline
editor, never a modal dialog, so a call in progress is never blocked. Everything is
reachable from the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.changes import OpChanges
from desktop.core.clock import Clock
from desktop.core.reminders import Reminder, ReminderError, local_time_text
from desktop.services.reminders import ReminderService
from desktop.services.settings import SettingsStore
from desktop.ui.change_hub import ChangeHub
from desktop.ui.reminders.action_editor import ReminderActionEditor
from desktop.ui.reminders.form import NewReminderForm
from desktop.ui.reminders.list_model import COLUMNS, TIME_COLUMN, ReminderListModel
from desktop.ui.reminders.text import kind_text

REFRESH_MS = 30_000  # relative times ("15 分钟后") stay current
LISTING_FRESH_FOR = timedelta(seconds=1)  # a listing this recent is not read again on show
ACTION_COLUMNS = 3


@dataclass(frozen=True)
class ReminderRow:
    """One listed reminder's cells, read from the model."""

    model: ReminderListModel
    index: QModelIndex

    def text(self, column: int) -> str:
        return str(self.index.siblingAtColumn(column).data() or "")

    def toolTip(self, column: int) -> str:
        return str(self.index.siblingAtColumn(column).data(Qt.ItemDataRole.ToolTipRole) or "")


class RemindersPanel(QWidget):
    call_back_requested = Signal(str)  # reminder id: start a call linked to it
    open_call_requested = Signal(str)  # call id: show the customer and the call's notes

    def __init__(
        self,
        service: ReminderService,
        clock: Clock,
        settings_store: SettingsStore,
        parent: QWidget | None = None,
        *,
        refresh_ms: int = REFRESH_MS,
        hub: ChangeHub | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._clock = clock
        self._settings = settings_store
        self.setObjectName("remindersPanel")
        title = QLabel("跟进提醒")
        title.setObjectName("panelTitle")
        self.summary = QLabel("")
        self.form = NewReminderForm(service, clock, settings_store)
        self.form.message.connect(self._say)
        self.model = ReminderListModel()
        self.tree = QTreeView()
        self.tree.setAccessibleName("提醒列表")
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.selectionModel().currentChanged.connect(self._update_actions)
        self.tree.activated.connect(lambda *_: self._open_call())
        self.editor = ReminderActionEditor()
        self.editor.confirmed.connect(self._confirm)
        self.editor.snooze_chosen.connect(
            lambda rid, minutes: self._run(lambda: service.snooze(rid, minutes), "将再次提醒于")
        )
        self.editor.custom_snooze.connect(lambda rid: self._edit("snooze_until", rid))
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("提醒状态")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.summary)
        layout.addLayout(header)
        layout.addWidget(self.form)
        layout.addWidget(self.tree, 1)
        layout.addLayout(self._build_actions())
        layout.addWidget(self.editor)
        layout.addWidget(self.status)
        self._shortcut("Alt+N", self.focus_new_reminder)

        self._hub = hub or ChangeHub(service.bus, self)
        self._hub.changed.connect(self._on_changes)
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self._listed_at: datetime | None = None  # service clock of the last listing
        self.set_current_call(None)
        self.refresh()

    def hasHeightForWidth(self) -> bool:
        """A word-wrapped label makes the panel height-for-width, and a box layout then
        gives it exactly that height however short the column: the history and the
        reminders, stacked in the side column, overlapped when a banner took height."""
        return False

    # ---- the parts' widgets, by the names tests and the app use ----------------------
    @property
    def kind(self) -> QComboBox:
        return self.form.kind

    @property
    def pick(self) -> QComboBox:
        return self.form.pick

    @property
    def custom_time(self) -> QDateTimeEdit:
        return self.form.custom_time

    @property
    def preview(self) -> QLabel:
        return self.form.preview

    @property
    def bound(self) -> QLabel:
        return self.form.bound

    @property
    def phone(self) -> QLineEdit:
        return self.form.phone

    @property
    def customer(self) -> QLineEdit:
        return self.form.customer

    @property
    def note(self) -> QLineEdit:
        return self.form.note

    @property
    def create_button(self) -> QPushButton:
        return self.form.create_button

    @property
    def editor_label(self) -> QLabel:
        return self.editor.label

    @property
    def editor_text(self) -> QLineEdit:
        return self.editor.text

    @property
    def editor_time(self) -> QDateTimeEdit:
        return self.editor.time

    @property
    def editor_ok(self) -> QPushButton:
        return self.editor.ok

    @property
    def snooze_buttons(self) -> dict[str, QPushButton]:
        return self.editor.snooze_buttons

    # ---- building ----------------------------------------------------------------------
    def _build_actions(self) -> QGridLayout:
        """Two rows of three: the side column stays narrow enough that the scripts keep
        their width at 150 % scaling on a laptop screen."""
        row = QGridLayout()
        specs: list[tuple[str, str, Callable[[], None]]] = [
            ("立即回电", "Alt+B", self._call_back),
            ("稍后提醒", "Alt+L", lambda: self._edit("snooze")),
            ("提醒已办", "Alt+D", lambda: self._edit("done")),
            ("改期", "Alt+R", lambda: self._edit("reschedule")),
            ("取消提醒", "Alt+X", lambda: self._edit("cancel")),
            ("查看通话", "Alt+O", self._open_call),
        ]
        self.action_buttons: dict[str, QPushButton] = {}
        for text, keys, slot in specs:
            button = QPushButton(text)
            button.setAccessibleName(text)
            button.setToolTip(f"{text}（{keys}）")
            button.clicked.connect(slot)
            self._shortcut(keys, button.click)
            index = len(self.action_buttons)
            self.action_buttons[text] = button
            row.addWidget(button, index // ACTION_COLUMNS, index % ACTION_COLUMNS)
        row.setColumnStretch(ACTION_COLUMNS, 1)
        return row

    def _shortcut(self, keys: str, slot: Callable[[], None]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # ---- public ------------------------------------------------------------------------
    def set_current_call(
        self, call_id: str | None, phone: str = "", customer_name: str = ""
    ) -> None:
        """Bind "新建提醒" to the call on screen (None: a reminder typed in by hand)."""
        self.form.set_current_call(call_id, phone, customer_name)

    def focus_new_reminder(self) -> None:
        self.form.focus_note()

    def create_reminder(self) -> None:
        self.form.create_reminder()

    def showEvent(self, event: QShowEvent) -> None:
        """Relative times ("15 分钟后") stay current while the list is on screen; a hidden
        panel reads nothing."""
        super().showEvent(event)
        self._timer.start()
        # built and shown at once (start-up): the listing is current, do not query it again
        listed = self._listed_at
        if listed is None or self._clock.now() - listed >= LISTING_FRESH_FOR:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def _on_changes(self, changes: OpChanges, _origin: object) -> None:
        if changes.reminders or changes.settings:
            self.refresh()

    def refresh(self) -> None:
        """Re-read the list from the service, keeping the selection."""
        selected = self.selected_id()
        listing = self._service.list_view()
        self._listed_at = listing.now
        self.model.show_listing(listing, self._service.timezone(), self._settings.current)
        self.tree.expandAll()
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
            group = self.model.item(row)
            for child in range(group.rowCount()):
                if not group.child(child, 0).data(Qt.ItemDataRole.UserRole):
                    self.tree.setFirstColumnSpanned(child, group.index(), True)
        self.tree.resizeColumnToContents(TIME_COLUMN)  # "今天 09:15（15 分钟后）" never cut
        if selected:
            self.select_reminder(selected)
        late = len(listing.overdue)
        self.summary.setText(f"逾期 {late} 条" if late else "")
        self.summary.setStyleSheet("color: #b00020;" if late else "")
        editing = self.editor.editing
        if editing and editing[1] not in self.model.reminders:
            self.close_editor()
        self._update_actions()
        self.form.update_preview()

    def selected_id(self) -> str | None:
        return self.model.reminder_id(self.tree.currentIndex())

    def selected(self) -> Reminder | None:
        return self.model.reminders.get(self.selected_id() or "")

    def row(self, reminder_id: str) -> ReminderRow | None:
        """The list row showing `reminder_id`, if it is listed."""
        index = self.model.index_of(reminder_id)
        return ReminderRow(self.model, index) if index.isValid() else None

    def group_of(self, reminder_id: str) -> str | None:
        """The group ("overdue", "due", "upcoming") a reminder is listed under, if any."""
        index = self.model.index_of(reminder_id)
        return self.model.group_of(index) if index.isValid() else None

    def select_reminder(self, reminder_id: str) -> bool:
        index = self.model.index_of(reminder_id)
        if index.isValid():
            self.tree.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        return index.isValid()

    def begin_done(self, reminder_id: str) -> None:
        """Ask for the result of `reminder_id` inline (used by the alert's 提醒已办)."""
        if self.select_reminder(reminder_id):
            self._edit("done")

    def close_editor(self) -> None:
        if self.editor.editing is not None or self.editor.isVisible():
            self.editor.close_editor()

    # ---- actions -----------------------------------------------------------------------
    def _update_actions(self, *_: object) -> None:
        reminder = self.selected()
        for text, button in self.action_buttons.items():
            enabled = reminder is not None
            if text == "查看通话":
                enabled = enabled and bool(reminder and reminder.call_id)
            button.setEnabled(enabled)

    def _call_back(self) -> None:
        reminder_id = self.selected_id()
        if reminder_id:
            self.call_back_requested.emit(reminder_id)

    def _open_call(self) -> None:
        reminder = self.selected()
        if reminder and reminder.call_id:
            self.open_call_requested.emit(reminder.call_id)
        elif reminder:
            self._say("该提醒没有关联的通话记录（可能已删除）。", error=True)

    def _edit(self, mode: str, reminder_id: str | None = None) -> None:
        reminder_id = reminder_id or self.selected_id()
        if not reminder_id:
            return
        default: datetime | None = None
        if mode in ("snooze_until", "reschedule"):
            reminder = self.model.reminders.get(reminder_id)
            now = self._clock.now()
            base = reminder.due_at if reminder and mode == "reschedule" else now
            default = self._service.calendar().to_wall(max(base, now) + timedelta(hours=1))
        self.editor.open_for(mode, reminder_id, default)

    def _confirm(self, mode: str, reminder_id: str, text: str, wall: datetime | None) -> None:
        service = self._service
        if mode == "done":
            self._run(lambda: service.done(reminder_id, text), "已完成")
        elif mode == "cancel":
            self._run(lambda: service.cancel(reminder_id, text), "已取消")
        elif wall is not None:
            when = service.calendar().from_local(wall)
            if mode == "reschedule":
                self._run(lambda: service.reschedule(reminder_id, when), "已改期到")
            else:
                self._run(lambda: service.snooze(reminder_id, until=when), "将再次提醒于")

    def _run(self, action: Callable[[], Reminder], verb: str) -> None:
        try:
            reminder = action()
        except ReminderError as error:
            self._say(str(error), error=True)
            return
        self.close_editor()
        if reminder.status in ("done", "cancelled"):
            self._say(f"{verb}：{kind_text(reminder)} {reminder.customer_name or reminder.phone}")
        else:
            when = local_time_text(reminder.due_at, self._clock.now(), self._service.timezone())
            self._say(f"{verb} {when}")
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020;" if error else "color: #2e7d32;")


__all__ = ["COLUMNS", "RemindersPanel"]
