"""First run on a new data dir: the agent's own name, work number, company and time zone,
so the scripts never greet a customer as 示例科技 小王 工号1001.

It is offered beside the window, not over it: the softphone may have started the app for a
call that is ringing, and a call always comes first. While a call is on screen the set-up
steps aside, and it comes back when the desk is idle again."""

from __future__ import annotations

from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.services.settings import SettingsStore

DEFAULT_ZONE = "Asia/Shanghai"


class FirstRunDialog(QDialog):
    def __init__(self, settings: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("坐席助手：首次设置")
        self._settings = settings
        intro = QLabel("话术会用这些信息问候客户，请填写您自己的信息（之后可在 设置 中修改）。")
        intro.setWordWrap(True)
        self.agent_name = QLineEdit()
        self.agent_name.setAccessibleName("坐席姓名")
        self.agent_name.setPlaceholderText("例如：李娜")
        self.agent_id = QLineEdit()
        self.agent_id.setAccessibleName("工号")
        self.company = QLineEdit()
        self.company.setAccessibleName("公司")
        self.timezone = QLineEdit(settings.current.timezone or DEFAULT_ZONE)
        self.timezone.setAccessibleName("时区")
        self.error = QLabel("")
        self.error.setStyleSheet("color: #8a1c1c;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("姓名", self.agent_name)
        form.addRow("工号", self.agent_id)
        form.addRow("公司", self.company)
        form.addRow("时区", self.timezone)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存并开始")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("稍后设置")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        name, number = self.agent_name.text().strip(), self.agent_id.text().strip()
        company, zone = self.company.text().strip(), self.timezone.text().strip()
        missing = [
            label
            for label, value in (("姓名", name), ("工号", number), ("公司", company))
            if not value
        ]
        if missing:
            self.error.setText("请填写：" + "、".join(missing))
            return
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            self.error.setText(f"时区「{zone}」无效，例如 Asia/Shanghai")
            return
        self._settings.update(agent_name=name, agent_id=number, company=company, timezone=zone)
        self.accept()


class _Workspace(Protocol):
    current: object | None
    current_call_changed: SignalInstance


def offer_first_run(
    settings: SettingsStore, window: QWidget, workspace: _Workspace
) -> FirstRunDialog:
    """Show the set-up, not modal; hidden while a call is on screen, shown again once the
    workspace is idle, until it is saved or put off (稍后设置)."""
    dialog = FirstRunDialog(settings, window)
    dialog.setModal(False)
    answered = [False]

    def on_call(call: object | None) -> None:
        if answered[0]:
            return
        if call is None:
            if not dialog.isVisible():  # once: an idle desk re-rendered takes no focus again
                dialog.show()
                dialog.raise_()
        else:
            dialog.hide()

    def finished() -> None:
        answered[0] = True
        workspace.current_call_changed.disconnect(on_call)

    dialog.finished.connect(finished)
    workspace.current_call_changed.connect(on_call)
    on_call(workspace.current)
    return dialog
