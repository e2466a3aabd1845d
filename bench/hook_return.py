"""Hook return: wall time of the softphone's hook command, `callassist event incoming NUMBER`,
while the app is running.

The app runs in a child (bench.apphost, real entry, demo data) and is timed once its
start-up background work (jieba, indexes) is done; each hook run pokes it over its IPC
socket. The figure is the median of N runs of the installed `callassist` script (or
`python -m desktop` when not installed); every run must exit 0 and its event must arrive.
One hook run while the app is still loading is reported apart.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPO, ChildFailed, Figures, benchmark, child_env
from bench.host import AppHost

RUNS_QUICK, RUNS_FULL = 5, 15
NUMBER = "13800138000"
TARGET_MS = 150


def _hook_command(data_dir: Path) -> list[str]:
    script = Path(sys.executable).with_name("callassist")
    if script.exists():
        return [str(script), "--data-dir", str(data_dir), "event", "incoming", NUMBER]
    found = shutil.which("callassist")
    base = [found] if found else [sys.executable, "-m", "desktop"]
    return [*base, "--data-dir", str(data_dir), "event", "incoming", NUMBER]


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _time_hooks(data_dir: Path, runs: int, warm: bool = True) -> list[float]:
    """Wall times of `runs` hook commands (after one untimed run that warms the OS file
    cache, unless `warm` is False)."""
    command = _hook_command(data_dir)
    env = child_env()
    samples = []
    for _ in range(runs + int(warm)):
        start = time.perf_counter()
        proc = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, timeout=30
        )
        elapsed = (time.perf_counter() - start) * 1000
        if proc.returncode != 0:
            raise ChildFailed(f"the hook exited {proc.returncode}: {proc.stderr.strip()[:200]}")
        samples.append(elapsed)
    return samples[1:] if warm else samples


def _hook_calls(data_dir: Path) -> int:
    from db import connect
    from desktop.paths import db_path

    db = connect(db_path(data_dir), readonly=True)
    try:
        return db.execute("SELECT count(*) FROM calls WHERE source = 'hook'").fetchone()[0]
    finally:
        db.close()


def _time_bare_python(runs: int) -> list[float]:
    """Wall times of `python -c pass` in the same environment: the floor of any hook."""
    env = child_env()
    samples = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], cwd=REPO, env=env, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return samples[1:]


@benchmark("hook_return_ms", "bare_python_ms", "hook_ratio")
def run(quick: bool) -> Figures:
    from desktop.services.softphone.ipc import ipc_address

    runs = RUNS_QUICK if quick else RUNS_FULL
    with tempfile.TemporaryDirectory(prefix="bench-hook-") as tmp:
        data_dir = Path(tmp) / "demo"
        socket, family = ipc_address(data_dir)
        if family != "AF_UNIX":
            raise RuntimeError("only AF_UNIX IPC is benchmarked (Linux, macOS)")
        with AppHost.app(data_dir, demo=True) as host:
            host.wait_ready()
            if not _wait_for(Path(socket).exists, 3.0):
                raise ChildFailed("the running app serves no IPC socket")
            early = _time_hooks(data_dir, 1, warm=False)
            host.ask("background 120", timeout=150)
            samples, bare = [], []
            for _ in range(runs):  # alternating, so machine load affects both alike
                samples += _time_hooks(data_dir, 1, warm=not samples)
                bare += _time_bare_python(1)
            if not _wait_for(lambda: _hook_calls(data_dir) >= 1, 5.0):
                raise RuntimeError("the app answered the hook but made no call from it")
    hook_ms, bare_ms = statistics.median(samples), statistics.median(bare)
    out = Figures(hook_return_ms=hook_ms, bare_python_ms=bare_ms, hook_ratio=hook_ms / bare_ms)
    out.notes.append(
        f"hook_return: {runs} runs answered by the running app; median "
        f"{statistics.median(samples):.0f} ms, max {max(samples):.0f} ms"
        + (f" (over the {TARGET_MS} ms target)" if max(samples) > TARGET_MS else "")
        + f"; the first hook, while the app was still loading jieba and its indexes: "
        f"{early[0]:.0f} ms"
    )
    return out
