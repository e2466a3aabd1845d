"""The workspace layout: every panel in one widget, in a full (wide) or compact (narrow,
beside the softphone) arrangement. No logic here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QSplitter, QVBoxLayout, QWidget

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
        viewport while its lists give way (in compact mode the scripts alone); the scroll
        bar appears only below the minimum."""
        layout = self.layout()
        wrapped = layout.totalMinimumHeightForWidth(width) if layout is not None else 0
        return max(self.minimumSizeHint().height(), self.minimumHeight(), wrapped)

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
        self._sized = False
        # compact: one column in a plain layout, which (unlike a splitter) gives every extra
        # pixel to the scripts and keeps the checklist and notes at the height they need
        self.column = QWidget()
        self.column_layout = QVBoxLayout(self.column)
        self.column_layout.setContentsMargins(0, 0, 0, 0)
        self.column_layout.setSpacing(6)
        self.column.hide()

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
        layout.addWidget(self.column, 1)
        layout.addWidget(self.wrap_up)
        self.compact = False

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The columns start at 3 : 4 : 3 of the width (a splitter would start from its
        children's preferred widths, which leave the scripts a sliver on a narrow screen)."""
        super().resizeEvent(event)
        if not self._sized and not self.compact and self.main.width() > 0:
            self._sized = True
            self.split_columns()

    def split_columns(self) -> None:
        width = self.main.width() - 2 * self.main.handleWidth()
        self.main.setSizes([width * 3 // 10, width * 4 // 10, width - 7 * width // 10])

    def hasHeightForWidth(self) -> bool:
        """Word-wrapped labels must not make the scroll area give the whole workspace its
        preferred height (which pushes the wrap-up out of sight); it takes what fits."""
        return False

    def set_compact(self, compact: bool) -> None:
        """Compact: one narrow column (checklist, scripts, notes) that fits beside a softphone,
        the scripts taking the room; history and reminders hidden (the reminder alert still
        pops); intent buttons in two rows, outcomes in two rows."""
        if compact == self.compact:
            return
        self.compact = compact
        self.intent_bar.set_columns(4 if compact else 8)
        self.side.setVisible(not compact)
        self.call_bar.set_compact(compact)
        self.scripts.set_compact(compact)
        self.checklist.set_compact(compact)
        self.notes.set_compact(compact)
        self.wrap_up.set_compact(compact)
        # compact: the checklist's column part is as tall as the checklist needs, no taller
        policy = QSizePolicy.Policy.Maximum if compact else QSizePolicy.Policy.Expanding
        self.left.setSizePolicy(QSizePolicy.Policy.Expanding, policy)
        if compact:
            self.column_layout.addWidget(self.left, 0)  # the checklist
            self.column_layout.addWidget(self.scripts, 1)
            self.column_layout.addWidget(self.notes, 0)
        else:
            self.main.insertWidget(0, self.left)
            self.main.insertWidget(1, self.scripts)
            self.left.addWidget(self.notes)
            self.main.setStretchFactor(0, 3)
            self.main.setStretchFactor(1, 4)
            self._sized = False  # split again once the wider window is laid out
        self.main.setVisible(not compact)
        self.column.setVisible(compact)
