"""Instructions to the first frame, counted by `valgrind --tool=callgrind` (issue 16).

    python -m bench.callgrind_startup [app|bare|imports|imports-enums]... [--runs N]

Wall-clock start-up figures on this shared 2-core machine move with the other processes'
load; instruction counts do not. Each target is the same child `bench.startup` times:

- `app`: the real entry (`desktop.__main__.main`) on demo data, exiting at the first idle
  turn after the main window's first paint (`bench.apphost`'s probe);
- `bare`: a bare `QMainWindow` measured the same way;
- `imports`: only `import PySide6.QtCore, QtGui, QtWidgets` (as `desktop.run` does: the
  enum replacement installed first, see `desktop.fast_enum`);
- `imports-enums`: the same, then every class of the three modules touched, so PySide6
  makes all of their Python enums (as `desktop.app`'s `_realize_qt_types` slices do);
  `imports-enums-stdlib` / `imports-stdlib`: the same without the replacement.

The demo data dir (in a temporary directory) is prepared by one run without valgrind, and
every target runs once without valgrind first (bytecode, the dataclass code cache and the
pack snapshot written), so the counted runs open an existing data dir as an agent's app
does every morning. Prints one line per target: the total instructions (`Ir`) of every
thread of the process (median of --runs, default 1).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import REPO, child_env

IMPORTS = "import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets"
REALIZE = (
    "\nfor _m in (PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets):"
    "\n    for _n in dir(_m):"
    "\n        getattr(_m, _n, None)"
)
INSTALL = "from desktop import fast_enum; fast_enum.install()\n"


def _command(target: str, data_dir: Path) -> list[str]:
    python = sys.executable
    if target == "app":
        return [
            python,
            "-m",
            "bench.apphost",
            "--child",
            "app",
            str(data_dir),
            "--demo",
            "--exit-at-idle",
        ]
    if target == "bare":
        return [python, "-m", "bench.apphost", "--child", "bare", "--exit-at-idle"]
    source = {
        "imports": INSTALL + IMPORTS,
        "imports-stdlib": IMPORTS,
        "imports-enums": INSTALL + IMPORTS + REALIZE,
        "imports-enums-stdlib": IMPORTS + REALIZE,
    }.get(target)
    if source is None:
        raise SystemExit(f"unknown target {target!r}")
    return [python, "-c", source]


def _instructions(out_file: Path) -> int:
    text = out_file.read_text(errors="replace")
    found = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no instruction total in {out_file}")
    return int(found.group(1))


def count(target: str, data_dir: Path, work: Path) -> int:
    command = _command(target, data_dir)
    env = child_env()
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True, timeout=120)
    out_file = work / f"callgrind.{target}.{os.getpid()}.out"
    subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", *command],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=1800,
    )
    try:
        return _instructions(out_file)
    finally:
        out_file.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    runs = 1
    if "--runs" in argv:
        at = argv.index("--runs")
        runs = int(argv[at + 1])
        del argv[at : at + 2]
    targets = argv or ["app", "bare"]
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as tmp:
        work = Path(tmp)
        data_dir = work / "demo"
        for target in targets:
            counts = [count(target, data_dir, work) for _ in range(runs)]
            print(
                f"{target}: {statistics.median(counts) / 1e6:,.0f} M instructions "
                f"({', '.join(f'{c / 1e6:,.0f}' for c in counts)})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
