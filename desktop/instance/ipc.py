"""Local, same-user messages to the running app: "events" (drain the spool) and "raise".

The platform work is `multiprocessing.connection`'s: an AF_UNIX socket on POSIX, a named
pipe on Windows; never a TCP port. Both ends prove they know ``DataDir.ipc_key`` (random,
0600) through its HMAC handshake. Messages travel as JSON bytes, never pickles, so even a
client that knows the key cannot make the app run code.

The client on POSIX (the softphone hook, every call event) speaks that same wire protocol
over a plain socket (`_UnixClient`): length-prefixed frames and the mutual HMAC challenge,
so it needs neither `multiprocessing` nor `threading` (a third of the hook's start,
issue 16). The server is `multiprocessing.connection`'s Listener as before.

Where the app listens is decided when it starts and written to ``DataDir.ipc_address``
(0600, in the 0700 ``DataDir.socket_dir``), so nobody can claim the address first:
- the socket in ``socket_dir`` when that path is short enough for ``sun_path``;
- else in ``$XDG_RUNTIME_DIR`` if it is this user's and private;
- else in a fresh ``mkdtemp`` folder (0700, made by us, its owner and mode checked);
- on Windows a pipe with a random name.
Each connection is served on its own short-lived thread with a deadline, so a client that
connects and never speaks cannot block the others.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.instance.platform import CURRENT, Platform
from desktop.lazy_log import LazyLogger
from desktop.paths import DataDir

if TYPE_CHECKING:  # imported where the server (or a Windows client) needs them
    from multiprocessing.connection import Connection, Listener

log = LazyLogger(__name__)  # the hook imports this module: no logging until needed

OPS = ("events", "raise")
_MAX_MESSAGE = 4096
_UNIX_PATH_MAX = 100  # sun_path is 104 bytes on macOS, 108 on Linux
CONNECTION_DEADLINE = 2.0  # seconds one client may take from connect to its message
MAX_CONNECTIONS = 8  # served at once; more are turned away, so a flood cannot pile up threads
_SOCKET_NAME = "ipc.sock"


# ---- the shared key -----------------------------------------------------------------------
def read_authkey(data_dir: Path) -> bytes | None:
    try:
        key = DataDir.at(data_dir).ipc_key.read_bytes()
    except FileNotFoundError:
        return None
    return key or None


def load_or_create_authkey(data_dir: Path) -> bytes:
    """The shared secret; created once, atomically, readable by this user only."""
    key = read_authkey(data_dir)
    if key:
        return key
    path = DataDir.at(data_dir).ipc_key
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    _write_private(tmp, os.urandom(32), exclusive=True)
    try:
        if path.exists() and not path.read_bytes():
            os.replace(tmp, path)  # an empty key file is useless: take its place
        elif CURRENT.windows:
            os.rename(tmp, path)  # refuses to overwrite a key another process just made
        else:
            os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()


def _write_private(path: Path, data: bytes, exclusive: bool = False) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- where the app listens ----------------------------------------------------------------
def published_address(data_dir: Path) -> tuple[str, str] | None:
    """(address, family) the running app wrote at start, or None (no app, or unreadable)."""
    try:
        data = json.loads(DataDir.at(data_dir).ipc_address.read_bytes())
        address, family = data["address"], data["family"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(address, str) or family not in ("AF_UNIX", "AF_PIPE"):
        return None
    return address, family


def publish_address(layout: DataDir, address: str, family: str) -> None:
    """Tell clients where this app listens (atomically; 0600 in the private socket dir)."""
    _make_private_dir(layout.socket_dir)
    tmp = layout.ipc_address.with_name(layout.ipc_address.name + ".tmp")
    _write_private(tmp, json.dumps({"address": address, "family": family}).encode())
    os.replace(tmp, layout.ipc_address)


def _private_dir_ok(path: str) -> bool:
    """Ours, a real folder (not a symlink), and closed to group and others."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not stat.S_IMODE(info.st_mode) & 0o077
    )


