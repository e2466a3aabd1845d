"""The top strip: call state, caller, masked number (shown in full on demand), talk and
wrap-up timers, and the lifecycle buttons with their shortcuts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.core.calls import STATUS_LABELS, Call, OpenCall
from desktop.core.clock import parse_iso
from desktop.core.privacy import mask_number


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class CallBar(QWidget):
    new_call_requested = Signal()
    answer_requested = Signal()
    end_requested = Signal()
    switch_requested = Signal(str)  # call id

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self._call: Call | None = None
        self._reveal = False
        self.mask_numbers = True
        self._listed: list[tuple[str, str, str, bool]] = []  # open-calls rows shown, as keyed
        self.state = QLabel("空闲")
        self.state.setObjectName("callState")
        self.caller = QLabel("")
        self.number = QPushButton("")
        self.number.setFlat(True)
        self.number.setToolTip("点击显示/隐藏完整号码")
        self.number.setAccessibleName("来电号码")
        self.number.clicked.connect(self._toggle_reveal)
        self.talk = QLabel("")
        self.talk.setAccessibleName("通话计时")
        self.wrap = QLabel("")
        self.wrap.setAccessibleName("话后计时")
        self.open_calls = QComboBox()
        self.open_calls.setAccessibleName("未结束的通话")
        self.open_calls.setToolTip("未结束的通话（切换）")
        self.open_calls.activated.connect(
            lambda i: self.switch_requested.emit(self.open_calls.itemData(i))
        )
        self.new_button = QPushButton("新来电 Ctrl+N")
        self.new_button.clicked.connect(self.new_call_requested)
        self.answer_button = QPushButton("接听 Ctrl+Shift+A")
        self.answer_button.clicked.connect(self.answer_requested)
        self.end_button = QPushButton("挂断/话后 Ctrl+E")
        self.end_button.clicked.connect(self.end_requested)
        self.stored_name = QLabel("")  # the customer file's name when the softphone's differs
        self.stored_name.setAccessibleName("档案姓名")
        self.stored_name.setStyleSheet("color: #555;")
        self.stored_name.hide()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        layout = self._top = QHBoxLayout()
        self._second = QHBoxLayout()  # compact: the lifecycle buttons get their own row
        outer.addLayout(layout)
        outer.addLayout(self._second)
        for widget in (self.state, self.caller, self.stored_name, self.number, self.talk):
            layout.addWidget(widget)
        layout.addWidget(self.wrap)
        layout.addStretch(1)
        layout.addWidget(self.open_calls)
        for widget in (self.new_button, self.answer_button, self.end_button):
            layout.addWidget(widget)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh_timers)
        self._timer.start()

    def show_call(self, call: Call | None, open_calls: Sequence[OpenCall]) -> None:
        if call is None or self._call is None or call.id != self._call.id:
            self._reveal = False
        self._call = call
        self.state.setText(STATUS_LABELS.get(call.status, call.status) if call else "空闲")
        self.state.setProperty("status", call.status if call else "idle")
        self.caller.setText(call.caller_name if call else "")
        self._show_number()
        self.answer_button.setEnabled(bool(call and call.status == "ringing"))
        self.end_button.setEnabled(bool(call and call.status in ("ringing", "active")))
        self.open_calls.blockSignals(True)
        self._list_open_calls(open_calls)
        if call is not None:
            self.open_calls.setCurrentIndex(max(0, self.open_calls.findData(call.id)))
        self.open_calls.setVisible(len(open_calls) > 1)
        self.open_calls.blockSignals(False)
        self.refresh_timers()

    def _list_open_calls(self, open_calls: Sequence[OpenCall]) -> None:
        """Rows kept where they are unchanged: a burst of rings only appends its new calls
        (rebuilding all of them grew with every open call)."""
        box = self.open_calls
        rows = [(c.id, c.status, c.phone, self._masked) for c in open_calls]
        shown = self._listed
        same = 0
        limit = min(len(rows), len(shown))
        while same < limit and rows[same] == shown[same]:
            same += 1
        while box.count() > same:
            box.removeItem(box.count() - 1)
        for call_id, status, phone, _masked in rows[same:]:
            label = f"{STATUS_LABELS.get(status, '')} {self._format(phone) or '无号码'}"
            box.addItem(label, call_id)
        self._listed = rows

    def set_compact(self, compact: bool) -> None:
        target = self._second if compact else self._top
        for widget in (self.new_button, self.answer_button, self.end_button):
            target.addWidget(widget)

    def set_stored_name(self, stored: str) -> None:
        """Show the customer file's name beside the softphone's caller name when they differ
        (the softphone's is never silently replaced)."""
        caller = self._call.caller_name if self._call else ""
        differs = bool(stored and caller and stored.strip() != caller.strip())
        self.stored_name.setText(f"（档案：{stored}）" if differs else "")
        self.stored_name.setVisible(differs)
        if stored and not caller and self._call is not None:
            self.caller.setText(stored)

    @property
    def _masked(self) -> bool:
        return self.mask_numbers and not self._reveal

    def _format(self, phone: str) -> str:
        return mask_number(phone) if self._masked else phone

    def _show_number(self) -> None:
        phone = self._call.phone if self._call else ""
        self.number.setText(self._format(phone) if phone else ("无号码" if self._call else ""))
        self.number.setEnabled(bool(phone))

    def _toggle_reveal(self) -> None:
        self._reveal = not self._reveal
        self._show_number()

    def refresh_timers(self) -> None:
        call = self._call
        if call is None:
            self.talk.setText("")
            self.wrap.setText("")
            return
        now = self._now()
        if call.answered_at:
            end = parse_iso(call.ended_at) if call.ended_at else now
            self.talk.setText(
                f"通话 {_duration((end - parse_iso(call.answered_at)).total_seconds())}"
            )
        elif call.status == "ringing":
            self.talk.setText(
                f"振铃 {_duration((now - parse_iso(call.started_at)).total_seconds())}"
            )
        else:
            self.talk.setText("")
        if call.ended_at and call.status in ("wrap_up", "completed"):
            end = parse_iso(call.completed_at) if call.completed_at else now
            self.wrap.setText(f"话后 {_duration((end - parse_iso(call.ended_at)).total_seconds())}")
        else:
            self.wrap.setText("")

    def stop(self) -> None:
        self._timer.stop()
