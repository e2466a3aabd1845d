"""Softphone burst: a burst of baresip call events (each a new ringing call) arriving at
the running app at once, as the ctrl_tcp thread hands them over.

A fresh child builds the real app (offscreen) on an empty data dir, waits for its start-up
background work, and queues N incoming events through the bridge's thread hand-over. Figures: the longest single batch the bridge
ran on the GUI thread, and the longest stall of the GUI thread (the largest gap between two
ticks of a 1 ms timer) while the burst is applied; the total time is in the notes.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path

from bench.common import Figures, benchmark, child_main, run_child

EVENTS_QUICK, EVENTS_FULL = 200, 1000


@benchmark("softphone_batch_max_ms", "softphone_stall_max_ms")
def run(quick: bool) -> Figures:
    events = EVENTS_QUICK if quick else EVENTS_FULL
    with tempfile.TemporaryDirectory(prefix="bench-burst-") as tmp:
        return run_child("softphone_burst", str(Path(tmp) / "data"), str(events), timeout=600)


def child(args: list[str]) -> Figures:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_app
    from desktop.core.call_events import CallEvent

    data_dir, count = Path(args[0]), int(args[1])
    qt_app = QApplication.instance() or QApplication([])
    from bench.appkit import wait_background

    app = build_app(data_dir, baresip="")
    app.window.show()
    # the desk's steady state: a burst during start-up would compete with jieba's loading
    # (the first-minute figures measure that), not show what the events themselves cost
    waited_s = wait_background(app)
    bridge = app.softphone
    batches: list[float] = []
    process = bridge._process

    def timed() -> None:
        started = time.perf_counter()
        process()
        batches.append(time.perf_counter() - started)

    bridge._batch.timeout.disconnect()
    bridge._batch.timeout.connect(timed)
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(1)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    started = time.perf_counter()
    for n in range(count):
        bridge._from_thread.emit(
            CallEvent(
                "incoming", f"138{n:08d}", call_id=f"b{n}", source="baresip", event_id=f"burst-{n}"
            )
        )
    while bridge._queue or bridge._batch.isActive():
        qt_app.processEvents()
    total = time.perf_counter() - started
    ticker.stop()
    recorded = app.db.execute("SELECT count(*) FROM calls").fetchone()[0]
    app.close()
    if recorded != count:
        raise RuntimeError(f"{recorded} of {count} calls recorded")
    gaps = [b - a for a, b in itertools.pairwise(ticks)] or [total]
    out = Figures(
        softphone_batch_max_ms=max(batches) * 1000, softphone_stall_max_ms=max(gaps) * 1000
    )
    out.notes.append(
        f"softphone_burst: {count} ringing calls in {total:.1f} s, {len(batches)} batches "
        f"(median {sorted(batches)[len(batches) // 2] * 1000:.1f} ms); measured after the "
        f"app's background start-up work ({waited_s:.1f} s)"
    )
    return out


if __name__ == "__main__":
    child_main(child)
