from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.instance.lock import InstanceLock, app_running

HOLDER = """
import sys
from pathlib import Path
from desktop.instance.lock import InstanceLock
lock = InstanceLock(Path(sys.argv[1]))  # keep a reference: the lock lives with it
assert lock.acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_only_one_holder(data_dir: Path) -> None:
    first, second = InstanceLock(data_dir), InstanceLock(data_dir)
    assert not app_running(data_dir)
    assert first.acquire()
    try:
        assert app_running(data_dir)
        assert not second.acquire()
    finally:
        first.release()
    assert not app_running(data_dir)
    assert second.acquire()
    second.release()


@pytest.mark.slow
def test_a_dead_holder_frees_the_lock(data_dir: Path, child_env: dict[str, str]) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        assert app_running(data_dir)
        assert not InstanceLock(data_dir).acquire()
    finally:
        holder.kill()
        holder.communicate(timeout=10)
    lock = InstanceLock(data_dir)
    assert lock.acquire()
    lock.release()