def choose_address(layout: DataDir, platform: Platform = CURRENT) -> tuple[str, str]:
    """A fresh address nobody else can have taken; creates the private folder it needs."""
    if platform.windows:
        return rf"\\.\pipe\callassist-{os.urandom(16).hex()}", "AF_PIPE"
    _make_private_dir(layout.socket_dir)
    path = os.path.join(layout.socket_dir, _SOCKET_NAME)
    if _fits(path):
        return path, "AF_UNIX"
    name = f"callassist-{os.urandom(8).hex()}.sock"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and _fits(os.path.join(runtime, name)) and _private_dir_ok(runtime):
        return os.path.join(runtime, name), "AF_UNIX"
    previous = published_address(layout.root)
    if previous and previous[1] == "AF_UNIX":
        folder = os.path.dirname(previous[0])
        if os.path.basename(folder).startswith("callassist-") and _private_dir_ok(folder):
            return os.path.join(folder, _SOCKET_NAME), "AF_UNIX"  # reuse ours after a crash
    import tempfile  # only for unusually long data-dir paths

    for base in (tempfile.gettempdir(), "/tmp"):
        try:
            folder = tempfile.mkdtemp(prefix="callassist-", dir=base)  # 0700, made by us
        except OSError:
            continue
        if _private_dir_ok(folder) and _fits(os.path.join(folder, _SOCKET_NAME)):
            return os.path.join(folder, _SOCKET_NAME), "AF_UNIX"
        os.rmdir(folder)
    raise OSError("no private folder with a short enough path for the IPC socket")


def _fits(path: str) -> bool:
    return len(os.fsencode(path)) <= _UNIX_PATH_MAX


def _make_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, exist_ok=True)
    if not _private_dir_ok(str(path)):
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
            raise PermissionError(f"{path} is not this user's own folder")
        os.chmod(path, 0o700)


# ---- server -------------------------------------------------------------------------------
MessageHandler = Callable[[dict[str, Any]], "bool | None"]


class _Deadline:
    """A Connection whose reads give up at a deadline (for the handshake functions)."""

    def __init__(self, conn: Connection, deadline: float) -> None:
        self._conn = conn
        self._deadline = deadline

    def send_bytes(self, data: bytes) -> None:
        self._conn.send_bytes(data)

    def recv_bytes(self, maxlength: int) -> bytes:
        if not self._conn.poll(max(0.0, self._deadline - time.monotonic())):
            raise TimeoutError("the IPC client went quiet")
        return self._conn.recv_bytes(maxlength)


