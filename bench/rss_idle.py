"""RSS idle: resident memory (VmRSS) of the running app on demo data once its jieba has loaded.

The app runs in a child through the real entry (bench.apphost); once its event loop is idle
the host waits for the app's segmenter (App.text.segmenter) to be ready, and reads
/proc/self/status.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.common import Figures, benchmark
from bench.host import AppHost


@benchmark("rss_idle_mb")
def run(quick: bool) -> Figures:
    if not sys.platform.startswith("linux"):
        raise RuntimeError("VmRSS is read from /proc (Linux only)")
    with (
        tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp,
        AppHost.app(Path(tmp) / "demo", demo=True) as host,
    ):
        ready = host.wait_ready()
        reply = host.ask("text-ready 60", timeout=90)
    out = Figures(rss_idle_mb=reply["rss_mb"])
    out.notes.append(
        f"rss_idle: {ready['rss_mb']:.0f} MB at first idle, {reply['rss_mb']:.0f} MB after "
        f"jieba was ready ({reply['waited_s']:.2f} s after idle)"
    )
    return out
