"""Files only this user can read: the data dir 0700, every file in it 0600 (POSIX)."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from db import open_db
from desktop.core.call_events import CallEvent
from desktop.instance.platform import Platform
from desktop.instance.private import make_private, set_private_umask
from desktop.paths import DataDir
from desktop.services.softphone.spool import EventSpool

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def private_umask() -> Iterator[None]:
    """The app sets its umask for the whole process; give the test process its own back."""
    old = os.umask(0o022)
    os.umask(old)
    try:
        set_private_umask()
        yield
    finally:
        os.umask(old)


@pytest.fixture
def shared_parent() -> Iterator[Path]:
    """A parent folder other users can enter, as a home directory usually is (pytest's own
    tmp folder is 0700, which would hide any mistake)."""
    parent = Path(tempfile.mkdtemp(prefix="ca-private-"))
    os.chmod(parent, 0o755)
    try:
        yield parent
    finally:
        shutil.rmtree(parent)


@posix_only
def test_what_an_older_version_left_readable_is_fixed_and_logged(
    shared_parent: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = shared_parent / "data"
    (root / "backups").mkdir(parents=True)
    (root / "callassist.sqlite3").write_bytes(b"")
    (root / "backups" / "old.sqlite3").write_bytes(b"")
    for path, m in [(root, 0o755), (root / "backups", 0o755)]:
        os.chmod(path, m)
    for path in [root / "callassist.sqlite3", root / "backups" / "old.sqlite3"]:
        os.chmod(path, 0o644)
    (root / "link").symlink_to("/etc/hostname")  # never followed out of the data dir
    with caplog.at_level(logging.WARNING):
        changed = make_private(root)
    assert len(changed) == 4
    assert mode(root) == mode(root / "backups") == 0o700
    assert mode(root / "callassist.sqlite3") == mode(root / "backups" / "old.sqlite3") == 0o600
    assert mode(Path("/etc/hostname")) != 0o600
    assert "made 4 item(s) in the data dir private" in caplog.text
    assert make_private(root) == []  # nothing left to fix, nothing logged


@posix_only
def test_new_files_are_private(shared_parent: Path, private_umask: None) -> None:
    layout = DataDir.at(shared_parent / "data")
    layout.root.mkdir()
    db = open_db(layout.db)
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES (1)")
    EventSpool.in_dir(layout.root).append(CallEvent("incoming", "138", event_id="e1"))
    try:
        assert mode(layout.root) == 0o700
        files = [p for p in layout.root.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {
            "callassist.sqlite3",
            "callassist.sqlite3-wal",
            "callassist.sqlite3-shm",
            "events.spool",
            "events.spool.lock",
        }
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        db.close()


def _as_nobody(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "nobody", "--", *command], capture_output=True, text=True, timeout=30
    )


@posix_only
@pytest.mark.skipif(
    os.name == "nt" or os.geteuid() != 0 or not shutil.which("runuser"),
    reason="needs root and runuser to act as a second user",
)
def test_a_second_user_cannot_read_the_calls(shared_parent: Path, private_umask: None) -> None:
    layout = DataDir.at(shared_parent / "data")
    layout.root.mkdir()
    open_db(layout.db).close()
    for path in (layout.db, layout.root):
        result = _as_nobody("cat" if path.is_file() else "ls", str(path))
        assert result.returncode != 0 and "Permission denied" in result.stderr, result
    assert _as_nobody("ls", str(shared_parent)).returncode == 0  # the parent itself is open


def test_windows_leaves_modes_to_the_profile_acl(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"")
    os.chmod(tmp_path / "f", 0o644)
    assert make_private(tmp_path, Platform("win32")) == []
    assert mode(tmp_path / "f") == 0o644
