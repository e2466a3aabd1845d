"""Issue 13, fits the screen: the window and compact mode at 1366×768 (100 %) and at
1920×1080 and 1366×768 at 150 %, in a fresh process per screen (Qt fixes the screen at
start): never larger than the available area, every part of a call inside the workspace
(reachable by scrolling, never sideways) without overlap, compact ≤ 600 px and ≤ the
available height; on 1366×768 the compact column needs no scrolling at all and gives its
room to the scripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _probe(tmp_path: Path, width: int, height: int, scale: str) -> dict:
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "s",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=f"offscreen:configfile={config}",
        QT_SCALE_FACTOR=scale,
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.helpers.desk_probe", str(width), str(height)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _overlap(a: list[int], b: list[int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize(
    ("width", "height", "scale"), [(1366, 768, "1"), (1366, 768, "1.5"), (1920, 1080, "1.5")]
)
def test_window_and_compact_fit_the_screen(tmp_path: Path, width, height, scale) -> None:
    out = _probe(tmp_path, width, height, scale)
    ax, ay, aw, ah = out["available"]
    notice = out["notice"]
    assert ax <= notice[0] and notice[0] + notice[2] <= ax + aw
    assert ay <= notice[1] and notice[1] + notice[3] <= ay + ah
    for state in ("call", "wrapup", "compact_call", "compact"):
        shot = out[state]
        fx, fy, fw, fh = shot["frame"]
        assert fw <= aw and fh <= ah, (state, shot["frame"], out["available"])
        assert ax <= fx and ay <= fy and fx + fw <= ax + aw and fy + fh <= ay + ah
        parts = shot["parts"]
        view_w, view_h = shot["view"]
        expected = {"call_bar", "intent_bar", "checklist", "scripts", "notes", "wrap_up"}
        assert expected <= set(parts), (state, parts.keys())
        for name, (x, y, w, h) in parts.items():  # inside the scrollable workspace
            assert x >= 0 and y >= 0 and x + w <= view_w and y + h <= view_h, (state, name)
            assert h >= shot["hints"][name] > 0 or name in ("complete", "end_button"), name
        stacked = ["call_bar", "intent_bar", "wrap_up"]
        for i, a in enumerate(stacked):
            for b in stacked[i + 1 :]:
                assert not _overlap(parts[a], parts[b]), (state, a, b)
        for panel in ("checklist", "scripts", "notes"):
            assert not _overlap(parts[panel], parts["wrap_up"]), (state, panel)
        assert shot["status_bar"]
        assert shot["script_rows"] > 0
        assert view_w <= shot["viewport"][0], (state, "scrolls sideways")
    # the required-steps warning waits for the wrap-up: not at the first second of a call
    assert not out["call"]["warning_shown"] and out["wrapup"]["warning_shown"]
    for state in ("compact_call", "compact"):
        compact = out[state]
        assert compact["frame"][2] <= 600 and compact["frame"][3] <= ah
        parts = compact["parts"]
        # the room goes to the scripts, not to the checklist, the notes or an empty draft
        assert parts["scripts"][3] > max(parts["checklist"][3], parts["notes"][3]), state
        assert not compact["draft_shown"], state
        if (width, height, scale) == (1366, 768, "1"):  # beside a softphone: no scrolling
            assert compact["view"][1] <= compact["viewport"][1], (state, compact["view"])
