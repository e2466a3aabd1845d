"""desktop.core.reminders stays pure: no Qt and no database, so rules run anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

import desktop.core.reminders as package

FORBIDDEN = ("PySide6", "sqlite3", "sqlite_utils", "db", "desktop.services", "desktop.ui")


def test_core_reminders_import_no_qt_and_no_storage() -> None:
    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), (
                    f"{path.name} imports {name}"
                )
