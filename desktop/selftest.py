"""`callassist --selftest`: proves an installation (or a PyInstaller bundle) works: a
temporary database, the content pack, jieba and the window built offscreen."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO


def run_selftest(out: TextIO = sys.stdout) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_app

    started = time.perf_counter()
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="callassist-selftest-") as tmp:
        app = build_app(Path(tmp))
        app.start_background()
        try:
            problems = app.content.problems
            pack = app.content.pack
            print(
                f"content pack: {len(pack.call_types)} call types, {len(pack.scripts)} scripts",
                file=out,
            )
            if problems:
                for problem in problems:
                    print(f"content problem: {problem}", file=out)
                return 1
            segmenter = app.text.segmenter
            if not app.wait_background(60) or not segmenter.ready:
                print("jieba: failed to load", file=out)
                return 1
            words = segmenter.cut("客户投诉物流太慢要求退换货")
            print(f"jieba: {' / '.join(words)}", file=out)
            if "物流" not in words or "退换货" not in words:
                print("jieba: the user dictionary is not loaded", file=out)
                return 1
            app.window.show()
            qt_app.processEvents()
            app.workspace.choose_intent("complaint")
            print(
                f"window: {app.window.windowTitle()}, {app.window.view.checklist.progress_text()}",
                file=out,
            )
        finally:
            app.close()
    print(f"selftest OK in {time.perf_counter() - started:.1f} s", file=out)
    return 0
