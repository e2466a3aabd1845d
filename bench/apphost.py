"""Run the real app (or a bare QMainWindow) in a child process and report when it is idle.

    python -m bench.apphost --child app DATA_DIR [--demo] [--exit-at-idle]
    python -m bench.apphost --child bare [--exit-at-idle]

`app` goes through `desktop.__main__.main`, the code the `callassist` command runs. The only
instrumentation is a wrapper around `QApplication.exec` that watches the shown main window
for its first paint and then queues a zero timer: it fires once the first frame has been
drawn and every event queued before it has been handled (the app's wiring steps that run
after the first frame, `desktop.app.WIRING`, are not counted). Then the host prints a READY
line with the wall-clock time; the parent compares it with its own clock at spawn.

Without --exit-at-idle the host stays up and answers commands on stdin, one per line:
`rss` (VmRSS now), `text-ready SECONDS` (wait for the app's jieba, then VmRSS),
`background SECONDS` (wait for all of the app's start-up background work), `quit`; a reply
with an `error` says why a command failed.
Only the standard library is imported at the top: this module's import is timed too.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

READY_MARKER = "BENCH-READY "
REPLY_MARKER = "BENCH-REPLY "

_state: dict[str, Any] = {}


def _say(marker: str, data: dict[str, Any]) -> None:
    sys.stdout.write(marker + json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _rss_mb() -> float | None:
    from bench.common import rss_mb

    return rss_mb()


def _on_idle(exit_at_idle: bool) -> None:
    idle_at = time.time()
    from PySide6.QtWidgets import QApplication, QMainWindow

    shown = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()
    ]
    _say(
        READY_MARKER,
        {
            "idle_at": idle_at,
            "window_shown": bool(shown),
            "title": shown[0].windowTitle() if shown else "",
            "rss_mb": _rss_mb(),
        },
    )
    if exit_at_idle:
        QApplication.quit()
    else:
        threading.Thread(target=_serve_commands, name="bench-commands", daemon=True).start()


def install_idle_probe(on_idle: Callable[[], None]) -> None:
    """Call `on_idle()` on the first turn of the event loop after the shown main window's
    first paint (the first frame), once every event queued before it is handled."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    original_exec = QApplication.exec
    fired: list[bool] = []

    def report() -> None:
        if not fired:
            fired.append(True)
            on_idle()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, report)  # behind the paint and what it queued
            return False

    watcher = FirstPaint()

    def exec_then_report() -> int:
        shown = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMainWindow) and w.isVisible()
        ]
        if shown:
            shown[0].installEventFilter(watcher)
            QTimer.singleShot(10_000, report)  # a window that never paints still reports
        else:
            QTimer.singleShot(0, report)
        return original_exec()

    QApplication.exec = staticmethod(exec_then_report)  # type: ignore[method-assign]


def captured_app() -> Any:
    """The App built by the real entry (after capture_app() ran before it)."""
    app = _state.get("app")
    if app is None:
        raise RuntimeError("the real entry built no App (or capture_app() did not run first)")
    return app


def capture_app(on_import: Callable[[], None] | None = None) -> None:
    """Keep the App that build_app returns, to reach its parts (e.g. its segmenter) later;
    `on_import()` runs when the entry has imported `desktop.app` (PySide6 is imported by then).

    `desktop.app` is patched when the real entry imports it, not imported here: imported
    early, its modules would miss what the entry does before importing them (the garbage
    collector paused, PySide6's source scan skipped, the dataclass code cache), and the
    timed start-up would not be the real one."""
    from importlib.machinery import PathFinder

    def keep(module: Any) -> None:
        build_app = module.build_app

        def build_and_keep(*args: Any, **kwargs: Any) -> Any:
            _state["app"] = built = build_app(*args, **kwargs)
            return built

        module.build_app = build_and_keep
        if on_import is not None:
            on_import()

    class PatchOnImport:
        def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
            if name != "desktop.app":
                return None
            sys.meta_path.remove(self)
            spec = PathFinder.find_spec(name, path, target)
            if spec is None or spec.loader is None:
                return spec
            loader = spec.loader
            run_module = loader.exec_module

            def exec_module(module: Any) -> None:
                run_module(module)
                keep(module)

            loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    if "desktop.app" in sys.modules:
        keep(sys.modules["desktop.app"])
    else:
        sys.meta_path.insert(0, PatchOnImport())


def _wired(timeout: float) -> Any:
    """The captured App once its wiring after the first frame is done (this is a command
    thread: the GUI thread wires it on its own loop)."""
    app = captured_app()
    deadline = time.monotonic() + timeout
    while app.wiring.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    if app.wiring.pending:
        raise RuntimeError(f"the app was not wired within {timeout:.0f} s")
    return app


def _text_ready(timeout: float) -> dict[str, Any]:
    """Wait for the app's jieba, then read VmRSS."""
    start = time.perf_counter()
    if not _wired(timeout).text.segmenter.wait(timeout):
        raise RuntimeError(f"the app's jieba did not finish loading within {timeout:.0f} s")
    waited = time.perf_counter() - start
    time.sleep(0.5)  # let the loading thread's garbage go before reading VmRSS
    return {"waited_s": waited, "rss_mb": _rss_mb()}


def _answer(words: list[str]) -> dict[str, Any]:
    from bench.appkit import wait_background

    if words[0] == "rss":
        return {"rss_mb": _rss_mb()}
    if words[0] == "background":
        timeout = float(words[1]) if len(words) > 1 else 120.0
        return {"waited_s": wait_background(_wired(timeout), timeout)}
    if words[0] == "text-ready":
        return _text_ready(float(words[1]) if len(words) > 1 else 60.0)
    raise ValueError(f"unknown command {words[0]!r}")


def _serve_commands() -> None:
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        try:
            reply = _answer(words)
        except Exception as exc:
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        _say(REPLY_MARKER, reply)
    _quit_from_thread()


def _quit_from_thread() -> None:
    from PySide6.QtCore import QMetaObject, Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        QMetaObject.invokeMethod(app, "quit", Qt.ConnectionType.QueuedConnection)


def _run_app(data_dir: str, demo: bool, exit_at_idle: bool) -> int:
    # the probe (which imports PySide6) once the entry has imported it itself, after its own
    # set-up (the enum maker of desktop.run is installed before PySide6's import)
    capture_app(on_import=lambda: install_idle_probe(lambda: _on_idle(exit_at_idle)))
    from desktop.__main__ import main

    return main(["--data-dir", data_dir, *(["--demo"] if demo else [])])


def _run_bare(exit_at_idle: bool) -> int:
    install_idle_probe(lambda: _on_idle(exit_at_idle))
    from PySide6.QtWidgets import QApplication, QMainWindow

    qt_app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(1280, 760)
    window.show()
    return qt_app.exec()


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--child" or len(argv) < 2:
        sys.exit(__doc__)
    mode, rest = argv[1], argv[2:]
    exit_at_idle = "--exit-at-idle" in rest
    if mode == "bare":
        return _run_bare(exit_at_idle)
    if mode == "app":
        positional = [a for a in rest if not a.startswith("--")]
        return _run_app(positional[0], "--demo" in rest, exit_at_idle)
    sys.exit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
