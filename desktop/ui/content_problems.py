"""Content-pack problems in a readable table: file, key, what is wrong (in Chinese)."""

from __future__ import annotations

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

# The loader's messages are English (for `content check` and IT); the team lead reads these.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("duplicate key", "键重复"),
    ("duplicate id", "编号重复"),
    ("duplicate phrase", "短语重复"),
    ("unknown call type", "未知的来电类型"),
    ("unknown outcome", "未知的处理结果"),
    ("unknown variable", "未知的变量"),
    ("unbalanced braces", "花括号不成对"),
    ("empty placeholder", "空的占位符"),
    ("is required", "必须填写"),
    ("missing", "缺少"),
    ("must be", "必须是"),
    ("expected", "应为"),
    ("not allowed", "不允许"),
    ("unknown key", "未知的键"),
    ("invalid", "无效"),
    ("cannot read", "无法读取"),
    ("TOML", "TOML 格式错误"),
)


def problem_text(message: str) -> str:
    """A Chinese reading of a loader message (the original stays beside it)."""
    hits = [zh for en, zh in _PHRASES if en.lower() in message.lower()]
    return f"{'；'.join(hits)}（{message}）" if hits else message


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
                    problem.key or "—",
                    problem_text(problem.message),
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
