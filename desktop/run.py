"""Running the GUI for real: QApplication, a clear error for an unusable database, the loop."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop import paths
from desktop.error_log import install_error_hook, setup_logging


def resolve_data_dir(options: argparse.Namespace) -> Path:
    """`--demo` without `--data-dir` keeps the demo apart from the agent's real data."""
    if options.demo and not options.data_dir:
        return paths.user_data_dir() / "demo"
    return paths.user_data_dir(options.data_dir)


def run(options: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from db import StorageError
    from desktop.app import build_app
    from desktop.services.softphone.instance import InstanceLock
    from desktop.services.softphone.ipc import IpcClient

    existing = QApplication.instance()
    qt_app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    qt_app.setApplicationName("坐席助手")
    qt_app.setOrganizationName("callassist")
    data_dir = resolve_data_dir(options)
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_logging(data_dir)
    lock = InstanceLock(data_dir)  # held until this process exits
    if not lock.acquire():
        IpcClient.send(data_dir, {"op": "raise"}, timeout=1.0)
        print(f"坐席助手已在运行（{data_dir}），已切换到已打开的窗口。", file=sys.stderr)
        return 0
    try:
        app = build_app(data_dir, demo=options.demo, baresip=options.baresip)
    except StorageError as exc:
        print(f"坐席助手：无法打开数据库\n{exc.user_text()}", file=sys.stderr)
        if qt_app.platformName() not in ("offscreen", "minimal"):  # nobody to see a dialog there
            QMessageBox.critical(None, "坐席助手：无法打开数据库", exc.user_text())
        return 3
    install_error_hook(app.window.show_message)
    app.window.show()
    code = qt_app.exec()
    app.close()
    lock.release()
    return code
