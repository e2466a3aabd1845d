"""The main window: the workspace, the status bar, view toggles (compact, always on top),
keyboard shortcuts and remembered geometry."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QWidget,
)

from desktop.ui.workspace.view import WorkspaceView

COMPACT_WIDTH = 560  # beside a softphone on a 1366-pixel screen (at most 600)
DEFAULT_SIZE = QSize(1280, 760)
# Below this the workspace scrolls instead of squeezing the panels; the height is the
# layout's own minimum (every list keeps a few rows), so a short screen scrolls only as far
# as it must. 880: no sideways scrolling at 150 % on a 1366-pixel screen.
VIEW_MIN = QSize(880, 0)
COMPACT_VIEW_MIN = QSize(520, 0)


class MainWindow(QMainWindow):
    layout_changed = Signal()  # compact toggled: floating parts (the reminder alert) move
    lead_gate_source: Callable[[], object] | None = None  # the app's LeadGate, made when asked

    @property
    def lead_gate(self) -> object | None:
        """The app's lead-mode gate (`require_lead` looks for it here)."""
        return self.lead_gate_source() if self.lead_gate_source is not None else None

    def __init__(self, view: WorkspaceView, ui_settings: QSettings) -> None:
        super().__init__()
        self.setWindowTitle("坐席助手")
        self.setObjectName("mainWindow")
        self.view = view
        self.ui_settings = ui_settings
        # Every control of a call stays reachable on a small or scaled screen: the workspace
        # scrolls rather than overlapping or being cut off.
        self.workspace_scroll = QScrollArea()
        self.workspace_scroll.setObjectName("workspaceScroll")
        self.workspace_scroll.setWidgetResizable(True)
        self.workspace_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Never the focus itself: a click on a button that keeps the caret where it was
        # (the intent bar) would otherwise give it to the scroll area, out of the notes.
        self.workspace_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.workspace_scroll.setWidget(view)
        view.setMinimumSize(VIEW_MIN)
        self.setCentralWidget(self.workspace_scroll)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # Tab or a key moving focus scrolls it into sight
            app.focusChanged.connect(self._focus_moved)
        self.answer_key: Callable[[], None] = view.call_bar.answer_button.click
        self.status_db = QLabel("")
        self.status_content = QLabel("")
        self.status_background = QLabel("")  # start-up parts that cannot run (yet)
        self.status_background.setStyleSheet("color: #8a1c1c;")
        self.status_background.setAccessibleName("后台任务状态")
        self.status_softphone = QLabel("")
        self.status_problems = QPushButton("查看问题")
        self.status_problems.setFlat(True)
        self.status_problems.setAccessibleName("查看内容包问题")
        self.status_problems.hide()
        for label in (
            self.status_content,
            self.status_problems,
            self.status_background,
            self.status_softphone,
            self.status_db,
        ):
            self.statusBar().addPermanentWidget(label)
        self._actions()
        self._shortcuts()
        self.resize(DEFAULT_SIZE)
        self.fit_to_screen()
        self._restoring = True  # the saved geometry already has the compact width
        if ui_settings.value("window/compact", False, type=bool):
            self.set_compact(True)
        geometry = ui_settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
            self.fit_to_screen()  # saved on a bigger screen, or before a scaling change
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
            "Ctrl+Shift+A": lambda: self.answer_key(),
            "Ctrl+E": v.call_bar.end_button.click,
            "Ctrl+Return": v.wrap_up.complete.click,
            "Ctrl+L": v.notes.editor.setFocus,
            "Escape": self.escape,
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
        self.view.setMinimumSize(COMPACT_VIEW_MIN if compact else VIEW_MIN)
        if not self._restoring:
            # after the layout has taken the new arrangement, so its narrower minimum applies
            QTimer.singleShot(0, self._resize_for_mode)
        self.ui_settings.setValue("window/compact", compact)
        QTimer.singleShot(0, self.layout_changed.emit)

    def available(self) -> QRect:
        """The screen area this window may use (taskbar excluded)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def fit_to_screen(self) -> None:
        """Never larger than the available area, never off it (frame included)."""
        area = self.available()
        frame = self.frameGeometry().size() - self.geometry().size()
        width = min(self.width(), area.width() - frame.width())
        height = min(self.height(), area.height() - frame.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(max(width, 200), max(height, 200))
        x = min(max(self.x(), area.left()), area.right() - self.frameGeometry().width() + 1)
        y = min(max(self.y(), area.top()), area.bottom() - self.frameGeometry().height() + 1)
        if (x, y) != (self.x(), self.y()):
            self.move(max(x, area.left()), max(y, area.top()))

    def _resize_for_mode(self) -> None:
        area = self.available()
        if self.compact_action.isChecked():
            self.resize(min(COMPACT_WIDTH, area.width()), area.height())
        else:
            self.resize(DEFAULT_SIZE)
        self.fit_to_screen()

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.view.isAncestorOf(new):
            self.workspace_scroll.ensureWidgetVisible(new, 8, 8)

    def escape(self) -> None:
        """Esc clears the script search first; only then does it close the new-call bar."""
        if not self.view.scripts.clear_search():
            self.view.new_call.hide()

    def set_on_top(self, on_top: bool) -> None:
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on_top)
        self.ui_settings.setValue("window/on_top", on_top)
        self.show()

    def add_side_panel(self, widget: QWidget) -> None:
        # the reminders get twice the history's share: their form and list need the room
        self.view.side_layout.addWidget(widget, 2)
        # lists in the side column shrink to a few rows on a short screen instead of pushing
        # the wrap-up's 完成 out of sight
        for lst in self.view.side.findChildren(QAbstractItemView):
            lst.setMinimumHeight(60)

    def alert_area(self) -> QRect:
        """Where a reminder alert may float: over the history and reminders column (wide), or
        over the checklist and notes (compact, where the scripts are the only ones shown), so
        it never hides the call controls, the scripts or the wrap-up bar; clipped to what
        the scroll area shows."""
        part = self.view.left if self.view.compact else self.view.side
        rect = QRect(part.mapTo(self, QPoint(0, 0)), part.size())
        viewport = self.workspace_scroll.viewport()
        return rect.intersected(QRect(viewport.mapTo(self, QPoint(0, 0)), viewport.size()))

    def bring_to_front(self) -> None:
        """A second launch asked for this window: show it without starting another app."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def show_message(self, text: str) -> None:
        """The status bar, and the same words where the agent is looking."""
        self.statusBar().showMessage(text, 8000)
        self.view.inline_note.show_note(text)

    def show_background_status(self, text: str) -> None:
        """Start-up work that cannot run: kept in the status bar until it recovers."""
        self.status_background.setText(text)
        self.status_background.setVisible(bool(text))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit_to_screen()  # the frame's size is known only once shown

    def closeEvent(self, event: QCloseEvent) -> None:
        self.view.notes.flush()
        self.ui_settings.setValue("window/geometry", self.saveGeometry())
        self.ui_settings.sync()
        super().closeEvent(event)
