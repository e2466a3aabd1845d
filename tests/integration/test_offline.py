"""Offline by construction: building and using the app opens no network connection and
listens on no network port (an audit hook sees every socket connect and bind)."""

from __future__ import annotations

import socket
import sys

from PySide6.QtCore import Qt

from desktop.app import build_app

_seen: list[tuple[str, object]] = []
_watching = [False]


def _hook(event: str, args: tuple) -> None:
    if _watching[0] and event in ("socket.connect", "socket.bind", "socket.sendto"):
        sock = args[0]
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
            _seen.append((event, args[1]))


sys.addaudithook(_hook)


def test_app_uses_no_network(qtbot, data_dir, clock) -> None:
    _watching[0] = True
    try:
        app = build_app(data_dir, clock, demo=True)
        qtbot.addWidget(app.window)
        app.window.show()
        qtbot.keyClick(app.window, Qt.Key.Key_F2)
        app.window.view.notes.editor.setPlainText("客户要投诉物流")
        app.window.view.notes.flush()
        app.close()
    finally:
        _watching[0] = False
    assert _seen == []


def test_the_audit_hook_does_see_a_network_socket() -> None:
    """Proves the check above can fail: a loopback bind is recorded."""
    _watching[0] = True
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
    finally:
        _watching[0] = False
    assert _seen and _seen.pop()[0] == "socket.bind"
