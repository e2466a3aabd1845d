"""Settings an agent or IT sets once: who the agent is (fills the scripts), the time zone
every time is shown in, office hours (moves rule-made reminders), privacy and the softphone
connection."""

from __future__ import annotations

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from desktop.core.calendar import is_known_zone, zone_choices
from desktop.services.settings import SettingsStore
from desktop.ui.softphone_bridge import parse_host_port

WEEKDAYS = "一二三四五六日"


class SettingsDialog(QDialog):
    def __init__(self, store: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("设置")
        self._store = store
        s = store.current
        self.agent_name = QLineEdit(s.agent_name)
        self.agent_id = QLineEdit(s.agent_id)
        self.company = QLineEdit(s.company)
        self.hotline = QLineEdit(s.hotline)
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.setAccessibleName("时区")
        self.timezone.addItems(zone_choices())
        self.timezone.setCurrentText(s.timezone)
        self.timezone.setToolTip("界面显示的时间、提醒和上班时间都按这个时区，而不是电脑的时区")
        self.office_start = QTimeEdit(QTime.fromString(s.office_start, "HH:mm"))
        self.office_end = QTimeEdit(QTime.fromString(s.office_end, "HH:mm"))
        for edit in (self.office_start, self.office_end):
            edit.setDisplayFormat("HH:mm")
        days = {d.strip() for d in s.office_days.split(",")}
        self.days = [QCheckBox(f"周{name}") for name in WEEKDAYS]
        for number, box in enumerate(self.days, start=1):
            box.setChecked(str(number) in days)
        self.grace = QSpinBox()
        self.grace.setRange(0, 240)
        self.grace.setSuffix(" 分钟")
        self.grace.setValue(s.grace_minutes)
        self.mask_numbers = QCheckBox("界面中隐藏号码中间几位（138****8000）")
        self.mask_numbers.setChecked(s.mask_numbers)
        self.baresip = QLineEdit(s.baresip)
        self.baresip.setPlaceholderText("例如 127.0.0.1:4444（留空则不连接）")
        self.error = QLabel("")
        self.error.setStyleSheet("color: #8a1c1c;")
        form = QFormLayout(self)
        form.addRow("坐席姓名", self.agent_name)
        form.addRow("工号", self.agent_id)
        form.addRow("公司", self.company)
        form.addRow("服务热线", self.hotline)
        form.addRow("时区", self.timezone)
        form.addRow("上班时间", self.office_start)
        form.addRow("下班时间", self.office_end)
        day_row = QWidget()
        day_layout = QHBoxLayout(day_row)
        day_layout.setContentsMargins(0, 0, 0, 0)
        for box in self.days:
            day_layout.addWidget(box)
        form.addRow("工作日", day_row)
        form.addRow("回电宽限", self.grace)
        form.addRow("隐私", self.mask_numbers)
        form.addRow("baresip 地址（重启后生效）", self.baresip)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, object]:
        return {
            "agent_name": self.agent_name.text().strip(),
            "agent_id": self.agent_id.text().strip(),
            "company": self.company.text().strip(),
            "hotline": self.hotline.text().strip(),
            "timezone": self.timezone.currentText().strip(),
            "office_start": self.office_start.time().toString("HH:mm"),
            "office_end": self.office_end.time().toString("HH:mm"),
            "office_days": ",".join(
                str(n) for n, b in enumerate(self.days, start=1) if b.isChecked()
            ),
            "grace_minutes": self.grace.value(),
            "mask_numbers": self.mask_numbers.isChecked(),
            "baresip": self.baresip.text().strip(),
        }

    def save(self) -> None:
        """Validate, store, close; a bad value is named and nothing is stored."""
        values = self.values()
        if not values["agent_name"]:
            self.error.setText("请填写坐席姓名（话术中会用到）。")
            return
        if not is_known_zone(str(values["timezone"])):
            self.error.setText(f"未知的时区：{values['timezone']}（例如 Asia/Shanghai）。")
            return
        if str(values["office_start"]) >= str(values["office_end"]):  # both "HH:mm"
            self.error.setText("下班时间应晚于上班时间。")
            return
        if values["baresip"]:
            try:
                parse_host_port(str(values["baresip"]))
            except ValueError as exc:
                self.error.setText(str(exc))
                return
        changed = {k: v for k, v in values.items() if getattr(self._store.current, k) != v}
        if changed:
            self._store.update(**changed)
        self.accept()
