"""Running the GUI for real: QApplication, a clear error for an unusable database, the loop."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from desktop import paths


def resolve_data_dir(options: argparse.Namespace) -> Path:
    """`--demo` without `--data-dir` keeps the demo apart from the agent's real data."""
    if options.demo and not options.data_dir:
        return paths.user_data_dir() / "demo"
    return paths.user_data_dir(options.data_dir)


def run(options: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from PySide6.QtWidgets import QApplication, QMessageBox

    from db import StorageError
    from desktop.app import build_app
    from desktop.services.softphone.instance import InstanceLock
    from desktop.services.softphone.ipc import IpcClient

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("坐席助手")
    qt_app.setOrganizationName("callassist")
    data_dir = resolve_data_dir(options)
    data_dir.mkdir(parents=True, exist_ok=True)
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
    app.window.show()
    code = qt_app.exec()
    app.close()
    lock.release()
    return code
