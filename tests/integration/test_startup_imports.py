"""Issue 16: the real entry (`desktop.__main__.main`) reaches its first idle frame without
importing what that frame does not need, and its start-up work never imports sqlite-utils.

A child process runs the app on demo data until the event loop is idle with the window
shown (as `bench.startup` times it: after the first paint), prints the modules loaded then, and again once every
start-up part is done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
from bench.apphost import captured_app, capture_app, install_idle_probe

def idle():
    from PySide6.QtWidgets import QApplication
    first = sorted(sys.modules)
    app = captured_app()
    done = app.wait_background(120)
    print("MODULES " + json.dumps({"first": first, "after": sorted(sys.modules), "done": done}))
    QApplication.quit()

install_idle_probe(idle)
capture_app()
from desktop.__main__ import main
sys.exit(main(["--data-dir", sys.argv[1], "--demo"]))
"""

# Not for the first frame: made or imported when first used (the lead's menu, the review,
# the settings and content-problems dialogs), or by start-up workers after the frame.
NOT_AT_FIRST_FRAME = (
    "sqlite_utils",
    "numpy",
    "filelock",
    "jieba",
    "apscheduler",
    "pyqtgraph",
    "tomllib",
    "desktop.core.content.loader",
    "desktop.services.lead.pin",
    "desktop.services.lead.bundle",
    "desktop.services.lead.reports",
    "desktop.ui.lead.flows",
    "desktop.ui.lead.pin_dialog",
    "desktop.ui.review",
    "desktop.ui.settings_dialog",
    "desktop.ui.content_problems",
    "desktop.core.text.intent",
    "desktop.core.text.phrases",
    # wired on the loop's turns after the first frame (desktop.app.WIRING)
    "desktop.ui.desk",
    "desktop.ui.softphone_bridge",
    "desktop.instance.ipc",
    "multiprocessing",
    "desktop.services.text_assist",
    "desktop.core.text.segmenter",
    "desktop.ui.reminders.alert",
    "desktop.ui.reminders.tray",
    "desktop.ui.reminders.scheduler",
    "desktop.ui.input_gate",
    "desktop.ui.first_run",
    # not needed at all for the first frame
    "logging.handlers",
    "uuid",
)
NEVER_AT_START = ("sqlite_utils", "numpy", "filelock", "pyqtgraph")


def _run(data_dir: Path) -> dict:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    env.pop("CALLASSIST_DATA_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("MODULES ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1][len("MODULES ") :])


@pytest.mark.slow
def test_the_first_frame_imports_only_what_it_shows(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    _run(data_dir)  # the first run makes the demo data, the pack snapshot and jieba's cache
    got = _run(data_dir)  # the morning start of an app that ran yesterday
    assert got["done"], "the start-up work did not finish"
    first, after = set(got["first"]), set(got["after"])
    assert "desktop.app" in first and "desktop.core.content.model" in first
    assert sorted(m for m in NOT_AT_FIRST_FRAME if m in first) == []
    assert sorted(m for m in NEVER_AT_START if m in after) == []
    assert "jieba" in after and "apscheduler" in after  # the workers did load them
