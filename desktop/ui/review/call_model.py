"""The call log as a lazy Qt table model: keyset pages fetched on the task runner as the view
scrolls (canFetchMore/fetchMore), so a million calls open at once; "jump to row N" restarts
the window of loaded rows at N. Rows are swapped in on the GUI thread only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop.core.calls import OUTCOME_LABELS, PRIORITY_LABELS
from desktop.services.review.browser import PAGE, CallFilter, CallRow, Sort
from desktop.services.review.story import INTENT_LABELS
from desktop.ui.review.source import ReviewSource

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

COLUMNS = (
    ("日期", "started_at"),
    ("坐席", "agent"),
    ("号码", None),
    ("客户", None),
    ("类型", "intent"),
    ("优先级", "priority"),
    ("通话", "talk_s"),
    ("话后", "acw_s"),
    ("结果", "outcome"),
    ("步骤", None),
    ("提醒", None),
    ("记录", None),
)


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_OTHER_ROLES = (int(Qt.ItemDataRole.ToolTipRole), int(Qt.ItemDataRole.UserRole))
_RIGHT_COLUMNS = (6, 7, 10)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def seconds_text(value: float | None) -> str:
    if value is None:
        return ""
    total = round(value)
    return f"{total // 60}:{total % 60:02d}"


class CallTableModel(QAbstractTableModel):
    """Loaded rows are `base .. base + len(rows)` of the filtered, sorted log."""

    loading_changed = Signal(bool)
    count_changed = Signal(int)  # total rows of the filter (arrives after the first page)
    failed = Signal(str)
    about_to_refresh = Signal()  # fresh rows are about to be merged in (the view notes its place)
    refreshed = Signal()  # they are in: rows kept their identity, selection and current row

    def __init__(self, source: ReviewSource, run: Callable[..., Any], parent=None) -> None:
        super().__init__(parent)
        self._source = source
        self._run = run  # TaskRunner.run_in_background
        self.filter = CallFilter()
        self.sort_order = Sort()
        self.rows: list[CallRow] = []
        self.base = 0
        self.total: int | None = None
        self._exhausted = True
        self._loading = False
        self._refresh_after = False
        self._generation = 0
        # a row's cell texts, made on first paint: id(row) -> (row, texts)
        self._texts: dict[int, tuple[CallRow, tuple[str, ...]]] = {}

    # ---- loading --------------------------------------------------------------------
    def load(self, filter: CallFilter, sort: Sort | None = None, start: int = 0) -> None:
        """Show `filter` from row `start`; the newest call wins over any still running."""
        self.filter = filter
        self.sort_order = sort or self.sort_order
        self._generation += 1
        generation = self._generation
        self._refresh_after = False  # this load reads the database as it is now
        self.beginResetModel()
        self.rows, self.base, self._exhausted = [], max(0, start), False
        self._texts.clear()
        self.endResetModel()
        self._set_loading(True)
        flt, order, base = self.filter, self.sort_order, self.base

        def first_page() -> list[CallRow]:
            browser = self._source.browser()
            if base:
                return browser.jump(flt, order, base, PAGE)
            return browser.page(flt, order, None, PAGE)

        self._run(first_page, lambda f: self._arrived(f, generation, True), key="review.page")
        if start == 0:
            self.total = None
            self._run(
                lambda: self._source.browser().count(flt),
                lambda f: self._counted(f, generation),
                key="review.count",
            )

    def jump_to(self, row: int) -> None:
        self.load(self.filter, self.sort_order, row)

    def refresh(self) -> None:
        """Re-read the rows on show (the database changed): the same window of the log, from
        the top when it starts there (new calls appear), else from its first row's key.
        Rows that stay keep their place in the view; a newer load() wins over this."""
        if self._loading:  # a page is on its way: refresh once it is in, so none is lost
            self._refresh_after = True
            return
        self._set_loading(True)  # no fetchMore meanwhile: it would continue from a stale key
        generation = self._generation
        flt, order = self.filter, self.sort_order
        want = max(PAGE, len(self.rows))
        start = self.rows[0].key if self.base and self.rows else None

        def work() -> tuple[list[CallRow], int, int]:
            browser = self._source.browser()
            if start is None:
                rows = browser.page(flt, order, None, want)
                base = 0
            else:
                rows = browser.page(flt, order, start, want, inclusive=True)
                base = browser.position_of(flt, order, rows[0].key) if rows else 0
            return rows, base, browser.count(flt)

        self._run(work, lambda f: self._refreshed(f, generation, want), key="review.refresh")

    def _refreshed(self, future, generation: int, want: int) -> None:
        if generation != self._generation:
            return
        try:
            rows, base, total = future.result()
        except Exception as exc:
            self._set_loading(False)
            self.failed.emit(str(exc) or type(exc).__name__)
            return
        self.about_to_refresh.emit()
        self._merge(rows)
        if base != self.base:
            self.base = base
            if self.rows:
                self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(self.rows) - 1)
        self._exhausted = len(rows) < want
        self.total = total
        self.count_changed.emit(total)
        self.refreshed.emit()
        self._set_loading(False)

    def _merge(self, fresh: list[CallRow]) -> None:
        """Turn the loaded rows into `fresh` with row removals, a reorder and insertions, so
        the view keeps its selection and current row on the calls themselves."""
        wanted = {r.id for r in fresh}
        end = len(self.rows)
        while end > 0:  # remove gone rows, in blocks, from the bottom up
            if self.rows[end - 1].id in wanted:
                end -= 1
                continue
            first = end - 1
            while first > 0 and self.rows[first - 1].id not in wanted:
                first -= 1
            self.beginRemoveRows(QModelIndex(), first, end - 1)
            del self.rows[first:end]
            self.endRemoveRows()
            end = first
        kept = {r.id for r in self.rows}
        order = [r.id for r in fresh if r.id in kept]
        if [r.id for r in self.rows] != order:  # a changed sort value moved calls
            self.layoutAboutToBeChanged.emit()
            position = {cid: n for n, cid in enumerate(order)}
            old = list(self.persistentIndexList())
            moved = [
                self.index(position[self.rows[i.row()].id], i.column()) if i.isValid() else i
                for i in old
            ]
            self.rows.sort(key=lambda r: position[r.id])
            self.changePersistentIndexList(old, moved)
            self.layoutChanged.emit()
        at = 0
        while at < len(fresh):  # insert new rows where they belong, in blocks
            if fresh[at].id in kept:
                at += 1
                continue
            stop = at
            while stop < len(fresh) and fresh[stop].id not in kept:
                stop += 1
            self.beginInsertRows(QModelIndex(), at, stop - 1)
            self.rows[at:at] = fresh[at:stop]
            self.endInsertRows()
            at = stop
        self.rows = list(fresh)  # same ids in the same places: the new values
        self._texts.clear()  # (and the zone may have changed: times are redrawn)
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1)
            )

    def canFetchMore(self, parent: Index = _ROOT) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = _ROOT) -> None:
        if not self.canFetchMore(parent) or not self.rows:
            return
        generation = self._generation
        flt, order, after = self.filter, self.sort_order, self.rows[-1].key
        self._set_loading(True)
        self._run(
            lambda: self._source.browser().page(flt, order, after, PAGE),
            lambda f: self._arrived(f, generation, False),
            key="review.more",
        )

    def _arrived(self, future, generation: int, first: bool) -> None:
        if generation != self._generation:
            return
        try:
            rows = future.result()
        except Exception as exc:  # a bad filter or an unreadable file: say so, keep the window
            self._exhausted = True
            self._set_loading(False)
            self.failed.emit(str(exc) or type(exc).__name__)
            return
        self._exhausted = len(rows) < PAGE
        if rows:
            at = len(self.rows)
            self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self._set_loading(False)
        if self._refresh_after:
            self._refresh_after = False
            self.refresh()

    def _counted(self, future, generation: int) -> None:
        if generation != self._generation:
            return
        try:
            self.total = int(future.result())
        except Exception as exc:
            self.failed.emit(str(exc))
            return
        self.count_changed.emit(self.total)

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        self.loading_changed.emit(loading)

    @property
    def loading(self) -> bool:
        return self._loading

    # ---- Qt model -------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        """Qt's own asks rowCount and columnCount (two Python calls) for every painted cell."""
        if parent.isValid() or not (0 <= row < len(self.rows) and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return str(self.base + section + 1)

    def row(self, index: int) -> CallRow | None:
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells(r)[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 11:
            return r.notes_preview
        if role == Qt.ItemDataRole.ToolTipRole and col == 9 and r.skip_reason:
            return f"跳过原因：{r.skip_reason}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _RIGHT_COLUMNS:
            return _RIGHT
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None

    def multiData(self, index: Index, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        """Every role the view's delegate asks of a cell, in one call (Qt 6 asks seven per
        cell: one Python call per cell instead of seven, each needing the GIL that a busy
        worker may hold, is what keeps a repaint short while the statistics run)."""
        if not index.isValid():
            return
        r = self.rows[index.row()]
        col = index.column()
        # a span iterates its QModelRoleData (PySide6's stubs do not say so); a lone one is one
        slots: Iterable[QModelRoleData] = (
            [roleDataSpan] if isinstance(roleDataSpan, QModelRoleData) else cast(Any, roleDataSpan)
        )
        for slot in slots:
            role = slot.role()
            if role == _DISPLAY:
                slot.setData(self._cells(r)[col])
            elif role == _ALIGNMENT:
                if col in _RIGHT_COLUMNS:
                    slot.setData(_RIGHT)
            elif role in _OTHER_ROLES:
                value = self.data(index, role)
                if value is not None:
                    slot.setData(value)

    def _cells(self, r: CallRow) -> tuple[str, ...]:
        known = self._texts.get(id(r))
        if known is not None and known[0] is r:
            return known[1]
        texts = tuple(self._text(r, col) for col in range(len(COLUMNS)))
        self._texts[id(r)] = (r, texts)
        return texts

    def _text(self, r: CallRow, col: int) -> str:
        if col == 0:
            return self._source.calendar().format_iso(r.started_at, "%Y-%m-%d %H:%M")
        if col == 1:
            return r.agent
        if col == 2:
            return r.masked_phone or "未知号码"
        if col == 3:
            return r.caller
        if col == 4:
            return "未接" if r.status == "missed" else INTENT_LABELS.get(r.intent or "", "未分类")
        if col == 5:
            return PRIORITY_LABELS.get(r.priority, r.priority)
        if col == 6:
            return seconds_text(r.talk_s)
        if col == 7:
            return seconds_text(r.acw_s)
        if col == 8:
            return OUTCOME_LABELS.get(r.outcome or "", "")
        if col == 9:
            return r.checklist_text
        if col == 10:
            if not r.reminders:
                return ""
            return (
                f"{r.reminders}（{r.reminders_open} 未完）"
                if r.reminders_open
                else str(r.reminders)
            )
        return r.notes_preview

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        if key is None:
            return
        self.load(self.filter, Sort(key, order == Qt.SortOrder.DescendingOrder))
