"""The reminders list (已逾期 / 到期 / 即将) with its actions, and the "新建提醒" form.

A thin view: it renders `ReminderService.list_view()` and calls the service; errors come back
as ReminderError and are shown inline. Every follow-up question (snooze how long, the result,
the new time, the reason to cancel) is asked in an inline editor, never a modal dialog, so a
call in progress is never blocked. Everything is reachable from the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.changes import OpChanges
from desktop.core.clock import Clock
from desktop.core.reminders import (
    BUCKET_LABELS,
    KIND_LABELS,
    QUICK_PICKS,
    Reminder,
    ReminderError,
    local_time_text,
    local_to_utc,
    utc_to_local,
)
from desktop.services.reminders import ReminderService
from desktop.services.settings import SettingsStore
from desktop.ui.change_hub import ChangeHub
from desktop.ui.reminders.text import due_text, kind_text, phone_text
from desktop.ui.time_edit import get_wall, set_wall, wall_edit

REFRESH_MS = 30_000  # relative times ("15 分钟后") stay current
ID_ROLE = Qt.ItemDataRole.UserRole
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("类型", "时间", "客户", "电话", "备注")
BUCKET_COLORS = {"overdue": "#b00020", "due": "#a05a00", "upcoming": ""}


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
        self._reminders: dict[str, Reminder] = {}
        self._call: tuple[str, str, str] | None = None  # call id, phone, customer name
        self._editing: tuple[str, str] | None = None  # mode, reminder id
        self.setObjectName("remindersPanel")
        title = QLabel("跟进提醒")
        title.setObjectName("panelTitle")
        self.summary = QLabel("")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.summary)
        layout.addLayout(header)
        layout.addWidget(self._build_form())
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("提醒列表")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.currentItemChanged.connect(self._update_actions)
        self.tree.itemActivated.connect(lambda *_: self._open_call())
        layout.addWidget(self.tree, 1)
        layout.addLayout(self._build_actions())
        layout.addWidget(self._build_editor())
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("提醒状态")
        layout.addWidget(self.status)

        self._hub = hub or ChangeHub(service.bus, self)
        self._hub.changed.connect(self._on_changes)
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self.set_current_call(None)
        self.refresh()

    # ---- building ----------------------------------------------------------------------
    def _build_form(self) -> QWidget:
        box = QFrame()
        box.setObjectName("newReminder")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        self.kind = QComboBox()
        self.kind.setAccessibleName("提醒类型")
        for key, label in KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.pick = QComboBox()
        self.pick.setAccessibleName("提醒时间")
        for key, label in QUICK_PICKS:
            self.pick.addItem(label, key)
        self.pick.currentIndexChanged.connect(self._pick_changed)
        self.custom_time = _time_edit("自定义提醒时间")
        self.custom_time.dateTimeChanged.connect(self._update_preview)
        self.preview = QLabel("")
        self.preview.setAccessibleName("提醒时间预览")
        self.bound = QLabel("")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("客户电话")
        self.phone.setAccessibleName("客户电话")
        self.customer = QLineEdit()
        self.customer.setPlaceholderText("客户姓名")
        self.customer.setAccessibleName("客户姓名")
        self.note = QLineEdit()
        self.note.setPlaceholderText("备注，如：告知退款进度（回车新建）")
        self.note.setAccessibleName("提醒备注")
        self.note.returnPressed.connect(self.create_reminder)
        self.create_button = QPushButton("新建提醒")
        self.create_button.setAccessibleName("新建提醒")
        self.create_button.setToolTip("新建提醒（Alt+N 跳到备注）")
        self.create_button.clicked.connect(self.create_reminder)
        first = QHBoxLayout()
        for widget in (QLabel("新建"), self.kind, self.pick, self.custom_time, self.preview):
            first.addWidget(widget)
        first.addStretch(1)
        second = QHBoxLayout()
        for part in (self.bound, self.phone, self.customer):
            second.addWidget(part)
        third = QHBoxLayout()
        third.addWidget(self.note, 1)
        third.addWidget(self.create_button)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 4, 6, 4)
        for row in (first, second, third):
            layout.addLayout(row)
        self._shortcut("Alt+N", self.focus_new_reminder)
        return box

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        specs: list[tuple[str, str, Callable[[], None]]] = [
            ("立即回电", "Alt+B", self._call_back),
            ("稍后提醒", "Alt+L", lambda: self._edit("snooze")),
            ("完成", "Alt+D", lambda: self._edit("done")),
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
            self.action_buttons[text] = button
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _build_editor(self) -> QWidget:
        self.editor = QFrame()
        self.editor.setObjectName("reminderEditor")
        self.editor_label = QLabel("")
        self.snooze_buttons: dict[str, QPushButton] = {}
        for text, minutes in (("10 分钟", 10), ("1 小时", 60)):
            button = QPushButton(text)
            button.setAccessibleName(f"稍后 {text}")
            button.clicked.connect(lambda _=False, m=minutes: self._snooze(m))
            self.snooze_buttons[text] = button
        custom = QPushButton("自定义…")
        custom.setAccessibleName("稍后 自定义")
        custom.clicked.connect(lambda: self._edit("snooze_until", self._editing_id()))
        self.snooze_buttons["自定义…"] = custom
        self.editor_text = QLineEdit()
        self.editor_text.returnPressed.connect(self._confirm)
        self.editor_time = _time_edit("提醒新时间")
        self.editor_ok = QPushButton("确定")
        self.editor_ok.setAccessibleName("确定")
        self.editor_ok.clicked.connect(self._confirm)
        close = QPushButton("放弃")
        close.setAccessibleName("放弃")
        close.clicked.connect(self.close_editor)
        layout = QHBoxLayout(self.editor)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor_label)
        for button in self.snooze_buttons.values():
            layout.addWidget(button)
        for widget in (self.editor_text, self.editor_time, self.editor_ok, close):
            layout.addWidget(widget)
        escape = QShortcut(QKeySequence("Esc"), self.editor)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_editor)
        self.editor.hide()
        return self.editor

    def _shortcut(self, keys: str, slot: Callable[[], None]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # ---- public ------------------------------------------------------------------------
    def set_current_call(
        self, call_id: str | None, phone: str = "", customer_name: str = ""
    ) -> None:
        """Bind "新建提醒" to the call on screen (None: a reminder typed in by hand)."""
        self._call = (call_id, phone, customer_name) if call_id else None
        bound = self._call is not None
        if bound:
            who = " ".join(
                p for p in (customer_name, phone_text(phone, self._settings.current)) if p
            )
            self.bound.setText(f"关联当前通话：{who or '未知来电'}")
        self.bound.setVisible(bound)
        self.phone.setVisible(not bound)
        self.customer.setVisible(not bound)

    def focus_new_reminder(self) -> None:
        self.note.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        """Relative times ("15 分钟后") stay current while the list is on screen; a hidden
        panel reads nothing."""
        super().showEvent(event)
        self._timer.start()
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
        tz = self._service.timezone()
        settings = self._settings.current
        self._reminders = {}
        self.tree.clear()
        groups = (
            ("overdue", listing.overdue),
            ("due", listing.due),
            ("upcoming", listing.upcoming),
        )
        select: QTreeWidgetItem | None = None
        for bucket, reminders in groups:
            if not reminders:
                continue
            more = listing.more_upcoming if bucket == "upcoming" else 0
            group = QTreeWidgetItem([f"{BUCKET_LABELS[bucket]}（{len(reminders) + more}）"])
            group.setData(0, GROUP_ROLE, bucket)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(group)
            color = BUCKET_COLORS[bucket]
            for reminder in reminders:
                self._reminders[reminder.id] = reminder
                item = QTreeWidgetItem(
                    [
                        kind_text(reminder),
                        due_text(reminder, listing.now, tz),
                        reminder.customer_name or "—",
                        phone_text(reminder.phone, settings),
                        reminder.note,
                    ]
                )
                item.setData(0, ID_ROLE, reminder.id)
                item.setToolTip(4, _tooltip(reminder))
                if color:
                    for column in range(len(COLUMNS)):
                        item.setForeground(column, QBrush(QColor(color)))
                group.addChild(item)
                if reminder.id == selected:
                    select = item
            if more:
                tail = QTreeWidgetItem([f"另有 {more} 条更晚的提醒"])
                tail.setFlags(Qt.ItemFlag.ItemIsEnabled)
                tail.setFirstColumnSpanned(True)
                group.addChild(tail)
        self.tree.expandAll()
        if select is not None:
            self.tree.setCurrentItem(select)
        if self.tree.topLevelItemCount() == 0:
            empty = QTreeWidgetItem(["暂无待办提醒"])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            empty.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(empty)
        late = len(listing.overdue)
        self.summary.setText(f"逾期 {late} 条" if late else "")
        self.summary.setStyleSheet("color: #b00020;" if late else "")
        if self._editing and self._editing[1] not in self._reminders:
            self.close_editor()
        self._update_actions()
        self._update_preview()

    def selected_id(self) -> str | None:
        item = self.tree.currentItem()
        value = item.data(0, ID_ROLE) if item is not None else None
        return str(value) if value else None

    def row(self, reminder_id: str) -> QTreeWidgetItem | None:
        """The list row showing `reminder_id`, if it is listed."""
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount() if group is not None else 0):
                child = group.child(j) if group is not None else None
                if child is not None and child.data(0, ID_ROLE) == reminder_id:
                    return child
        return None

    def group_of(self, reminder_id: str) -> str | None:
        """The group ("overdue", "due", "upcoming") a reminder is listed under, if any."""
        item = self.row(reminder_id)
        group = item.parent() if item is not None else None
        return group.data(0, GROUP_ROLE) if group is not None else None

    def select_reminder(self, reminder_id: str) -> bool:
        item = self.row(reminder_id)
        if item is not None:
            self.tree.setCurrentItem(item)
        return item is not None

    def begin_done(self, reminder_id: str) -> None:
        """Ask for the result of `reminder_id` inline (used by the alert's 完成)."""
        if self.select_reminder(reminder_id):
            self._edit("done")

    # ---- creating ----------------------------------------------------------------------
    def _pick_changed(self) -> None:
        custom = self.pick.currentData() == "custom"
        if custom:
            start = self._clock.now() + timedelta(hours=1)
            _set_local(self.custom_time, utc_to_local(start, self._service.timezone()))
        self.custom_time.setVisible(custom)
        self._update_preview()

    def _planned_due(self) -> datetime:
        custom = _get_local(self.custom_time) if self.pick.currentData() == "custom" else None
        return self._service.quick_pick_due(self.pick.currentData(), custom)

    def _update_preview(self) -> None:
        try:
            due = self._planned_due()
        except ReminderError:
            self.preview.setText("")
            return
        self.preview.setText(
            "→ " + local_time_text(due, self._clock.now(), self._service.timezone())
        )

    def create_reminder(self) -> None:
        call_id, phone, name = self._call or (None, self.phone.text(), self.customer.text())
        try:
            due = self._planned_due()
            reminder = self._service.create_manual(
                call_id, self.kind.currentData(), due, self.note.text(), phone, name
            )
        except ReminderError as error:
            self._say(str(error), error=True)
            return
        self.note.clear()
        if self._call is None:
            self.phone.clear()
            self.customer.clear()
        when = local_time_text(reminder.due_at, self._clock.now(), self._service.timezone())
        self._say(f"已新建{kind_text(reminder)}提醒：{when}")

    # ---- actions -----------------------------------------------------------------------
    def _update_actions(self, *_: object) -> None:
        reminder = self._reminders.get(self.selected_id() or "")
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
        reminder = self._reminders.get(self.selected_id() or "")
        if reminder and reminder.call_id:
            self.open_call_requested.emit(reminder.call_id)
        elif reminder:
            self._say("该提醒没有关联的通话记录（可能已删除）。", error=True)

    def _editing_id(self) -> str | None:
        return self._editing[1] if self._editing else None

    def _edit(self, mode: str, reminder_id: str | None = None) -> None:
        reminder_id = reminder_id or self.selected_id()
        if not reminder_id:
            return
        self._editing = (mode, reminder_id)
        reminder = self._reminders.get(reminder_id)
        tz = self._service.timezone()
        text_prompt = {
            "done": ("结果：", "如：已回电，客户同意换货"),
            "cancel": ("取消原因：", "必填"),
        }
        labels = {"snooze": "稍后提醒：", "snooze_until": "提醒时间：", "reschedule": "改到："}
        self.editor_label.setText(text_prompt[mode][0] if mode in text_prompt else labels[mode])
        for button in self.snooze_buttons.values():
            button.setVisible(mode == "snooze")
        self.editor_text.setVisible(mode in text_prompt)
        self.editor_text.clear()
        if mode in text_prompt:
            self.editor_text.setPlaceholderText(text_prompt[mode][1])
            self.editor_text.setAccessibleName(text_prompt[mode][0].rstrip("："))
        timed = mode in ("snooze_until", "reschedule")
        self.editor_time.setVisible(timed)
        if timed:
            base = reminder.due_at if reminder and mode == "reschedule" else self._clock.now()
            start = max(base, self._clock.now()) + timedelta(hours=1)
            _set_local(self.editor_time, utc_to_local(start, tz))
        self.editor_ok.setVisible(mode != "snooze")
        self.editor.show()
        focus = {
            "snooze": self.snooze_buttons["10 分钟"],
            "done": self.editor_text,
            "cancel": self.editor_text,
        }.get(mode, self.editor_time)
        focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_editor(self) -> None:
        self._editing = None
        self.editor.hide()

    def _confirm(self) -> None:
        if not self._editing:
            return
        mode, reminder_id = self._editing
        service = self._service
        if mode == "done":
            self._run(lambda: service.done(reminder_id, self.editor_text.text()), "已完成")
        elif mode == "cancel":
            self._run(lambda: service.cancel(reminder_id, self.editor_text.text()), "已取消")
        elif mode in ("snooze_until", "reschedule"):
            when = local_to_utc(_get_local(self.editor_time), self._service.timezone())
            if mode == "reschedule":
                self._run(lambda: service.reschedule(reminder_id, when), "已改期到")
            else:
                self._run(lambda: service.snooze(reminder_id, until=when), "将再次提醒于")

    def _snooze(self, minutes: int) -> None:
        reminder_id = self._editing_id()
        if reminder_id:
            self._run(lambda: self._service.snooze(reminder_id, minutes), "将再次提醒于")

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


def _time_edit(name: str) -> QDateTimeEdit:
    edit = wall_edit(name)
    edit.hide()
    return edit


def _set_local(edit: QDateTimeEdit, wall: datetime) -> None:
    set_wall(edit, wall)


def _get_local(edit: QDateTimeEdit) -> datetime:
    return get_wall(edit)


def _tooltip(reminder: Reminder) -> str:
    parts = [reminder.note, "通话记录：" + reminder.call_notes if reminder.call_notes else ""]
    return "\n".join(p for p in parts if p)
