"""The script panel: talk tracks for the current type and step, filled with the call's
values; Enter or double-click copies, Ctrl+D pins a favourite, typing searches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.content.model import Script
from desktop.core.script_catalog import ScriptGroup
from desktop.ui.local_stack import LocalStack
from desktop.ui.workspace.script_list import BODY_ROLE, ScriptList

SCRIPT_ROLE = Qt.ItemDataRole.UserRole
TEXT_ROLE = BODY_ROLE
COMPACT_MIN_LINES = 9  # compact: about three scripts stay in view however short the window
# Grouped lists kept built, the latest first: switching back to a call type shown before in
# this call (the same groups, filled with the same values) shows its list again instead of
# rebuilding ~100 rows (a third of an intent switch's CPU: 8.3 -> 5.3 ms measured).
GROUPED_KEPT = 10


class ScriptPanel(QWidget):
    copy_requested = Signal(str, str)  # script id ("" for a draft typed from scratch), text
    draft_edited = Signal(str)
    favourite_toggled = Signal(str)  # script id
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = self._title = QLabel("话术")
        title.setObjectName("panelTitle")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索话术（Ctrl+F），回车复制第一条")
        self.search.setAccessibleName("搜索话术")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.search_changed)
        self.search.returnPressed.connect(self._copy_first)
        self.search.installEventFilter(self)  # Down moves into the results
        # The grouped view stays built while the agent searches, so a keystroke only
        # rebuilds the short result list (and the grouped view keeps its scroll); the grouped
        # views of the last few call types stay built too (GROUPED_KEPT).
        self._grouped = self._make_list("话术列表")
        self._results = self._make_list("话术搜索结果")
        self._lists = LocalStack(self._grouped, self._results)
        self._kept: list[tuple[tuple[ScriptGroup, ...], dict[str, str], ScriptList]] = []
        self.draft = QPlainTextEdit()
        self.draft.setAccessibleName("回复草稿")
        self.draft.setPlaceholderText(
            "回复草稿：Alt+E 把选中的话术放进来改写，Ctrl+Shift+Enter 复制"
        )
        self.draft.setMaximumHeight(90)
        self.draft.textChanged.connect(lambda: self.draft_edited.emit(self.draft.toPlainText()))
        self.draft.textChanged.connect(self._show_draft)
        self.draft_warning = QLabel("")
        self.draft_warning.setWordWrap(True)
        self.draft_warning.setStyleSheet("color: #8a4b00;")
        self.draft_warning.hide()
        self.copy_draft_button = QPushButton("复制草稿 Ctrl+Shift+Enter")
        self.copy_draft_button.clicked.connect(self.copy_draft)
        self._draft_script = ""
        self._shown: tuple[tuple[ScriptGroup, ...], dict[str, str]] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(LocalStack(self.search))
        layout.addWidget(self._lists, 1)
        layout.addWidget(self.draft)
        layout.addWidget(self.draft_warning)
        layout.addWidget(self.copy_draft_button)
        edit = QShortcut(QKeySequence("Alt+E"), self)
        edit.setContext(Qt.ShortcutContext.WindowShortcut)
        edit.activated.connect(self.edit_selected)
        copy_draft = QShortcut(QKeySequence("Ctrl+Shift+Return"), self)
        copy_draft.setContext(Qt.ShortcutContext.WindowShortcut)
        copy_draft.activated.connect(self.copy_draft)
        find = QShortcut(QKeySequence("Ctrl+F"), self)
        find.setContext(Qt.ShortcutContext.WindowShortcut)
        find.activated.connect(self._focus_search)

    def _make_list(self, name: str) -> ScriptList:
        lst = ScriptList(name)
        lst.setToolTip("回车或双击复制；Ctrl+D 收藏")  # one for the list, not one per row
        lst.itemActivated.connect(self._copy_item)
        lst.itemDoubleClicked.connect(self._copy_item)
        fav = QShortcut(QKeySequence("Ctrl+D"), lst)
        fav.activated.connect(self._toggle_favourite)
        return lst

    @property
    def list_widget(self) -> ScriptList:
        """The list on screen: the grouped view, or the search results."""
        return cast(ScriptList, self._lists.current())

    def show_groups(self, groups: tuple[ScriptGroup, ...], fill: dict[str, str]) -> None:
        """Replace the grouped view with these groups; headers are not selectable. The same
        groups and texts again (back from a search, a refresh) keep the built list."""
        if self._shown is None or self._shown != (groups, fill):
            self._grouped = self._grouped_list(groups, fill)
            self._shown = (groups, fill)
        self._lists.set_current(self._grouped)

    def _grouped_list(self, groups: tuple[ScriptGroup, ...], fill: dict[str, str]) -> ScriptList:
        """The grouped list of these groups: a kept one (scrolled back to the top, nothing
        selected, as a fresh one), or one built now in place of the least recent."""
        for index, (kept_groups, kept_fill, lst) in enumerate(self._kept):
            if kept_groups == groups and kept_fill == fill:
                self._kept.insert(0, self._kept.pop(index))
                lst.setCurrentRow(-1)
                lst.scrollToTop()
                return lst
        if not self._kept:  # the first: the list made with the panel
            lst = self._grouped
        elif len(self._kept) < GROUPED_KEPT:
            lst = self._make_list("话术列表")
            self._lists.add(lst)  # the panel's font from here on
        else:  # the least recent is rebuilt (never the one on screen: that is the latest)
            lst = self._kept.pop()[2]
        self._kept = [k for k in self._kept if k[2] is not lst]
        self._fill(lst, [(g.title, g.scripts) for g in groups], fill)
        self._kept.insert(0, (groups, fill, lst))
        return lst

    def show_results(self, scripts: list[Script], fill: dict[str, str]) -> None:
        title = f"搜索结果（{len(scripts)}）" if scripts else "没有找到匹配的话术"
        self._fill(self._results, [(title, tuple(scripts))], fill)
        self._lists.set_current(self._results)

    def _fill(
        self, lst: ScriptList, groups: list[tuple[str, tuple[Script, ...]]], fill: dict[str, str]
    ) -> None:
        lst.replace_rows(self._rows(lst, groups, fill))

    @staticmethod
    def _rows(
        lst: ScriptList, groups: list[tuple[str, tuple[Script, ...]]], fill: dict[str, str]
    ) -> Iterator[QListWidgetItem]:
        for title, scripts in groups:
            yield lst.header_item(title)
            for script in scripts:
                method = f"［{script.method}］" if script.method else ""
                item = lst.script_item(f"{method}{script.title}", fill.get(script.id, script.text))
                item.setData(SCRIPT_ROLE, script.id)
                yield item

    def script_items(self) -> list[QListWidgetItem]:
        """The script rows (not headers) of the list on screen."""
        lst = self.list_widget
        return [lst.item(i) for i in range(lst.count()) if lst.item(i).data(SCRIPT_ROLE)]

    def _copy_item(self, item: QListWidgetItem) -> None:
        script_id = item.data(SCRIPT_ROLE)
        if script_id:
            self.copy_requested.emit(script_id, item.data(TEXT_ROLE))

    def _copy_first(self) -> None:
        items = self.script_items()
        if items:
            self._copy_item(items[0])

    def _toggle_favourite(self) -> None:
        item = self.list_widget.currentItem()
        if item is not None and item.data(SCRIPT_ROLE):
            self.favourite_toggled.emit(item.data(SCRIPT_ROLE))

    def edit_selected(self) -> None:
        """Put the selected script's filled text in the draft box to adapt it to this caller."""
        item: QListWidgetItem | None = self.list_widget.currentItem()
        if item is None or not item.data(SCRIPT_ROLE):
            items = self.script_items()
            item = items[0] if items else None
        if item is None:
            return
        self._draft_script = item.data(SCRIPT_ROLE)
        self.draft.setPlainText(item.data(TEXT_ROLE))
        self._show_draft()
        self.draft.moveCursor(QTextCursor.MoveOperation.End)
        self.draft.setFocus()

    def copy_draft(self) -> None:
        text = self.draft.toPlainText().strip()
        if text:
            self.copy_requested.emit(self._draft_script, text)

    def clear_search(self) -> bool:
        """Empty the search box (back to the grouped view); False when it was empty."""
        if not self.search.text():
            return False
        self.search.clear()
        return True

    def set_compact(self, compact: bool) -> None:
        """Compact: the reply draft only takes room when it holds text (Alt+E fills it), and
        the list never shrinks below a few scripts."""
        self._compact = compact
        rows = COMPACT_MIN_LINES * self.fontMetrics().lineSpacing() if compact else 0
        self._lists.setMinimumHeight(rows)
        # the search box says 搜索话术: the title's line goes to the list
        self._title.setVisible(not compact)
        self._show_draft()

    def _show_draft(self) -> None:
        shown = not getattr(self, "_compact", False) or bool(self.draft.toPlainText())
        self.draft.setVisible(shown)
        self.copy_draft_button.setVisible(shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down  # type: ignore[attr-defined]
        ):
            items = self.script_items()
            if items:
                self.list_widget.setCurrentItem(items[0])
                self.list_widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
