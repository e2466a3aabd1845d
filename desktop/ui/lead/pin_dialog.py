"""The lead PIN dialog (set on first use / enter / locked out with the wait counting down) and
the gate every lead action goes through: `require_lead(parent, action)`.

scrypt takes ~50 ms, so checking a PIN runs on the task runner when one is given; the dialog
stays responsive meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.services.lead.pin import LeadSession, PinError, UnlockResult, format_wait

IDLE_CHECK_MS = 15_000


class PinDialog(QDialog):
    """Set the first PIN (twice), or enter it; shows the lock-out wait and counts it down."""

    def __init__(
        self,
        session: LeadSession,
        action: str,
        parent: QWidget | None = None,
        run_in_background: Callable | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._run = run_in_background
        self.setting = session.needs_setup
        self.setWindowTitle("设置组长 PIN" if self.setting else "组长模式")
        self.setAccessibleName("组长 PIN")
        intro = (
            f"“{action}”需要组长权限。首次使用，请设置组长 PIN（至少 6 位数字或密码）。"
            if self.setting
            else f"“{action}”需要组长权限，请输入组长 PIN。"
        )
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName("PIN")
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName("确认 PIN")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.setAccessibleName("提示")
        note = QLabel("PIN 只用于让坐席无法进入组长视图，并不加密数据文件。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        form = QFormLayout()
        form.addRow("PIN", self.pin)
        if self.setting:
            form.addRow("再次输入", self.confirm)
        else:
            self.confirm.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._show_wait)
        self._busy = False
        self._show_wait()

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _show_wait(self) -> None:
        wait = 0 if self.setting else self.session.pin.wait_seconds()
        if wait:
            self.message.setText(f"尝试次数过多，请在 {format_wait(wait)} 后重试")
            self.ok_button.setEnabled(False)
            self.pin.setEnabled(False)
            if not self._countdown.isActive():
                self._countdown.start()
            return
        if self._countdown.isActive():
            self._countdown.stop()
            self.message.setText("")
        self.ok_button.setEnabled(not self._busy)
        self.pin.setEnabled(not self._busy)

    def _submit(self) -> None:
        pin = self.pin.text()
        if self.setting:
            if pin != self.confirm.text():
                self.message.setText("两次输入的 PIN 不一致")
                return
            try:
                self.session.set_first_pin(pin)
            except PinError as exc:
                self.message.setText(str(exc))
                return
            self.accept()
            return
        self._busy = True
        self._show_wait()
        if self._run is None:
            self._checked(self.session.unlock(pin))
            return

        def done(future: Future) -> None:
            try:
                result = self.session.apply_check(bool(future.result()))
            except Exception as exc:  # a database error: say so, stay open
                self.message.setText(f"无法检查 PIN：{exc}")
                self._busy = False
                self._show_wait()
                return
            self._checked(result)

        stored = self.session.pin.stored_hash()
        self._run(lambda: self.session.pin.matches(pin, stored or ""), done)

    def _checked(self, result: UnlockResult) -> None:
        self._busy = False
        if result.ok:
            self.accept()
            return
        self.pin.clear()
        self.message.setText(result.message)
        self._show_wait()
        self.pin.setFocus()


class LeadGate(QObject):
    """Holds the LeadSession for the UI: `require(parent, action)` asks for the PIN when lead
    mode is closed; `locked` fires when it closes (by idle time or by hand). Watched widgets
    keep it open while the lead uses them."""

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        session: LeadSession,
        run_in_background: Callable | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._run = run_in_background
        self._was_unlocked = False
        self._idle = QTimer(self)
        self._idle.setInterval(IDLE_CHECK_MS)
        self._idle.timeout.connect(self.check_idle)
        self._idle.start()

    def require(self, parent: QWidget | None, action: str) -> bool:
        if self.session.unlocked:
            self.session.touch()
            self._was_unlocked = True
            return True
        dialog = PinDialog(self.session, action, parent, self._run)
        ok = dialog.exec() == QDialog.DialogCode.Accepted and self.session.unlocked
        if ok:
            self._was_unlocked = True
            self.unlocked.emit()
        return ok

    def lock(self) -> None:
        self.session.lock()
        self.check_idle()

    def check_idle(self) -> None:
        if self._was_unlocked and not self.session.unlocked:
            self._was_unlocked = False
            self.locked.emit()

    def watch(self, widget: QWidget) -> None:
        """Keyboard and mouse use inside `widget` counts as lead activity."""
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress):
            self.session.touch()
        return False


def require_lead(parent: QWidget | None, action: str, gate: LeadGate | None = None) -> bool:
    """True when lead mode is open (asking for the PIN if needed). `gate` defaults to the one
    the app registered on the parent's window (`window().lead_gate`)."""
    if gate is None:
        window = parent.window() if parent is not None else None
        gate = getattr(window, "lead_gate", None)
    if gate is None:
        raise RuntimeError("no LeadGate: the app registers one as window.lead_gate")
    return gate.require(parent, action)
