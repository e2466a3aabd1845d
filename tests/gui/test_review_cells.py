"""The call table answers a painted cell in one `multiData` call (Qt 6's delegate asks seven
roles per cell) with exactly what `data` gives role by role, and the view really paints
through it: the texts on screen are the model's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt

from desktop.ui.review.call_model import COLUMNS, CallTableModel
from desktop.ui.tasks import TaskRunner
from tests.gui.test_review import source_for
from tests.helpers.review_fixture import build_review_db

ROLES = [int(r) for r in (
    Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole,
)]  # fmt: skip


class Counting(CallTableModel):
    """The model, noting every cell the view asks for in one multiData call."""

    asked: list[tuple[int, int]]
    one_by_one: int = 0  # data() calls: Qt's default multiData makes one per role

    def multiData(self, index, roleDataSpan) -> None:
        self.asked.append((index.row(), index.column()))
        super().multiData(index, roleDataSpan)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        self.one_by_one += 1
        return super().data(index, role)


@pytest.fixture
def model(qtbot, tmp_path: Path) -> Iterator[Counting]:
    tasks = TaskRunner()
    source = source_for(build_review_db(tmp_path / "r.sqlite3"))
    model = Counting(source, tasks.run_in_background)
    model.asked = []
    model.load(model.filter)
    qtbot.waitUntil(lambda: model.rowCount() > 0 and not model.loading, timeout=10_000)
    yield model
    qtbot.waitUntil(lambda: tasks.idle, timeout=20_000)
    tasks.close()


def test_multi_data_gives_what_data_gives_for_every_role(model: Counting) -> None:
    seen = set()
    for row in range(model.rowCount()):
        for col in range(len(COLUMNS)):
            index = model.index(row, col)
            for role in ROLES:
                slot = QModelRoleData(role)
                model.multiData(index, QModelRoleDataSpan(slot))
                assert slot.data() == model.data(index, role), (row, col, role)
                seen.add(type(slot.data()).__name__)
    assert {"str", "int"} <= seen  # texts, the right-aligned columns


def test_the_painted_table_asks_multi_data_once_per_cell(qtbot, model: Counting) -> None:
    from PySide6.QtWidgets import QTableView

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(1600, 600)
    view.show()
    qtbot.waitUntil(lambda: len(model.asked) > 0, timeout=5_000)  # its first paint
    model.asked.clear()
    model.one_by_one = 0
    view.viewport().repaint()
    cells = model.rowCount() * len(COLUMNS)
    assert len(model.asked) == cells and len(set(model.asked)) == cells
    assert model.one_by_one == 0  # no role went through data() on its own
