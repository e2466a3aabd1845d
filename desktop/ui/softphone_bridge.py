"""Brings softphone events to the GUI thread: the hook's spool (poked over the local socket,
plus a safety-net timer) and, when configured, baresip's ctrl_tcp. Worker threads only emit
signals; the database is touched here, on the GUI thread that owns it."""

from __future__ import annotations

import logging
import time
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from db.errors import is_transient
from desktop.core.call_events import CallEvent
from desktop.core.calls import Call
from desktop.core.clock import Clock, SystemClock, to_iso
from desktop.instance.ipc import IpcServer
from desktop.services.softphone.baresip_client import BaresipClient
from desktop.services.softphone.events import SoftphoneEvents
from desktop.services.softphone.spool import EventSpool, RetryLater

log = logging.getLogger(__name__)
SPOOL_POLL_MS = 1500
BATCH_BUDGET_S = 0.008  # half a frame: the GUI thread paints between batches
MAX_ATTEMPTS = 6  # a locked or full database: tried this often (back-off) before set aside
MAX_ATTEMPTS_BUG = 2  # any other failure
RETRY_FIRST_MS, RETRY_MAX_MS = 250, 4000
RINGING_TIMEOUT = timedelta(minutes=10)  # no answer or hang-up heard for this long: missed
STALE_CHECK_MS = 60_000
RAISE_WAIT_S = 2.0
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
    """Events are applied on the GUI thread in batches of at most ``BATCH_BUDGET_S`` each,
    so a burst never freezes the window; a failing event is retried with back-off and,
    if it keeps failing, set aside (kept in the data dir, logged, announced once)."""

    call_event = Signal(object, object)  # CallEvent, Call (the call it applied to)
    batch_done = Signal()  # a batch of events was applied (listeners may coalesce per batch)
    status_changed = Signal(str)
    raise_requested = Signal()
    problem = Signal(str)  # a fault the agent should know of (for the status bar)
    _from_thread = Signal(object)  # CallEvent or an IPC message dict, crossing to the GUI thread
    _raise_from_thread = Signal(object)  # a Future the GUI thread resolves once raised
    _status_from_thread = Signal(str)

    def __init__(
        self,
        data_dir: Path,
        events: SoftphoneEvents,
        baresip: str = "",
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self._events = events
        self._clock = clock or SystemClock()
        self._spool = EventSpool.in_dir(data_dir)
        self._ipc = IpcServer(data_dir, self._on_ipc_message)
        self._from_thread.connect(self._on_thread_item)
        self._raise_from_thread.connect(self._raise_now)
        self._status_from_thread.connect(lambda s: self.status_changed.emit(status_text(s)))
        self._queue: deque[CallEvent] = deque()  # baresip events not applied yet
        self._attempts: dict[str, int] = {}  # event key → failed attempts so far
        self._batch = QTimer(self)
        self._batch.setSingleShot(True)
        self._batch.timeout.connect(self._process)
        self._timer = QTimer(self)
        self._timer.setInterval(SPOOL_POLL_MS)
        self._timer.timeout.connect(self._poll_spool)
        self._stale_timer = QTimer(self)
        self._stale_timer.setInterval(STALE_CHECK_MS)
        self._stale_timer.timeout.connect(self.close_stale_ringing)
        self._stopped = False
        self._in_batch = False
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
        """IPC first, then one batch: an event spooled in between is still drained."""
        if not self._ipc.start():
            self.problem.emit("本地通信不可用：软电话挂钩的来电将在 2 秒内出现（详见日志）")
        self._process()
        self._timer.start()
        self._stale_timer.start()
        self.close_stale_ringing()
        if self.baresip is not None:
            self.baresip.start()
        else:
            self.status_changed.emit(self._config_error or "软电话：命令行挂钩")

    def stop(self) -> None:
        self._stopped = True
        self._batch.stop()
        self._timer.stop()
        self._stale_timer.stop()
        self._ipc.stop()
        if self.baresip is not None:
            self.baresip.stop()

    def drain(self) -> int:
        """Apply everything spooled now, in one go (tests, and before closing)."""
        try:
            return self._spool.drain(self._apply_from_spool)
        except RetryLater:
            self._schedule(self._retry_delay())
            return 0

    def apply(self, event: CallEvent) -> Call | None:
        """Apply one event now (no retry): the call it changed, or None."""
        call = self._events.handle_event(event)
        if call is not None:
            self.call_event.emit(event, call)
        return call

    def close_stale_ringing(self) -> list[Call]:
        """Ringing calls with no news for RINGING_TIMEOUT: the hang-up was lost; close them."""
        cutoff = to_iso(self._clock.now() - RINGING_TIMEOUT)
        minutes = int(RINGING_TIMEOUT.total_seconds() // 60)
        note = f"【系统】振铃 {minutes} 分钟后仍未收到软电话的接听或挂断消息，已自动记为未接。"
        try:
            closed = self._events.close_stale_ringing(cutoff, note)
        except Exception as exc:  # tried again on the next check
            log.warning("could not close stale ringing calls: %s", exc)
            return []
        for call in closed:
            log.info("closed call %s as missed: ringing with no news since %s", call.id, cutoff)
            self.call_event.emit(CallEvent("missed", call.phone, source="timeout"), call)
        return closed

    def send(self, command: str) -> bool:
        """accept/hangup to baresip; False when there is no baresip connection configured."""
        if self.baresip is None:
            return False
        self.baresip.send_command(command)
        return True

    # ---- batches -----------------------------------------------------------------------
    def _schedule(self, delay_ms: int = 0) -> None:
        if self._stopped:
            return
        if not self._batch.isActive() or delay_ms < self._batch.remainingTime():
            self._batch.start(delay_ms)

    @property
    def in_batch(self) -> bool:
        """True while a batch applies its events: what only the last of them needs on screen
        can wait for batch_done (a burst of 8 rings in one batch pops one notice, not 8)."""
        return self._in_batch

    def _process(self) -> None:
        """One batch: queued baresip events first, then the spool, within the budget."""
        if self._stopped:
            return
        self._in_batch = True
        try:
            self._apply_batch()
        finally:
            self._in_batch = False
            self.batch_done.emit()

    def _apply_batch(self) -> None:
        deadline = time.monotonic() + BATCH_BUDGET_S
        while self._queue:
            if not self._apply_guarded(self._queue[0]):
                self._schedule(self._retry_delay())
                return
            self._queue.popleft()
            if time.monotonic() >= deadline:
                self._schedule()
                return
        try:
            self._spool.drain(self._apply_from_spool, deadline)
        except RetryLater:
            self._schedule(self._retry_delay())
            return
        except OSError as exc:
            log.warning("cannot read the event spool: %s", exc)
            return
        if self._spool.has_pending():
            self._schedule()

    def _apply_from_spool(self, event: CallEvent) -> None:
        if not self._apply_guarded(event):
            raise RetryLater

    def _apply_guarded(self, event: CallEvent) -> bool:
        """True when the event is done with (applied, duplicate, or set aside)."""
        key = event.event_id or repr(event)
        try:
            call = self._events.handle_event(event)
        except Exception as exc:
            attempts = self._attempts.get(key, 0) + 1
            if attempts < (MAX_ATTEMPTS if is_transient(exc) else MAX_ATTEMPTS_BUG):
                self._attempts[key] = attempts
                log.warning("could not record a %s event (try %d): %s", event.kind, attempts, exc)
                return False
            return self._set_aside(key, event, exc)
        self._attempts.pop(key, None)
        if call is not None:
            self.call_event.emit(event, call)
        return True

    def _set_aside(self, key: str, event: CallEvent, exc: BaseException) -> bool:
        reason = f"{type(exc).__name__}: {exc}"
        try:
            self._spool.set_aside(event, reason)
        except OSError as error:  # nowhere to keep it: keep it where it is and try later
            log.error("could not set aside a %s event either: %s", event.kind, error)
            return False
        self._attempts.pop(key, None)
        log.error(
            "set aside a softphone event (%s) from %s (number %s) after repeated failures: %s; kept in %s",
            event.kind,
            event.source,
            event.number,
            reason,
            self._spool.set_aside_path,
            exc_info=exc,
        )
        self.problem.emit(
            f"一条软电话来电事件（{event.number or '未知号码'}）无法记录，"
            f"已另存到 {self._spool.set_aside_path.name}，请联系 IT（详见日志）"
        )
        return True

    def _retry_delay(self) -> int:
        tries = max(self._attempts.values(), default=1)
        return min(RETRY_FIRST_MS * 2 ** (tries - 1), RETRY_MAX_MS)

    # ---- from other threads ------------------------------------------------------------
    def _on_ipc_message(self, message: dict[str, Any]) -> bool:
        """On an IPC connection thread: "raise" is answered only once the window is up."""
        if message.get("op") != "raise":
            self._from_thread.emit(message)
            return True
        done: Future[bool] = Future()
        self._raise_from_thread.emit(done)
        try:
            return done.result(timeout=RAISE_WAIT_S)
        except FutureTimeout:
            return False

    def _raise_now(self, done: Future[bool]) -> None:
        self.raise_requested.emit()
        done.set_result(True)

    def _poll_spool(self) -> None:
        if self._spool.has_pending():
            self._schedule()

    def _on_thread_item(self, item: Any) -> None:
        if isinstance(item, CallEvent):
            self._queue.append(item)
            self._schedule()
        elif isinstance(item, dict) and item.get("op") == "events":
            self._schedule()
