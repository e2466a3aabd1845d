"""Running the GUI for real: QApplication, a clear error for an unusable data dir or
database, the loop."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from db.errors import StorageError
from desktop import paths
from desktop.error_log import install_error_hook, setup_logging
from desktop.instance.private import make_private, set_private_umask

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

log = logging.getLogger(__name__)

EXIT_STORAGE = 3
DIALOG_TITLE = "坐席助手：无法打开数据"

# Set to "1" by bench.startup: print IDLE_MARKER and the wall-clock time once the event loop
# is idle with the window shown, then quit (a frozen build cannot be instrumented otherwise).
EXIT_AT_IDLE_ENV = "CALLASSIST_EXIT_AT_IDLE"
IDLE_MARKER = "CALLASSIST-IDLE "


def _exit_at_idle(qt_app, window) -> None:
    """Once the window's first paint is done and the loop is idle (as bench.apphost times
    it): print the time and quit."""
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer

    def report() -> None:
        print(f"{IDLE_MARKER}{time.time()}", flush=True)
        qt_app.quit()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, report)
            return False

    watcher = FirstPaint(window)
    window.installEventFilter(watcher)


def resolve_data_dir(options: argparse.Namespace) -> Path:
    """`--demo` without `--data-dir` keeps the demo apart from the agent's real data."""
    if options.demo and not options.data_dir:
        return paths.user_data_dir() / "demo"
    return paths.user_data_dir(options.data_dir)


def data_dir_error(data_dir: Path, step: str, exc: OSError) -> StorageError:
    """What the agent is told when the data dir cannot be used, whatever step failed."""
    from desktop.storage_message import reason_and_advice

    reason, advice = reason_and_advice(exc)
    return StorageError(data_dir, f"无法使用数据目录：{step}失败（{reason}）。", advice)


def prepare_data_dir(data_dir: Path) -> None:
    """Create the data dir (private), then its log; raises StorageError for any failure."""
    set_private_umask()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise data_dir_error(data_dir, "创建文件夹", exc) from exc
    try:
        make_private(data_dir)
    except OSError as exc:
        raise data_dir_error(data_dir, "设置文件夹权限", exc) from exc
    try:
        setup_logging(data_dir)
    except OSError as exc:
        raise data_dir_error(data_dir, "打开日志文件", exc) from exc


def storage_dialog(exc: StorageError) -> QMessageBox:
    """The agent's dialog: which folder, why, what to do (Qt's button in Chinese)."""
    from PySide6.QtWidgets import QMessageBox

    return QMessageBox(
        QMessageBox.Icon.Critical, DIALOG_TITLE, exc.user_text(), QMessageBox.StandardButton.Ok
    )


def report(exc: StorageError, qt_app: object) -> int:
    """Stderr for IT, a dialog for the agent (when there is a screen to show it on)."""
    print(f"{DIALOG_TITLE}\n{exc.user_text()}", file=sys.stderr)
    log.error("cannot start: %s", exc)
    if qt_app.platformName() not in ("offscreen", "minimal"):  # type: ignore[attr-defined]
        storage_dialog(exc).exec()
    return EXIT_STORAGE


def skip_pyside_source_scan() -> None:
    """PySide6 reads the whole source file of every module imported after it, to see whether
    it mentions "PySide6" (the opt-in `from __feature__ import ...` switches, which this app
    never uses): ~230 files and 20-40 ms of start-up. Marking each new module "no feature"
    without reading it is what the scan concludes for every module of this app; a module that
    does import `__feature__` still gets its features (that import sets them itself)."""
    global _pyside_scan
    feature = sys.modules.get("shibokensupport.feature")
    scan = getattr(feature, "_mod_uses_pyside", None)
    if callable(scan) and scan is not _no_pyside_feature:
        _pyside_scan = scan  # PySide6's own, kept (tests compare against it)
        feature._mod_uses_pyside = _no_pyside_feature  # type: ignore[union-attr]


_pyside_scan: object = None


def _no_pyside_feature(_module: object) -> bool:
    return False


def install_fast_enums() -> None:
    """PySide6 makes a Python enum class for every Qt enum, at its import and when each Qt
    class is first used (~270 enums to the first frame, ~20 µs a name through the stdlib's
    machinery): `desktop.fast_enum` makes the same classes in bulk. Before PySide6 is
    imported, and for the whole run (the classes keep being made lazily)."""
    from desktop import fast_enum

    fast_enum.install()


