"""desktop.run's start-up shortcuts: PySide6's per-import source scan is skipped, and the
garbage collector is paused only while the app starts."""

from __future__ import annotations

import gc
import importlib
import sys
from pathlib import Path

import PySide6.QtCore  # noqa: F401 - installs PySide6's import hook
import pytest

from desktop.run import skip_pyside_source_scan


def test_modules_imported_after_the_skip_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop.run as run_module

    feature = sys.modules["shibokensupport.feature"]
    # PySide6's own scan, also when an earlier test ran desktop.run and replaced it
    original = run_module._pyside_scan or feature._mod_uses_pyside
    monkeypatch.setattr(feature, "_mod_uses_pyside", original)
    monkeypatch.setattr(run_module, "_pyside_scan", None)
    (tmp_path / "scanned_mod.py").write_text("WORD = 'PySide6'\n")
    (tmp_path / "unscanned_mod.py").write_text("WORD = 'PySide6'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reads: list[str] = []
    import inspect

    real_getsource = inspect.getsource

    def counting(obj: object) -> str:
        reads.append(getattr(obj, "__name__", "?"))
        return real_getsource(obj)  # type: ignore[arg-type]

    monkeypatch.setattr(inspect, "getsource", counting)
    exec("import scanned_mod", {"__name__": "probe"})  # an import statement, through the hook
    assert "scanned_mod" in reads  # what PySide6 does by itself: reads the whole file
    skip_pyside_source_scan()
    exec("import unscanned_mod", {"__name__": "probe"})
    assert "unscanned_mod" not in reads
    assert feature.pyside_feature_dict["unscanned_mod"] == -1  # "no feature switching"
    for name in ("scanned_mod", "unscanned_mod"):
        sys.modules.pop(name, None)
        feature.pyside_feature_dict.pop(name, None)
    importlib.invalidate_caches()


def test_the_collector_runs_again_after_run_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop.run as run_module

    seen: list[bool] = []
    monkeypatch.setattr(run_module, "_run", lambda _options: seen.append(gc.isenabled()) or 7)
    assert gc.isenabled()
    assert run_module.run(object()) == 7  # type: ignore[arg-type]
    assert seen == [False] and gc.isenabled()
