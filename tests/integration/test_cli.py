"""The command line as users and IT run it: content check, data dir choice, bad databases."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from desktop import paths
from desktop.run import resolve_data_dir

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        cwd=ROOT,
    )


def test_content_check_passes_on_the_bundled_pack() -> None:
    result = _run("content", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "通过" in result.stdout


def test_content_check_lists_every_problem_and_fails(tmp_path: Path) -> None:
    pack = tmp_path / "zh_CN"
    shutil.copytree(paths.content_pack_dir(), pack)
    types = pack / "call_types.toml"
    types.write_text(types.read_text(encoding="utf-8").replace('"F2"', '"F1"', 1), encoding="utf-8")
    (pack / "phrases.toml").write_text("[[phrase]]\nphrase = 1\n", encoding="utf-8")
    result = _run("content", "check", str(pack))
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if ".toml:" in line]
    assert any(line.startswith("call_types.toml:") for line in lines)
    assert any(line.startswith("phrases.toml:") for line in lines)
    assert "Traceback" not in result.stderr


def test_corrupt_database_gives_a_clear_message_and_is_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db_file = paths.db_path(data)
    db_file.write_bytes(b"garbage" * 1000)
    result = _run("--data-dir", str(data))
    assert result.returncode == 3
    assert "损坏" in result.stderr and str(db_file) in result.stderr
    assert "Traceback" not in result.stderr
    assert db_file.read_bytes() == b"garbage" * 1000


def test_data_dir_option_beats_environment_beats_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLASSIST_DATA_DIR", str(tmp_path / "env"))
    opts = Namespace(demo=False, data_dir=None)
    assert resolve_data_dir(opts) == tmp_path / "env"
    opts.data_dir = str(tmp_path / "flag")
    assert resolve_data_dir(opts) == tmp_path / "flag"
    monkeypatch.delenv("CALLASSIST_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_data_dir(Namespace(demo=False, data_dir=None)) == tmp_path / "xdg" / "callassist"
    assert (
        resolve_data_dir(Namespace(demo=True, data_dir=None))
        == tmp_path / "xdg" / "callassist" / "demo"
    )
