"""The team lead's review on a generated 1,000,000-call database (quick mode: 100,000 calls —
the figures keep their names, the note says which file was used).

Each query runs once cold, then REPEATS times; figures are medians of the warm runs
(statistics, first page, jump) or p99 across the variants (filter changes, notes searches).
`review_gui_block_max_ms` is the longest stall of a 5 ms GUI timer while the review window
runs all of these through the task runner, under the app's GIL switch interval (1 ms).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime

from bench.common import Figures, benchmark, child_main, percentile, run_child

ROWS_QUICK, ROWS_FULL = 100_000, 1_000_000
REPEATS = 5
KEYS = (
    "review_stats_1m_ms",
    "review_first_page_1m_ms",
    "review_filter_1m_ms",
    "review_jump_1m_ms",
    "review_notes_search_1m_ms",
    "review_gui_block_max_ms",
)
NOW = datetime(2026, 3, 1, 1, tzinfo=UTC)  # just after the generated calls end
MONTH = (date(2026, 2, 1), date(2026, 2, 28))


@benchmark(*KEYS)
def run(quick: bool) -> Figures:
    rows = ROWS_QUICK if quick else ROWS_FULL
    return run_child("review", str(rows), timeout=3 * 3600)


def _timed(fn, repeats: int = REPEATS) -> tuple[float, list[float]]:
    """(cold ms, warm samples ms)."""
    samples = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples[0], samples[1:]


def child(args: list[str]) -> Figures:
    import os
    import sys

    from bench import calls_db
    from bench.notes_search import QUERIES
    from bench.text_setup import bundled_pack, loaded_segmenter
    from desktop.services.review.browser import CallBrowser, CallFilter, Sort
    from desktop.services.review.period import Period
    from desktop.services.review.reader import open_reader
    from desktop.services.review.stats import checklists_from_pack, compute

    rows = int(args[0])
    segmenter = loaded_segmenter()
    path, _meta = calls_db.ensure(rows, lambda: segmenter, log=lambda m: print(m, file=sys.stderr))
    pack = bundled_pack()
    checklists = checklists_from_pack(pack)
    conn = open_reader(path)  # as the review window's workers open it
    month = Period(*MONTH, "Asia/Shanghai")
    browser = CallBrowser(conn, now=lambda: NOW, checklists=checklists, segmenter=segmenter)
    out = Figures()
    try:
        cold, warm = _timed(lambda: compute(conn, month, checklists=checklists, now=NOW), 3)
        out["review_stats_1m_ms"] = statistics.median(warm)
        out.notes.append(
            f"review: {rows:,} calls ({path.name}); stats for {MONTH[0]}..{MONTH[1]}: cold {cold:.0f} ms"
        )
        cold, warm = _timed(lambda: browser.page(CallFilter()))
        out["review_first_page_1m_ms"] = statistics.median(warm)
        variants = [
            CallFilter(intents=("complaint",)),
            CallFilter(agents=("A007",)),
            CallFilter(priorities=("urgent",)),
            CallFilter(outcomes=("follow_up",)),
            CallFilter(missed_only=True),
            CallFilter(period=month, required_skipped=True),
            CallFilter(period=month, reminder_overdue=True),
            CallFilter(period=month, repeat_callers=True),
            CallFilter(agents=("A007",), intents=("complaint",), priorities=("urgent",)),
        ]
        samples = []
        slowest = ("", 0.0)
        for flt in variants:
            _cold, warm = _timed(lambda f=flt: browser.page(f), 3)
            samples += warm
            if max(warm) > slowest[1]:
                slowest = (repr(flt)[:80], max(warm))
        out["review_filter_1m_ms"] = percentile(samples, 99)
        out.notes.append(
            f"review: filter change = first page of {len(variants)} filters, slowest {slowest[1]:.0f} ms"
        )
        cold, warm = _timed(
            lambda: browser.jump(CallFilter(), Sort(), 500_000 if rows >= 600_000 else rows // 2)
        )
        out["review_jump_1m_ms"] = statistics.median(warm)
        notes = []
        for query in QUERIES:
            _cold, warm = _timed(lambda q=query: browser.page(CallFilter(period=month, notes=q)), 3)
            notes += warm
        out["review_notes_search_1m_ms"] = percentile(notes, 99)
        _cold, whole = _timed(lambda: browser.page(CallFilter(notes="退款")), 1)
        out.notes.append(
            "review: notes search = first page of the browser with the words, in the "
            f"month (the window's default period); over the whole file '退款' takes {whole[0]:.0f} ms"
        )
    finally:
        conn.close()
    worst, floor = _gui_block(path, segmenter, pack, checklists, month)
    out["review_gui_block_max_ms"] = worst
    out.notes.append(
        f"review: GUI block = longest stall of a 5 ms timer over the steps; the same timer "
        f"with the window idle stalled {floor:.0f} ms (the machine's own floor, load "
        f"{os.getloadavg()[0]:.1f})"
    )
    return out


def _gui_block(path, segmenter, pack, checklists, month) -> tuple[float, float]:
    """The longest gap between ticks of a 5 ms timer while the real review window runs a
    filter change, statistics, a jump and a notes search (all on the task runner)."""
    import os
    import sys

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile
    from pathlib import Path

    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.app import GUI_SWITCH_INTERVAL_S
    from desktop.core.calendar import AgentCalendar
    from desktop.ui.review import ReviewWindow
    from desktop.ui.review.source import ReviewSource
    from desktop.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    # the window only runs inside the app, which hands Python's lock to the GUI thread after
    # 1 ms, not the default 5 ms (App.start_background): measured under the same policy
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    ini = Path(tempfile.mkdtemp()) / "window.ini"
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    settings.setValue("review/preset", "自定义")
    settings.setValue("review/from", month.first.isoformat())
    settings.setValue("review/to", month.last.isoformat())
    tasks = TaskRunner()
    source = ReviewSource(
        path,
        now=lambda: NOW,
        calendar=lambda: AgentCalendar("Asia/Shanghai"),
        checklists=lambda: checklists,
        segmenter=segmenter,
        pack=lambda: pack,
    )
    clock = QElapsedTimer()
    clock.start()
    worst = [0.0]
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        worst[0] = max(worst[0], now - last[0] - 5)
        last[0] = now

    timer = QTimer(interval=5)
    timer.timeout.connect(tick)
    window = ReviewWindow(source, tasks.run_in_background, settings)  # builds, then queries
    window.resize(1366, 768)
    window.show()
    steps = [
        lambda: window.intent.setCurrentIndex(2),
        lambda: window.model.jump_to(min(500_000, 5_000)),
        lambda: window.notes.setText("快递 延误"),
        lambda: window.tabs.setCurrentIndex(1),
        lambda: window.table.selectRow(3),
    ]

    def settle(seconds: float = 60.0) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            if tasks.idle:
                break
            time.sleep(0.001)

    settle()  # the window's first queries; building the widgets is not a query
    last[0] = clock.elapsed()
    timer.start()
    idle_until = time.perf_counter() + 3
    while time.perf_counter() < idle_until:  # the floor: the same timer, nothing to do
        app.processEvents()
        time.sleep(0.001)
    floor = worst[0]
    worst[0] = 0.0
    for n, step in enumerate(steps):
        before = worst[0]
        step()
        settle()
        if worst[0] > before:
            print(f"gui block: step {n} -> {worst[0]:.0f} ms", file=sys.stderr)
    timer.stop()
    tasks.close()
    window.close()
    return worst[0], floor


if __name__ == "__main__":
    child_main(child)
