"""Subprocess for the kill -9 test: the real app types notes one key at a time and reports
how much it has typed, until it is killed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.app import build_app
from tests.helpers.typing import ime_type

TEXT = "客户反映快递延误三天，要求退款并投诉快递员态度。已道歉，承诺两小时内回电告知处理结果。"


def main() -> None:
    qt_app = QApplication(sys.argv[:1])
    app = build_app(Path(sys.argv[1]))
    app.window.show()
    app.workspace.start_manual("13800138000", "")
    print(f"call {app.workspace.current.id}", flush=True)
    editor = app.window.view.notes.editor
    typed = 0

    def type_one() -> None:
        nonlocal typed
        ime_type(editor, TEXT[typed % len(TEXT)])
        typed += 1
        print(f"typed {typed}", flush=True)

    timer = QTimer()
    timer.setInterval(40)
    timer.timeout.connect(type_one)
    timer.start()
    qt_app.exec()


if __name__ == "__main__":
    main()
