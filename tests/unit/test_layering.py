"""The layers point one way (ui -> services -> core -> db): checked on every module's imports,
including imports inside functions, so a lazy import cannot slip past."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "shiboken6", "pyqtgraph")

RULES = {
    # package dir: forbidden module prefixes
    "desktop/core": (
        *QT,
        "db",
        "sqlite3",
        "sqlite_utils",
        "psycopg",
        "desktop.services",
        "desktop.ui",
    ),
    "db": (*QT, "desktop.services", "desktop.ui"),
    "desktop/services": ("desktop.ui", "PySide6.QtWidgets", "pyqtgraph"),
}


def imported_names(root: Path, path: Path) -> list[tuple[int, str]]:
    names = []
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.append((node.lineno, base))
            names += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return names


def violations(package: str, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / package).rglob("*.py")):
        for line, name in imported_names(root, path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(root)}:{line} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(RULES))
def test_layer_imports_only_what_it_may(package: str) -> None:
    assert list((ROOT / package).rglob("*.py")), f"{package} has no modules: rule is stale"
    assert violations(package, RULES[package]) == []


def test_the_check_sees_lazy_and_relative_forbidden_imports(tmp_path: Path) -> None:
    core = tmp_path / "desktop" / "core" / "text"
    core.mkdir(parents=True)
    (core / "probe.py").write_text(
        "def f():\n    from PySide6.QtCore import QTimer\n\nfrom ...ui import tasks\n",
        encoding="utf-8",
    )
    assert sorted(violations("desktop/core", RULES["desktop/core"], tmp_path)) == [
        "desktop/core/text/probe.py:2 imports PySide6.QtCore",
        "desktop/core/text/probe.py:2 imports PySide6.QtCore.QTimer",
        "desktop/core/text/probe.py:4 imports desktop.ui",
        "desktop/core/text/probe.py:4 imports desktop.ui.tasks",
    ]
