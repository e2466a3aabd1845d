"""The workspace layout: every panel in one widget, in a full (wide) or compact (narrow,
beside the softphone) arrangement. No logic here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from desktop.ui.workspace.banners import InlineNote, MissedBanner, RingBanner
from desktop.ui.workspace.call_bar import CallBar
from desktop.ui.workspace.checklist_panel import ChecklistPanel
from desktop.ui.workspace.history_panel import HistoryPanel
from desktop.ui.workspace.intent_bar import IntentBar
from desktop.ui.workspace.new_call_bar import NewCallBar
from desktop.ui.workspace.notes_panel import NotesPanel
from desktop.ui.workspace.script_panel import ScriptPanel
from desktop.ui.workspace.wrap_up_bar import WrapUpBar


class WorkspaceView(QWidget):
    def heightForWidth(self, width: int) -> int:
        """Word-wrapped labels make the layout height-for-width, and the scroll area then
        sizes the view to its *preferred* height (about 800 px), pushing the wrap-up and its
        完成 below a laptop screen. Answering with the minimum lets the view fill the
        viewport while its lists give way; the scroll bar appears only below the minimum.
        The compact layout keeps its preferred height: there the scripts keep their room and
        the column scrolls."""
        if self.compact:
            return super().heightForWidth(width)
        return max(self.minimumSizeHint().height(), self.minimumHeight())

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.now = now  # the injected clock, for anything the panels show relative to "now"
        self.call_bar = CallBar(now)
        self.inline_note = InlineNote()
        self.ring_banner = RingBanner()
        self.missed_banner = MissedBanner()
        self.new_call = NewCallBar()
        self.new_call.hide()
        self.intent_bar = IntentBar()
        self.checklist = ChecklistPanel()
        self.scripts = ScriptPanel()
        self.notes = NotesPanel()
        self.history = HistoryPanel()
        self.wrap_up = WrapUpBar()
        self.side = QWidget()  # history above, the reminders panel is added below it
        self.side_layout = QVBoxLayout(self.side)
        self.side_layout.setContentsMargins(0, 0, 0, 0)
        self.side_layout.addWidget(self.history, 1)

        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.addWidget(self.checklist)
        self.left.addWidget(self.notes)
        self.main = QSplitter(Qt.Orientation.Horizontal)
        self.main.addWidget(self.left)
        self.main.addWidget(self.scripts)
        self.main.addWidget(self.side)
        self.main.setChildrenCollapsible(False)
        self.main.setStretchFactor(0, 3)
        self.main.setStretchFactor(1, 4)
        self.main.setStretchFactor(2, 3)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.call_bar)
        layout.addWidget(self.ring_banner)
        layout.addWidget(self.missed_banner)
        layout.addWidget(self.inline_note)
        layout.addWidget(self.new_call)
        layout.addWidget(self.intent_bar)
        layout.addWidget(self.main, 1)
        layout.addWidget(self.wrap_up)
        self.compact = False

    def hasHeightForWidth(self) -> bool:
        """Word-wrapped labels must not make the scroll area give the whole workspace its
        preferred height (which pushes the wrap-up out of sight); it takes what fits."""
        return False

    def set_compact(self, compact: bool) -> None:
        """Compact: one narrow column (checklist, scripts, notes), history and reminders hidden
        behind the window's side toggle; intent buttons in two rows."""
        self.compact = compact
        self.intent_bar.set_columns(4 if compact else 8)
        self.main.setOrientation(Qt.Orientation.Vertical if compact else Qt.Orientation.Horizontal)
        self.side.setVisible(not compact)
        self.call_bar.set_compact(compact)
        self.scripts.set_compact(compact)
        # compact: scripts straight under the checklist, the notes below them
        if compact:
            self.main.addWidget(self.notes)
        else:
            self.left.addWidget(self.notes)
        # compact: the scripts get the room; checklist and notes keep a few lines each
        limit = 16777215
        self.checklist.list_widget.setMaximumHeight(130 if compact else limit)
        self.notes.editor.setMaximumHeight(80 if compact else limit)
        self.notes.editor.setMinimumHeight(50 if compact else 0)
        self.notes.setMaximumHeight(170 if compact else limit)
        if compact:
            self.main.setStretchFactor(0, 1)
            self.main.setStretchFactor(1, 5)
            self.main.setStretchFactor(self.main.indexOf(self.notes), 0)
        else:
            self.main.setStretchFactor(0, 3)
            self.main.setStretchFactor(1, 4)
