"""Local, same-user messages to the running app: "events" (drain the spool) and "raise".

An AF_UNIX socket in a 0700 directory on POSIX, a named pipe on Windows; never a TCP port.
Both ends prove they know ``data_dir/ipc.key`` (random, 0600) through the HMAC handshake of
``multiprocessing.connection``. Messages travel as JSON bytes, never pickles, so even a
client that knows the key cannot make the app run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KEY_NAME = "ipc.key"
OPS = ("events", "raise")
_MAX_MESSAGE = 4096
_UNIX_PATH_MAX = 100  # sun_path is 104 bytes on macOS, 108 on Linux


def ipc_address(data_dir: Path) -> tuple[str, str]:
    """(address, family) of the app serving ``data_dir``; the same in every process."""
    digest = hashlib.sha256(os.fsencode(os.path.realpath(data_dir))).hexdigest()[:16]
    if sys.platform == "win32":
        return rf"\\.\pipe\callassist-{digest}", "AF_PIPE"
    path = os.path.join(data_dir, "run", "ipc.sock")
    if len(os.fsencode(path)) <= _UNIX_PATH_MAX:
        return path, "AF_UNIX"
    return os.path.join(_private_runtime_dir(), f"{digest}.sock"), "AF_UNIX"


def _private_runtime_dir() -> str:
    """A short per-user directory (made 0700 on use) for when the data-dir path is too long."""
    import tempfile  # only needed for unusually long data-dir paths

    name = f"callassist-{os.getuid()}"
    bases = [os.environ.get("XDG_RUNTIME_DIR"), tempfile.gettempdir(), "/tmp"]
    candidates = [os.path.join(base, name) for base in bases if base]
    fits = [c for c in candidates if len(os.fsencode(c)) + 22 <= _UNIX_PATH_MAX]  # + "/<16>.sock"
    return (fits or candidates)[0]


def _ensure_private_dir(path: str) -> None:
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.stat(path)
    if info.st_uid != os.getuid():
        raise PermissionError(f"{path} belongs to another user")
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)


def read_authkey(data_dir: Path) -> bytes | None:
    try:
        key = (data_dir / KEY_NAME).read_bytes()
    except FileNotFoundError:
        return None
    return key or None


def load_or_create_authkey(data_dir: Path) -> bytes:
    """The shared secret; created once, atomically, readable by this user only."""
    key = read_authkey(data_dir)
    if key:
        return key
    path = data_dir / KEY_NAME
    tmp = data_dir / f".{KEY_NAME}.{os.getpid()}.{os.urandom(4).hex()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, os.urandom(32))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        if path.exists() and not path.read_bytes():
            os.replace(tmp, path)  # an empty key file is useless: take its place
        elif sys.platform == "win32":
            os.rename(tmp, path)  # refuses to overwrite a key another process just made
        else:
            os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()


MessageHandler = Callable[[dict[str, Any]], None]


class IpcServer:
    """Accepts messages on a plain thread and hands each to ``on_message`` on that thread.

    Start it only while holding the InstanceLock: it removes a stale socket left by a crash.
    """

    def __init__(self, data_dir: Path, on_message: MessageHandler) -> None:
        self._data_dir = data_dir
        self._on_message = on_message
        self._address, self._family = ipc_address(data_dir)
        self._listener: Listener | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._authkey = b""

    def start(self) -> None:
        """Bind now (OSError if impossible), then serve on a daemon thread."""
        self._authkey = load_or_create_authkey(self._data_dir)
        if self._family == "AF_UNIX":
            _ensure_private_dir(os.path.dirname(self._address))
            if os.path.exists(self._address):
                os.unlink(self._address)
        self._listener = Listener(self._address, family=self._family, authkey=self._authkey)
        if self._family == "AF_UNIX":
            os.chmod(self._address, 0o600)
        self._thread = threading.Thread(target=self._serve, name="callassist-ipc", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        if self._listener is None:
            return
        self._stopping.set()
        with contextlib.suppress(OSError):
            # Wake a blocked accept(). No handshake: the thread may be gone already, and
            # nobody would answer a challenge.
            Client(self._address, family=self._family).close()
        if self._thread is not None:
            self._thread.join(timeout)
        self._listener.close()
        self._listener = None

    def _serve(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                conn = self._listener.accept()
            except AuthenticationError:
                log.warning("refused an IPC client with the wrong key")
                continue
            except (OSError, EOFError):
                if self._stopping.is_set():
                    return
                log.warning("IPC accept failed", exc_info=True)
                time.sleep(0.1)
                continue
            with conn:
                if not self._stopping.is_set():
                    self._answer(conn)

    def _answer(self, conn: Connection) -> None:
        try:
            if not conn.poll(1.0):
                return
            message = json.loads(conn.recv_bytes(_MAX_MESSAGE))
        except (OSError, EOFError, ValueError):
            log.warning("ignoring an unreadable IPC message", exc_info=True)
            return
        ok = isinstance(message, dict) and message.get("op") in OPS
        if ok:
            try:
                self._on_message(message)
            except Exception:
                log.exception("IPC message handler failed")
                ok = False
        else:
            log.warning("ignoring an unknown IPC message: %.80r", message)
        with contextlib.suppress(OSError):  # the client gave up waiting; it has a fallback
            conn.send_bytes(json.dumps({"ok": ok}).encode())


class IpcClient:
    @staticmethod
    def send(data_dir: Path, message: dict[str, Any], timeout: float = 0.1) -> bool:
        """True once the running app has taken ``message``; False (fast) if none answers."""
        address, family = ipc_address(data_dir)
        key = read_authkey(data_dir)
        if key is None or (family == "AF_UNIX" and not os.path.exists(address)):
            return False
        deadline = time.monotonic() + timeout
        answer: list[bool] = []

        def talk() -> None:
            try:
                with Client(address, family=family, authkey=key) as conn:
                    conn.send_bytes(json.dumps(message).encode())
                    if conn.poll(max(0.0, deadline - time.monotonic())):
                        reply = json.loads(conn.recv_bytes(_MAX_MESSAGE))
                        answer.append(isinstance(reply, dict) and reply.get("ok") is True)
            except (OSError, EOFError, ValueError, AuthenticationError):
                pass

        # Client() has no timeout of its own; a hung app must not hang the softphone hook.
        worker = threading.Thread(target=talk, name="callassist-ipc-send", daemon=True)
        worker.start()
        worker.join(timeout)
        return bool(answer) and answer[0]
