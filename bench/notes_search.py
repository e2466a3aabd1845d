"""Notes search: full-text search over call notes on a 1,000,000-call database (quick mode:
100,000), through the app's own search_notes on a connection from db.open_db.

The database is generated once and cached (bench.calls_db); generating and indexing it is
not timed. Each query a team lead might type runs once cold, then REPEATS times; the figure
is the p99 over the repeated runs, the cold runs are reported apart.
"""

from __future__ import annotations

import time

from bench.common import Figures, benchmark, child_main, percentile, run_child

ROWS_QUICK, ROWS_FULL = 100_000, 1_000_000
REPEATS = 10
QUERIES = (
    "快递延误",
    "退款",
    "投诉 领导",
    "光猫 红灯",
    "E102",
    "发票抬头",
    "重复扣费",
    "12315",
    "空调 安装",
    "滤芯 型号",
    "回访",
    "没有收到",
)


@benchmark("notes_search_1m_ms")
def run(quick: bool) -> Figures:
    rows = ROWS_QUICK if quick else ROWS_FULL
    return run_child("notes_search", str(rows), timeout=3 * 3600)


def child(args: list[str]) -> Figures:
    rows = int(args[0])
    import sys

    from bench import calls_db
    from bench.text_setup import loaded_segmenter
    from db import open_db
    from desktop.services.notes_search import search_notes

    segmenter = loaded_segmenter()
    path, meta = calls_db.ensure(rows, lambda: segmenter, log=lambda m: print(m, file=sys.stderr))
    db = open_db(path)
    try:
        conn = db.conn
        cold: list[float] = []
        samples: list[float] = []
        counts: dict[str, int] = {}
        for query in QUERIES:
            for attempt in range(REPEATS + 1):
                start = time.perf_counter()
                found = search_notes(conn, query, segmenter)
                elapsed = (time.perf_counter() - start) * 1000
                (samples if attempt else cold).append(elapsed)
            counts[query] = len(found)
    finally:
        db.close()
    slowest = max(QUERIES, key=lambda q: cold[QUERIES.index(q)])
    out = Figures(notes_search_1m_ms=percentile(samples, 99))
    out.notes.append(
        f"notes_search: {rows:,} calls ({meta.get('indexed_notes', 0):,} notes indexed in "
        f"{meta.get('index_s', '?')} s when generated), {len(QUERIES)} queries × {REPEATS}: "
        f"median {percentile(samples, 50):.1f} ms, max {max(samples):.1f} ms; cold max "
        f"{max(cold):.1f} ms ({slowest}); {sum(1 for c in counts.values() if c)} queries hit"
    )
    return out


if __name__ == "__main__":
    child_main(child)
