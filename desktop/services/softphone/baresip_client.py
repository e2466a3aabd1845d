"""A ctrl_tcp client for baresip on a plain thread: events in, accept/hangup out.

baresip does not replay events and takes one client at a time, so the client stays
connected for the app's life and reconnects with back-off whenever the link drops (baresip
restarted, or another client took the slot). Callbacks run on the client's own thread.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import queue
import selectors
import socket
import threading
import time
import uuid
from collections.abc import Callable

from desktop.core.call_events import CallEvent
from desktop.core.clock import Clock
from desktop.core.softphone.baresip_events import BaresipCallTracker, CtrlTcpReader
from desktop.core.softphone.netstring import encode_command

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4444
FIRST_DELAY = 0.5
MAX_DELAY = 10.0
# A link that lasted this long was healthy: the next drop starts the back-off afresh. Shorter
# links keep doubling it, so two clients stealing baresip's single slot do not spin.
STABLE_AFTER = 5.0
_CONNECT_TIMEOUT = 3.0
# baresip writes each message whole; bytes of a "frame" still waiting after this long of
# silence mean its length prefix was corrupt, and the reader resyncs over them.
IDLE_RESYNC = 0.5


class BaresipClient:
    """``on_event(CallEvent)`` and ``on_status(str)`` are called from the client thread.

    Statuses: "connected", "disconnected", "reconnecting in 0.5s" (…up to 10s), "stopped".
    """

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        on_event: Callable[[CallEvent], None] = lambda event: None,
        on_status: Callable[[str], None] = lambda status: None,
        clock: Clock | None = None,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
    ) -> None:
        self.host = host
        self.port = port
        self._on_event = on_event
        self._on_status = on_status
        self._tracker = BaresipCallTracker(clock)
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._commands: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("BaresipClient already started")
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)  # send_command must never block its caller
        self._thread = threading.Thread(target=self._run, name="callassist-baresip", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Disconnect and join the thread; returns within about ``timeout`` seconds."""
        if self._thread is None:
            return
        self._stopping.set()
        self._wake()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("baresip client thread did not stop in %.1fs", timeout)
            return  # it still uses the wake-up sockets; they go with the daemon thread
        self._thread = None
        for sock in (self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._wake_r = self._wake_w = None

    def send_command(self, command: str, params: str = "") -> str:
        """Queue a command ("accept", "hangup", …) without waiting; returns its token.

        Dropped (logged) if baresip is not connected when the thread gets to it: a stale
        "accept" must never answer a later call.
        """
        token = uuid.uuid4().hex[:12]
        self._commands.put(encode_command(command, params, token))
        self._wake()
        return token

    def _wake(self) -> None:
        wake = self._wake_w
        if wake is None:
            return
        with contextlib.suppress(OSError):  # full (a wake-up is pending anyway) or closed
            wake.send(b"\0")

    def _run(self) -> None:
        delay = self._first_delay
        with selectors.DefaultSelector() as selector:
            assert self._wake_r is not None
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                sock = self._connect(selector)
                if sock is not None:
                    started = time.monotonic()
                    self._report("connected")
                    try:
                        self._pump(sock, selector)
                    except Exception:  # a bug here must not end call events for the day
                        log.exception("baresip client failed; reconnecting")
                    finally:
                        sock.close()
                    if self._stopping.is_set():
                        break
                    self._report("disconnected")
                    if time.monotonic() - started >= STABLE_AFTER:
                        delay = self._first_delay
                if self._stopping.is_set():
                    break
                self._report(f"reconnecting in {delay:g}s")
                self._wait(selector, delay)
                delay = min(delay * 2, self._max_delay)
        self._report("stopped")

    def _connect(self, selector: selectors.BaseSelector) -> socket.socket | None:
        """A connected socket, or None if baresip is not there (or we are stopping)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        err = sock.connect_ex((self.host, self.port))
        if err not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY):
            sock.close()
            return None
        selector.register(sock, selectors.EVENT_WRITE)
        try:
            deadline = time.monotonic() + _CONNECT_TIMEOUT
            while not self._stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                ready = {key.fileobj for key, _ in selector.select(remaining)}
                self._drain_wake()
                if sock in ready:
                    if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                        self._drop_commands("given before baresip was connected")
                        return sock
                    break
        finally:
            selector.unregister(sock)
        sock.close()
        return None

    def _pump(self, sock: socket.socket, selector: selectors.BaseSelector) -> None:
        """Read events and write queued commands until the link drops or we stop."""
        reader = CtrlTcpReader(self._tracker, on_response=_log_response)
        sock.settimeout(1.0)  # bounds sendall; reads only happen when select says so
        selector.register(sock, selectors.EVENT_READ)
        try:
            while not self._stopping.is_set():
                ready = selector.select(IDLE_RESYNC)
                if not ready:
                    self._deliver(reader.idle())
                for key, _ in ready:
                    if key.fileobj is not sock:
                        self._drain_wake()
                        continue
                    try:
                        data = sock.recv(65536)
                    except OSError as exc:
                        log.info("baresip link failed: %s", exc)
                        return
                    if not data:
                        log.info("baresip closed the ctrl_tcp link")
                        return
                    self._deliver(reader.feed(data))
                if not self._send_commands(sock):
                    return
        finally:
            selector.unregister(sock)

    def _send_commands(self, sock: socket.socket) -> bool:
        while True:
            try:
                frame = self._commands.get_nowait()
            except queue.Empty:
                return True
            try:
                sock.sendall(frame)
            except OSError as exc:
                log.warning("could not send a command to baresip: %s", exc)
                return False

    def _deliver(self, events: list[CallEvent]) -> None:
        for event in events:
            try:
                self._on_event(event)
            except Exception:
                log.exception("on_event failed for %s", event)

    def _report(self, status: str) -> None:
        try:
            self._on_status(status)
        except Exception:
            log.exception("on_status failed for %r", status)

    def _wait(self, selector: selectors.BaseSelector, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            selector.select(remaining)
            self._drain_wake()
            self._drop_commands("not connected")

    def _drain_wake(self) -> None:
        assert self._wake_r is not None
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def _drop_commands(self, why: str) -> None:
        while True:
            try:
                frame = self._commands.get_nowait()
            except queue.Empty:
                return
            log.warning("dropped a baresip command (%s): %.120r", why, frame)


def _log_response(message: dict) -> None:
    level = logging.DEBUG if message.get("ok") else logging.WARNING
    log.log(level, "baresip answered %s: %.200r", message.get("token"), message)
