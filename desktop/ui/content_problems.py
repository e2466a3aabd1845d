"""Content-pack problems in a readable table: file, key, what is wrong (in Chinese)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.content.problems import Problem

_LINE = re.compile(r"line (\d+)")


def problem_text(problem: Problem) -> str:
    """What is wrong, in Chinese: the loader says it at the source (content/reasons.py)."""
    return problem.reason or problem.message


def problem_place(problem: Problem) -> str:
    """The key to look for; a TOML syntax error's "line N" reads 第 N 行."""
    line = _LINE.fullmatch(problem.key)
    return f"第 {line.group(1)} 行" if line else problem.key or "—"


class ContentProblemsDialog(QDialog):
    def __init__(self, problems: Sequence[Problem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("内容包问题")
        self.resize(760, 420)
        head = QLabel(
            f"内容包有 {len(problems)} 个问题，正在使用上次可用的版本。"
            "请按下表修改后按 Ctrl+Shift+R 重新加载。"
        )
        head.setWordWrap(True)
        self.table = QTableWidget(len(problems), 3)
        self.table.setAccessibleName("内容包问题列表")
        self.table.setHorizontalHeaderLabels(["文件", "键", "问题"])
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, problem in enumerate(problems):
            for column, text in enumerate(
                (
                    problem.file or "（内容包目录）",
                    problem_place(problem),
                    problem_text(problem),
                )
            ):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
