"""The "新建提醒" form: kind, a quick pick of the time (or a custom one), the contact when no
call is on screen, and the note; Enter in the note creates it."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.clock import Clock
from desktop.core.reminders import KIND_LABELS, QUICK_PICKS, ReminderError, local_time_text
from desktop.services.reminders import ReminderService
from desktop.services.settings import SettingsStore
from desktop.ui.local_stack import LocalStack
from desktop.ui.reminders.text import kind_text, phone_text
from desktop.ui.time_edit import get_wall, set_wall, wall_edit


class NewReminderForm(QFrame):
    message = Signal(str, bool)  # text, is an error

    def __init__(
        self, service: ReminderService, clock: Clock, settings_store: SettingsStore
    ) -> None:
        super().__init__()
        self._service = service
        self._clock = clock
        self._settings = settings_store
        self._call: tuple[str, str, str] | None = None  # call id, phone, customer name
        self.setObjectName("newReminder")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.kind = QComboBox()
        self.kind.setAccessibleName("提醒类型")
        for key, label in KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.pick = QComboBox()
        self.pick.setAccessibleName("提醒时间")
        for key, label in QUICK_PICKS:
            self.pick.addItem(label, key)
        self.pick.currentIndexChanged.connect(self._pick_changed)
        self.custom_time = wall_edit("自定义提醒时间")
        self.custom_time.hide()
        self.custom_time.dateTimeChanged.connect(self.update_preview)
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
        contact = QWidget()  # typed in by hand when no call is on screen
        contact_row = QHBoxLayout(contact)
        contact_row.setContentsMargins(0, 0, 0, 0)
        contact_row.addWidget(self.phone)
        contact_row.addWidget(self.customer)
        # the bound line or the contact fields, switched when a call comes or goes (a ring)
        # without laying out the whole window
        self._contact_fields = contact
        self._contact = LocalStack(contact, self.bound)
        second = QHBoxLayout()
        second.addWidget(self._contact)
        third = QHBoxLayout()
        third.addWidget(self.note, 1)
        third.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        for row in (first, second, third):
            layout.addLayout(row)

    def set_current_call(self, call_id: str | None, phone: str = "", name: str = "") -> None:
        """Bind the form to the call on screen (None: a reminder typed in by hand)."""
        self._call = (call_id, phone, name) if call_id else None
        bound = self._call is not None
        if bound:
            who = " ".join(p for p in (name, phone_text(phone, self._settings.current)) if p)
            self.bound.setText(f"关联当前通话：{who or '未知来电'}")
        self._contact.set_current(self.bound if bound else self._contact_fields)

    def focus_note(self) -> None:
        self.note.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _pick_changed(self) -> None:
        custom = self.pick.currentData() == "custom"
        if custom:
            start = self._clock.now() + timedelta(hours=1)
            set_wall(self.custom_time, self._service.calendar().to_wall(start))
        self.custom_time.setVisible(custom)
        self.update_preview()

    def _planned_due(self) -> datetime:
        custom = get_wall(self.custom_time) if self.pick.currentData() == "custom" else None
        return self._service.quick_pick_due(self.pick.currentData(), custom)

    def update_preview(self) -> None:
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
            self.message.emit(str(error), True)
            return
        self.note.clear()
        if self._call is None:
            self.phone.clear()
            self.customer.clear()
        when = local_time_text(reminder.due_at, self._clock.now(), self._service.timezone())
        self.message.emit(f"已新建{kind_text(reminder)}提醒：{when}", False)
