"""A fresh Python child for what one test process cannot show (PySide6's first import, an
interpreter without a replacement installed): offscreen Qt, this checkout importable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def python_json(source: str, *args: str, timeout: float = 120) -> Any:
    """Run `python -c source args...` and return the JSON of its last stdout line; the
    child's stderr is the failure message."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", source, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])
