"""The main window: the workspace, the status bar, view toggles (compact, always on top),
keyboard shortcuts and remembered geometry."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from desktop.ui.workspace.view import WorkspaceView

COMPACT_WIDTH = 440  # beside a softphone on a 1366-pixel screen; the layout may need a bit more


class MainWindow(QMainWindow):
    def __init__(self, view: WorkspaceView, ui_settings: QSettings) -> None:
        super().__init__()
        self.setWindowTitle("坐席助手")
        self.setObjectName("mainWindow")
        self.view = view
        self.ui_settings = ui_settings
        self.setCentralWidget(view)
        self.status_db = QLabel("")
        self.status_content = QLabel("")
        self.status_background = QLabel("")  # start-up parts that cannot run (yet)
        self.status_background.setStyleSheet("color: #8a1c1c;")
        self.status_background.setAccessibleName("后台任务状态")
        self.status_softphone = QLabel("")
        for label in (
            self.status_content,
            self.status_background,
            self.status_softphone,
            self.status_db,
        ):
            self.statusBar().addPermanentWidget(label)
        self._actions()
        self._shortcuts()
        self.resize(1280, 760)
        self._restoring = True  # the saved geometry already has the compact width
        if ui_settings.value("window/compact", False, type=bool):
            self.set_compact(True)
        geometry = ui_settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self._restoring = False
        if ui_settings.value("window/on_top", False, type=bool):
            self.on_top_action.setChecked(True)

    def _actions(self) -> None:
        view_menu = self.menuBar().addMenu("视图(&V)")
        self.compact_action = QAction("紧凑模式", self, checkable=True)
        self.compact_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.compact_action.toggled.connect(self.set_compact)
        self.on_top_action = QAction("窗口置顶", self, checkable=True)
        self.on_top_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.on_top_action.toggled.connect(self.set_on_top)
        view_menu.addAction(self.compact_action)
        view_menu.addAction(self.on_top_action)
        self.addActions([self.compact_action, self.on_top_action])  # shortcuts work menu closed
        self.call_menu = self.menuBar().addMenu("通话(&C)")
        self.tools_menu = self.menuBar().addMenu("工具(&T)")

    def _shortcuts(self) -> None:
        v = self.view
        bindings = {
            "Ctrl+N": v.call_bar.new_button.click,
            "Ctrl+Shift+A": v.call_bar.answer_button.click,
            "Ctrl+E": v.call_bar.end_button.click,
            "Ctrl+Return": v.wrap_up.complete.click,
            "Ctrl+L": v.notes.editor.setFocus,
            "Escape": v.new_call.hide,
        }
        for keys, slot in bindings.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    def set_compact(self, compact: bool) -> None:
        if self.compact_action.isChecked() != compact:
            self.compact_action.setChecked(compact)
            return
        self.view.set_compact(compact)
        if compact and not self._restoring:
            # after the layout has taken the new arrangement, so its narrower minimum applies
            QTimer.singleShot(0, lambda: self.resize(COMPACT_WIDTH, max(self.height(), 700)))
        self.ui_settings.setValue("window/compact", compact)

    def set_on_top(self, on_top: bool) -> None:
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on_top)
        self.ui_settings.setValue("window/on_top", on_top)
        self.show()

    def add_side_panel(self, widget: QWidget) -> None:
        self.view.side_layout.addWidget(widget, 1)

    def alert_area(self) -> QRect:
        """Where a reminder alert may float: over the scripts and history, below the intent
        buttons, so it never hides the call controls, the notes or the wrap-up bar."""
        main = self.view.main
        top_left = main.mapTo(self, QPoint(0, 0))
        return QRect(top_left, main.size())

    def bring_to_front(self) -> None:
        """A second launch asked for this window: show it without starting another app."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def show_background_status(self, text: str) -> None:
        """Start-up work that cannot run: kept in the status bar until it recovers."""
        self.status_background.setText(text)
        self.status_background.setVisible(bool(text))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.view.notes.flush()
        self.ui_settings.setValue("window/geometry", self.saveGeometry())
        self.ui_settings.sync()
        super().closeEvent(event)
