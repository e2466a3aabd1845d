"""A scripted fake of baresip's ctrl_tcp: a real loopback server that accepts one client,
sends what a test scripts and records the commands it receives (no baresip needed)."""

from __future__ import annotations

import json
import socket
import threading
from typing import Any

from desktop.core.softphone.netstring import NetstringDecoder

WAIT = 5.0


class FakeCtrlTcp:
    """One-client-at-a-time server like baresip's ctrl_tcp: accepts, sends, records."""

    def __init__(self, port: int = 0) -> None:
        self._server = socket.create_server(("127.0.0.1", port))
        self.port = self._server.getsockname()[1]
        self._server.settimeout(0.05)
        self._conn: socket.socket | None = None
        self._lock = threading.Lock()
        self._connected = threading.Condition(self._lock)
        self.connections = 0
        self.received = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                self._read()
                continue
            conn.settimeout(0.05)
            with self._lock:
                if self._conn is not None:
                    self._conn.close()  # baresip drops the old client for the new one
                self._conn = conn
                self.connections += 1
                self._connected.notify_all()

    def _read(self) -> None:
        with self._lock:
            conn = self._conn
            if conn is None:
                return
            try:
                data = conn.recv(65536)
            except TimeoutError:
                return
            except OSError:
                data = b""
            if data:
                self.received += data
            else:
                conn.close()
                self._conn = None

    def wait_connected(self, count: int = 1) -> None:
        with self._connected:
            assert self._connected.wait_for(lambda: self.connections >= count, WAIT)

    def send(self, data: bytes) -> None:
        with self._lock:
            assert self._conn is not None
            self._conn.sendall(data)

    def drop_client(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def commands(self) -> list[dict[str, Any]]:
        decoder = NetstringDecoder()
        return [json.loads(p) for p in decoder.feed(self.received)]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(WAIT)
        self.drop_client()
        self._server.close()