class IpcServer:
    """Accepts messages on a plain thread and hands each to ``on_message`` on a
    per-connection thread; its return value (True, or None for "taken") is the reply.

    Start it only while holding the InstanceLock. If it cannot listen, ``start`` logs it and
    the app runs on without IPC (the spool timer still picks up hook events).
    """

    def __init__(
        self,
        data_dir: Path,
        on_message: MessageHandler,
        platform: Platform = CURRENT,
        deadline: float = CONNECTION_DEADLINE,
    ) -> None:
        self._layout = DataDir.at(data_dir)
        self._on_message = on_message
        self._platform = platform
        self._deadline = deadline
        self._listener: Listener | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._authkey = b""
        self.address: tuple[str, str] | None = None
        self._made_dir = ""

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def start(self) -> bool:
        """Listen and serve on a daemon thread; False (logged) when that is impossible."""
        from multiprocessing.connection import Listener

        try:
            self._authkey = load_or_create_authkey(self._layout.root)
            address, family = choose_address(self._layout, self._platform)
            if family == "AF_UNIX":
                folder = os.path.dirname(address)
                if os.path.basename(folder).startswith("callassist-"):
                    self._made_dir = folder  # a mkdtemp folder: removed again at stop
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(address)  # a stale socket left by a crash (we hold the lock)
            self._listener = Listener(address, family=family)  # the handshake is ours
            if family == "AF_UNIX":
                os.chmod(address, 0o600)
            publish_address(self._layout, address, family)
        except OSError as exc:
            log.warning("local IPC is off (hooks still work through the spool): %s", exc)
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            return False
        self.address = (address, family)
        self._thread = threading.Thread(target=self._serve, name="callassist-ipc", daemon=True)
        self._thread.start()
        return True

    def stop(self, timeout: float = 2.0) -> None:
        if self._listener is None or self.address is None:
            return
        from multiprocessing.connection import Client

        self._stopping.set()
        with contextlib.suppress(OSError):
            Client(self.address[0], family=self.address[1]).close()  # wake accept()
        if self._thread is not None:
            self._thread.join(timeout)
        self._listener.close()  # removes the socket file
        self._listener = None
        if published_address(self._layout.root) == self.address:
            with contextlib.suppress(OSError):
                self._layout.ipc_address.unlink()
        if self._made_dir:
            with contextlib.suppress(OSError):
                os.rmdir(self._made_dir)

    def _serve(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                conn = self._listener.accept()
            except OSError as exc:
                if self._stopping.is_set():
                    return
                log.warning("IPC accept failed: %s", exc)
                time.sleep(0.1)
                continue
            if self._stopping.is_set():
                conn.close()
                return
            if not self._slots.acquire(blocking=False):
                log.warning("turned away an IPC client: %d already connected", MAX_CONNECTIONS)
                conn.close()
                continue
            threading.Thread(
                target=self._serve_one, args=(conn,), name="callassist-ipc-conn", daemon=True
            ).start()

    def _serve_one(self, conn: Connection) -> None:
        deadline = time.monotonic() + self._deadline
        watchdog = threading.Timer(self._deadline + 0.5, _shut, args=(conn,))
        watchdog.daemon = True
        watchdog.start()
        try:
            with conn:
                self._answer(conn, _Deadline(conn, deadline), watchdog)
        finally:
            watchdog.cancel()
            self._slots.release()

    def _answer(self, conn: Connection, timed: _Deadline, watchdog: threading.Timer) -> None:
        from multiprocessing import AuthenticationError
        from multiprocessing.connection import answer_challenge, deliver_challenge

        try:
            deliver_challenge(timed, self._authkey)  # type: ignore[arg-type]
            answer_challenge(timed, self._authkey)  # type: ignore[arg-type]
        except AuthenticationError:
            log.warning("refused an IPC client with the wrong key")
            return
        except (OSError, EOFError, AssertionError) as exc:
            # A hook that gave up waiting (its event is in the spool): normal under load.
            log.info("an IPC client left before the handshake ended (%s)", type(exc).__name__)
            return
        try:
            message = json.loads(timed.recv_bytes(_MAX_MESSAGE))
        except (OSError, EOFError, ValueError) as exc:
            log.info("ignoring an unreadable IPC message (%s)", type(exc).__name__)
            return
        watchdog.cancel()  # the client has spoken; the handler may take its time to answer
        ok = isinstance(message, dict) and message.get("op") in OPS
        if ok:
            try:
                ok = self._on_message(message) is not False
            except Exception:
                log.exception("IPC message handler failed")
                ok = False
        else:
            log.warning("ignoring an unknown IPC message: %.80r", message)
        with contextlib.suppress(OSError):  # the client gave up waiting; it has a fallback
            conn.send_bytes(json.dumps({"ok": ok}).encode())


def _shut(conn: Connection) -> None:
    """Wake a read blocked past the deadline (a client that sent half a message)."""
    import socket

    with contextlib.suppress(OSError, ValueError):
        sock = socket.socket(fileno=os.dup(conn.fileno()))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()


# ---- client -------------------------------------------------------------------------------
class IpcClient:
    @staticmethod
    def send(data_dir: Path, message: dict[str, Any], timeout: float = 0.1) -> bool:
        """True once the running app has taken ``message``; False (fast) if none answers."""
        target = published_address(data_dir)
        key = read_authkey(data_dir) if target else None
        if target is None or key is None:
            return False
        address, family = target
        if family == "AF_UNIX":
            if not os.path.exists(address):
                return False
            return _UnixClient.send(address, key, message, timeout)
        return _send_with_multiprocessing(address, family, key, message, timeout)


def _send_with_multiprocessing(
    address: str, family: str, key: bytes, message: dict[str, Any], timeout: float
) -> bool:
    """A named pipe (Windows): multiprocessing.connection's Client, on a thread, since it
    has no timeout of its own and a hung app must not hang the softphone hook."""
    from multiprocessing import AuthenticationError
    from multiprocessing.connection import Client

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

    worker = threading.Thread(target=talk, name="callassist-ipc-send", daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(answer) and answer[0]


# multiprocessing.connection's handshake (Python 3.11; 3.12+ servers still take it): the
# server sends CHALLENGE + random bytes, the client answers the HMAC of those bytes; then
# the client challenges the server the same way; WELCOME or FAILURE ends each half.
_CHALLENGE = b"#CHALLENGE#"
_WELCOME = b"#WELCOME#"
_FAILURE = b"#FAILURE#"
_CHALLENGE_BYTES = 20


_DIGESTS = ("md5", "sha256", "sha384", "sha3_256", "sha3_384")  # what 3.12+ may name


def _digest_named(salt: bytes) -> str:
    """The digest a 3.12+ challenge names ("{sha256}…"), or "" for a legacy one (3.11:
    random bytes, which may begin with "{" by chance: only a known name counts)."""
    if salt.startswith(b"{"):
        end = salt.find(b"}", 1, 22)
        if end > 0 and salt[1:end].decode("ascii", "replace") in _DIGESTS:
            return salt[1:end].decode("ascii")
    return ""


def _hmac(key: bytes, message: bytes, digest: str) -> bytes:
    try:
        from _hashlib import hmac_digest  # what hmac.digest uses, without importing hashlib
    except ImportError:
        import hmac

        return hmac.digest(key, message, digest)
    return hmac_digest(key, message, digest)


def _same(a: bytes, b: bytes) -> bool:
    try:
        from _hashlib import compare_digest
    except ImportError:
        from hmac import compare_digest
    return compare_digest(a, b)


class _UnixClient:
    """multiprocessing.connection.Client's wire format on a plain AF_UNIX socket: each
    frame is a 4-byte big-endian length and the bytes (the server's recv_bytes)."""

    def __init__(self, sock: Any, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    @classmethod
    def send(cls, address: str, key: bytes, message: dict[str, Any], timeout: float) -> bool:
        import _socket  # `socket` (its enums, selectors) is more than the hook needs

        deadline = time.monotonic() + timeout
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            client = cls(sock, deadline)
            sock.settimeout(timeout)
            sock.connect(address)
            client._answer_challenge(key)
            client._deliver_challenge(key)
            client._frame(json.dumps(message).encode())
            reply = json.loads(client._read_frame())
            return isinstance(reply, dict) and reply.get("ok") is True
        except (OSError, EOFError, ValueError):  # refused, timed out, wrong key, garbage
            return False
        finally:
            sock.close()

    def _answer_challenge(self, key: bytes) -> None:
        challenge = self._read_frame()
        if not challenge.startswith(_CHALLENGE):
            raise ValueError("not an IPC challenge")
        salt = challenge[len(_CHALLENGE) :]
        name = _digest_named(salt)
        if name:  # Python 3.12+: "{digest}" names the hash, taken over the whole salt
            response = b"{%s}%s" % (name.encode("ascii"), _hmac(key, salt, name))
        else:
            response = _hmac(key, salt, "md5")
        self._frame(response)
        if self._read_frame() != _WELCOME:
            raise ValueError("the app refused the IPC key")

    def _deliver_challenge(self, key: bytes) -> None:
        salt = os.urandom(_CHALLENGE_BYTES)
        self._frame(_CHALLENGE + salt)
        response = self._read_frame()
        if not _same(response, _hmac(key, salt, "md5")):
            self._frame(_FAILURE)
            raise ValueError("the IPC server does not know the key")
        self._frame(_WELCOME)

    def _frame(self, data: bytes) -> None:
        self._tick()
        self._sock.sendall(len(data).to_bytes(4, "big", signed=True) + data)

    def _read_frame(self) -> bytes:
        size = int.from_bytes(self._read(4), "big", signed=True)
        if not 0 <= size <= _MAX_MESSAGE:
            raise ValueError("IPC frame too big")
        return self._read(size)

    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            self._tick()
            chunk = self._sock.recv(size - len(data))
            if not chunk:
                raise EOFError("the app closed the IPC connection")
            data += chunk
        return data

    def _tick(self) -> None:
        """Each socket call may wait only for what is left of the client's whole budget."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the app did not answer in time")
        self._sock.settimeout(left)
