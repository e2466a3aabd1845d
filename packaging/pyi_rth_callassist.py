"""PyInstaller run-time hook of 坐席助手 (build.spec), in place of PyInstaller's PySide6 and
multiprocessing hooks, which build.spec leaves out (issue 16).

PyInstaller's `pyi_rth_pyside6` imports PySide6.QtCore before the program's first line:
ahead of desktop.run's start-up speed-ups that must come before PySide6 (the bulk enums of
desktop.fast_enum, shiboken's sources and regexes from desktop.code_cache), and in every
`callassist event` the softphone runs, which needs no Qt at all. What it does besides is
kept here: the bundle's Qt plugin and QML folders (and on Windows `PATH`, for OpenSSL). Its
embedded qt.conf step has nothing to do for PySide6's PyPI wheels: PySide6 registers its
own `:/qt/etc/qt.conf` when QtCore is imported (the hook skips it then too). Its macOS
branches are left out with it: the app is built for Linux and Windows.

`pyi_rth_multiprocessing` imports multiprocessing (with subprocess and socket) only to
replace `multiprocessing.freeze_support`, which a frozen program calls to let the processes
multiprocessing spawns run; this app starts no process through multiprocessing (it uses
`multiprocessing.connection` for its single-instance IPC only) and never calls it.
"""

import os
import sys


def _callassist_rthook() -> None:
    meipass = sys._MEIPASS  # type: ignore[attr-defined]
    windows = sys.platform.startswith("win")
    qt_dir = os.path.join(meipass, "PySide6") if windows else os.path.join(meipass, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt_dir, "plugins")
    os.environ["QML2_IMPORT_PATH"] = os.path.join(qt_dir, "qml")
    if windows:
        path = os.environ.get("PATH", "")
        if meipass not in path.split(os.pathsep):
            os.environ["PATH"] = os.pathsep.join(filter(None, [meipass, path]))


_callassist_rthook()
del _callassist_rthook
