"""The benchmark runner works end to end, and a failing benchmark reads as missing, never 0."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS
from bench.common import Figures, benchmark
from bench.report import print_table, write_json

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_quick_intent_switch_writes_a_number(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k != "CALLASSIST_DATA_DIR"}
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "intent_switch", "--json", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    value = data["intent_switch_p99_ms"]
    assert isinstance(value, float) and value > 0, data.get("_missing")
    assert "intent_switch_p99_ms" in proc.stdout


def test_a_raising_benchmark_is_missing_with_its_reason(tmp_path: Path) -> None:
    @benchmark("broken_ms", "other_ms")
    def broken(quick: bool) -> Figures:
        raise RuntimeError("the widget went away")

    figures = broken(True)
    assert figures == {"broken_ms": None, "other_ms": None}
    assert figures.reasons["broken_ms"] == "RuntimeError: the widget went away"

    path = tmp_path / "out.json"
    write_json(figures, path, "quick")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["broken_ms"] is None
    assert data["_missing"]["broken_ms"] == "RuntimeError: the widget went away"

    table = io.StringIO()
    print_table(figures, table)
    assert "missing" in table.getvalue()
    assert "the widget went away" in table.getvalue()


def test_a_failed_import_and_an_unproduced_figure_are_missing() -> None:
    @benchmark("a_ms")
    def not_there(quick: bool) -> Figures:
        import desktop.no_such_feature  # noqa: F401

        return Figures(a_ms=1.0)

    @benchmark("a_ms", "b_ms")
    def half(quick: bool) -> Figures:
        return Figures(a_ms=1.5)

    assert not_there(True)["a_ms"] is None
    assert not_there(True).reasons["a_ms"].startswith("ModuleNotFoundError: ")
    assert half(True) == {"a_ms": 1.5, "b_ms": None}
    assert half(True).reasons == {"b_ms": "not measured"}


def test_every_benchmark_module_declares_the_figures_the_runner_lists() -> None:
    import importlib

    for name, keys in BENCHMARKS.items():
        assert importlib.import_module(f"bench.{name}").run.keys == keys