def run(options: argparse.Namespace) -> int:
    install_fast_enums()
    # Start-up allocates a few hundred thousand objects and leaves little cyclic garbage:
    # the collector ran ~100 times (15-25 ms) before the first frame. App.start_background
    # freezes what start-up built and turns it back on.
    gc.disable()
    try:
        return _run(options)
    finally:
        gc.enable()


def _run(options: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(options)
    _cache_dataclass_code(data_dir)  # before the app's modules define their dataclasses
    from desktop import code_cache

    code_cache.start_regexes()  # until the start-up work begins (App.start_background)

    with code_cache.embedded_sources():  # shiboken's own modules: their code from the cache
        from PySide6.QtWidgets import QApplication

    skip_pyside_source_scan()
    from desktop.app import build_app
    from desktop.instance.lock import InstanceLock

    existing = QApplication.instance()
    qt_app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    qt_app.setApplicationName("坐席助手")
    qt_app.setOrganizationName("callassist")
    from desktop.ui.qt_translation import install_qt_translation

    install_qt_translation(qt_app)  # Qt's own buttons and dialogs in Chinese
    try:
        prepare_data_dir(data_dir)
        lock = InstanceLock(data_dir)  # held until this process exits
        try:
            locked = lock.acquire()
        except OSError as exc:
            raise data_dir_error(data_dir, "创建实例锁", exc) from exc
    except StorageError as exc:
        return report(exc, qt_app)
    if not locked:
        from desktop.instance.ipc import IpcClient  # the app itself starts its server later

        if IpcClient.send(data_dir, {"op": "raise"}, timeout=3.0):
            print(f"坐席助手已在运行（{data_dir}），已切换到已打开的窗口。", file=sys.stderr)
        else:
            print(
                f"坐席助手已在运行（{data_dir}），但它没有响应切换窗口的请求；"
                "请在任务栏中找到它的窗口。",
                file=sys.stderr,
            )
        return 0
    try:
        # the window first: the softphone bridge, desk keys, reminder alert and scheduler,
        # text assist and menus are wired on the event loop's next turns (desktop.app)
        app = build_app(data_dir, demo=options.demo, baresip=options.baresip, deferred=True)
    except StorageError as exc:
        lock.release()
        return report(exc, qt_app)
    except OSError as exc:  # a file in the data dir that cannot be written (read-only)
        lock.release()
        return report(data_dir_error(data_dir, "写入", exc), qt_app)
    install_error_hook(app.window.show_message)
    app.window.show()
    _first_run(app, options)
    if getattr(options, "command", None) == "review":
        _open_review(app, options.db)
    if os.environ.get(EXIT_AT_IDLE_ENV) == "1":  # bench: time a frozen build to its first idle
        _exit_at_idle(qt_app, app.window)
    code = qt_app.exec()
    app.close()
    lock.release()
    from desktop import code_cache

    code_cache.save()  # what this start compiled, for the next one
    return code


def _cache_dataclass_code(data_dir: Path) -> None:
    from desktop import code_cache
    from desktop.paths import DataDir

    try:
        code_cache.install(code_cache.cache_file(DataDir.at(data_dir).cache))
    except Exception:  # only ever a speed-up: start as usual without it
        log.exception("dataclass code cache not used")


def _open_review(app: object, db: str) -> None:
    """`callassist review [--db URL|FILE]`: the review window once the loop runs (it asks
    for the lead PIN like the menu does)."""
    from PySide6.QtCore import QTimer

    app.review_db = db  # type: ignore[attr-defined]

    def open_review() -> None:
        app.finish_startup()  # type: ignore[attr-defined]  # the review's menu entry is wired
        app.window.open_review()  # type: ignore[attr-defined]

    QTimer.singleShot(0, open_review)


def _first_run(app: object, options: argparse.Namespace) -> None:
    """A new data dir (not --demo) asks for the agent's own name, number and company,
    beside the window (a call that rings meanwhile comes first: desktop.ui.first_run)."""
    if not options.demo and app.settings.needs_first_run():  # type: ignore[attr-defined]
        from desktop.ui.first_run import offer_first_run

        app.first_run = offer_first_run(  # type: ignore[attr-defined]  # app: desktop.app.App
            app.settings,  # type: ignore[attr-defined]
            app.window,  # type: ignore[attr-defined]
            app.workspace,  # type: ignore[attr-defined]
        )
