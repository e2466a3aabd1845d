"""The command line as users and IT run it: content check, data dir choice, bad databases."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from argparse import Namespace
from collections.abc import Iterator
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
    db_file = paths.DataDir.at(data).db
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


@pytest.mark.parametrize(
    ("make", "step"),
    [
        (lambda d: (d.parent / "file").write_text("") and None, "创建文件夹"),
        (lambda d: (d / "callassist.log").mkdir(parents=True), "打开日志文件"),
        (lambda d: (d / "instance.lock").mkdir(parents=True), "创建实例锁"),
    ],
    ids=["mkdir", "log", "lock"],
)
def test_an_unusable_data_dir_gives_the_same_clear_message(tmp_path: Path, make, step: str) -> None:
    """Whatever step fails first (folder, log, lock): a message, exit 3, no traceback.
    (As root nothing is read-only, so each step is broken another way.)"""
    data = tmp_path / "data"
    make(data)
    target = tmp_path / "file" / "sub" if step == "创建文件夹" else data
    result = _run("--data-dir", str(target))
    assert result.returncode == 3, result.stderr
    assert "无法使用数据目录" in result.stderr and step in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def _nobody_can_run_python() -> bool:
    if os.name == "nt" or os.geteuid() != 0 or not shutil.which("runuser"):
        return False
    probe = subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-c", "import PySide6"],
        capture_output=True,
        timeout=60,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _nobody_can_run_python(), reason="no second user who can run this Python")
def test_a_read_only_parent_as_a_normal_user(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir(mode=0o755)
    os.chmod(tmp_path, 0o755)
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [
            "runuser",
            "-u",
            "nobody",
            "--",
            sys.executable,
            "-m",
            "desktop",
            "--data-dir",
            str(parent / "new"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 3 and "无法使用数据目录" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    """A real read-only file system (a small tmpfs, remounted ro): read-only for root too.
    Yields the mount point after the test filled it through ``(mount / ".rw")``."""
    if os.name == "nt" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a read-only tmpfs")
    mount = tmp_path / "mnt"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)])
    if made.returncode != 0:
        pytest.skip("mount is not allowed here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def _remount_read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def test_a_new_data_dir_on_a_read_only_file_system(read_only_mount: Path) -> None:
    _remount_read_only(read_only_mount)
    result = _run("--data-dir", str(read_only_mount / "new"))
    assert result.returncode == 3 and "无法使用数据目录" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_an_existing_data_dir_made_read_only(read_only_mount: Path) -> None:
    from db import open_db

    data = read_only_mount / "data"
    data.mkdir()
    open_db(paths.DataDir.at(data).db).close()
    _remount_read_only(read_only_mount)
    result = _run("--data-dir", str(data))
    assert result.returncode == 3, result.stderr
    assert "无法" in result.stderr and "Traceback" not in result.stderr
