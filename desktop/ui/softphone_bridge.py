"""Brings softphone events to the GUI thread: the hook's spool (poked over the local socket,
plus a safety-net timer) and, when configured, baresip's ctrl_tcp. Worker threads only emit
signals; the database is touched here, on the GUI thread that owns it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.call_events import CallEvent
from desktop.core.calls import Call
from desktop.services.softphone.baresip_client import BaresipClient
from desktop.services.softphone.events import SoftphoneEvents
from desktop.services.softphone.ipc import IpcServer
from desktop.services.softphone.spool import EventSpool

log = logging.getLogger(__name__)
SPOOL_POLL_MS = 1500
DEFAULT_BARESIP_PORT = 4444


def parse_host_port(text: str) -> tuple[str, int]:
    """ "HOST:PORT", "HOST" or ":PORT"; loopback and 4444 when left out."""
    host, _, port = text.strip().rpartition(":") if ":" in text else (text.strip(), "", "")
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port) if port else DEFAULT_BARESIP_PORT
    except ValueError:
        raise ValueError(f"baresip 地址无效：{text}（应为 主机:端口）") from None
    if not 0 < number < 65536:
        raise ValueError(f"baresip 端口无效：{number}")
    return host, number


def status_text(status: str) -> str:
    if status == "connected":
        return "软电话：已连接"
    if status.startswith("reconnecting in "):
        return f"软电话：{status.removeprefix('reconnecting in ')}后重连"
    return {"disconnected": "软电话：未连接", "stopped": "软电话：已停止"}.get(status, status)


class SoftphoneBridge(QObject):
    call_event = Signal(object, object)  # CallEvent, Call (the call it applied to)
    status_changed = Signal(str)
    raise_requested = Signal()
    _from_thread = Signal(object)  # CallEvent or an IPC message dict, crossing to the GUI thread
    _status_from_thread = Signal(str)

    def __init__(self, data_dir: Path, events: SoftphoneEvents, baresip: str = "") -> None:
        super().__init__()
        self._events = events
        self._spool = EventSpool.in_dir(data_dir)
        self._ipc = IpcServer(data_dir, self._from_thread.emit)
        self._from_thread.connect(self._on_thread_item)
        self._status_from_thread.connect(lambda s: self.status_changed.emit(status_text(s)))
        self._timer = QTimer(self)
        self._timer.setInterval(SPOOL_POLL_MS)
        self._timer.timeout.connect(self._poll_spool)
        self.baresip: BaresipClient | None = None
        self._config_error = ""
        if baresip:
            try:
                host, port = parse_host_port(baresip)
            except ValueError as exc:  # a bad address must not stop the app: say so instead
                log.warning("%s", exc)
                self._config_error = f"软电话：{exc}"
                return
            self.baresip = BaresipClient(
                host, port, on_event=self._from_thread.emit, on_status=self._status_from_thread.emit
            )

    def start(self) -> None:
        """IPC first, then one drain: an event spooled in between is still drained."""
        self._ipc.start()
        self.drain()
        self._timer.start()
        if self.baresip is not None:
            self.baresip.start()
        else:
            self.status_changed.emit(self._config_error or "软电话：命令行挂钩")

    def stop(self) -> None:
        self._timer.stop()
        self._ipc.stop()
        if self.baresip is not None:
            self.baresip.stop()

    def drain(self) -> int:
        return self._spool.drain(self.apply)

    def apply(self, event: CallEvent) -> Call | None:
        call = self._events.handle_event(event)
        if call is not None:
            self.call_event.emit(event, call)
        return call

    def send(self, command: str) -> bool:
        """accept/hangup to baresip; False when there is no baresip connection configured."""
        if self.baresip is None:
            return False
        self.baresip.send_command(command)
        return True

    def _poll_spool(self) -> None:
        if self._spool.has_pending():
            self.drain()

    def _on_thread_item(self, item: Any) -> None:
        if isinstance(item, CallEvent):
            self.apply(item)
        elif isinstance(item, dict) and item.get("op") == "events":
            self.drain()
        elif isinstance(item, dict) and item.get("op") == "raise":
            self.raise_requested.emit()
