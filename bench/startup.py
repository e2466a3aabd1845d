"""Start-up: `callassist --demo` (offscreen) until its main window is shown and the event loop
is idle, against a bare PySide6 QMainWindow measured the same way, median of N runs each.

Each run is a fresh process; the time runs from the parent's wall clock just before the
process is created to the child's wall clock at idle (see bench.apphost). The demo data dir
is prepared by one untimed run first, so the timed runs open an existing database as an
agent's app does every morning; one untimed bare run warms the OS file cache the same way.
App and bare runs alternate, so drift in machine load affects both alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPO, ChildFailed, Figures, benchmark, child_env
from bench.host import AppHost

RUNS_QUICK, RUNS_FULL = 5, 9
TIMEOUT_S = 60.0


def _time_once(host: AppHost) -> float:
    try:
        ready = host.wait_ready(TIMEOUT_S)
    finally:
        host.close()
    return ready["idle_at"] - host.spawned_at


BUNDLE = (
    REPO / "dist" / "callassist" / ("callassist.exe" if sys.platform == "win32" else "callassist")
)


def _time_bundle(data_dir: Path) -> float:
    """The frozen build (run.py's EXIT_AT_IDLE_ENV hook: it prints the time at first idle)."""
    from desktop.run import EXIT_AT_IDLE_ENV, IDLE_MARKER

    env = child_env(**{EXIT_AT_IDLE_ENV: "1"})
    env.pop("PYTHONPATH", None)
    spawned = time.time()
    proc = subprocess.run(
        [str(BUNDLE), "--data-dir", str(data_dir), "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(IDLE_MARKER):
            return float(line[len(IDLE_MARKER) :]) - spawned
    raise ChildFailed(f"the bundle exited {proc.returncode} without reaching idle")


@benchmark(
    "startup_s", "bare_qt_startup_s", "startup_ratio", "bundle_startup_s", "bundle_startup_ratio"
)
def run(quick: bool) -> Figures:
    runs = RUNS_QUICK if quick else RUNS_FULL
    bundle = BUNDLE.exists()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        data_dir = Path(tmp) / "demo"
        _time_once(AppHost.app(data_dir, demo=True, exit_at_idle=True))  # creates the demo data
        _time_once(AppHost.bare(exit_at_idle=True))
        if bundle:
            _time_bundle(Path(tmp) / "bundle")  # its own data dir: demo data, caches
        app_times, bare_times, bundle_times = [], [], []
        for _ in range(runs):
            app_times.append(_time_once(AppHost.app(data_dir, demo=True, exit_at_idle=True)))
            bare_times.append(_time_once(AppHost.bare(exit_at_idle=True)))
            if bundle:
                bundle_times.append(_time_bundle(Path(tmp) / "bundle"))
    app_s, bare_s = statistics.median(app_times), statistics.median(bare_times)
    out = Figures(startup_s=app_s, bare_qt_startup_s=bare_s, startup_ratio=app_s / bare_s)
    if bundle:
        bundle_s = statistics.median(bundle_times)
        out.update(bundle_startup_s=bundle_s, bundle_startup_ratio=bundle_s / bare_s)
    else:
        out.miss(
            f"not built ({BUNDLE.relative_to(REPO)} missing; build it with "
            "pyinstaller build.spec, the default bench run does not)",
            ["bundle_startup_s", "bundle_startup_ratio"],
        )
    out.notes.append(
        f"startup: {runs} runs each; app {min(app_times):.3f}–{max(app_times):.3f} s, "
        f"bare {min(bare_times):.3f}–{max(bare_times):.3f} s"
    )
    return out
