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


def test_a_waiting_acquire_gets_the_lock_once_it_is_released(tmp_path: Path) -> None:
    import threading

    from desktop.instance.lock import LockTimeout, file_lock, try_lock

    path = tmp_path / "spool.lock"
    holder, waiter = file_lock(path), file_lock(path)
    holder.acquire()
    assert not try_lock(waiter, timeout=0.1)
    with pytest.raises(LockTimeout):
        waiter.acquire(timeout=0)
    threading.Timer(0.2, holder.release).start()  # released from another thread
    assert try_lock(waiter, timeout=5)
    assert waiter.is_locked and not holder.is_locked
    waiter.release()
    assert not waiter.is_locked


def test_the_lock_is_reentrant_for_its_holder_and_its_file_private(tmp_path: Path) -> None:
    import os
    import stat

    from desktop.instance.lock import file_lock, try_lock

    path = tmp_path / "instance.lock"
    lock, other = file_lock(path), file_lock(path)
    with lock:
        with lock:  # the holder takes it again without waiting for itself
            assert lock.is_locked
        assert lock.is_locked and not try_lock(other)  # one release per acquire
    assert not lock.is_locked
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    lock.acquire()
    lock.acquire()
    lock.release(force=True)  # one forced release frees it whatever the count
    assert try_lock(other)
    other.release()
