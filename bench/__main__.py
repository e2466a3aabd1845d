"""`python -m bench [--quick] [--only NAME[,NAME]] [--json FILE]`: run the benchmarks, print
every figure beside its target, and optionally write them to a JSON file.

Not part of the test suite. A figure that could not be measured prints as missing (null in
the JSON) with the reason below the table, never as zero.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from bench.common import Figures
from bench.report import print_table, write_json

# Benchmark modules in the order they run, with the figures each produces; each module has
# `run(quick) -> Figures`. Listed here too so that a module that cannot even be imported
# still shows its figures as missing.
BENCHMARKS: dict[str, tuple[str, ...]] = {
    "startup": (
        "startup_s",
        "bare_qt_startup_s",
        "startup_ratio",
        "bundle_startup_s",
        "bundle_startup_ratio",
    ),
    "first_minute": (
        "first_minute_stall_max_ms",
        "intent_switch_startup_p99_ms",
        "suggest_startup_p99_ms",
    ),
    "intent_switch": ("intent_switch_p99_ms",),
    "suggest": ("suggest_p99_ms",),
    "script_search": ("script_search_p99_ms",),
    "reminders": ("reminder_fire_late_ms", "reminder_load_10k_ms"),
    "popup": ("popup_ms",),
    "hook_return": ("hook_return_ms", "bare_python_ms", "hook_ratio"),
    "softphone_burst": ("softphone_batch_max_ms", "softphone_stall_max_ms"),
    "notes_search": ("notes_search_1m_ms",),
    "review": (
        "review_stats_1m_ms",
        "review_first_page_1m_ms",
        "review_filter_1m_ms",
        "review_jump_1m_ms",
        "review_notes_search_1m_ms",
        "review_gui_block_max_ms",
    ),
    "rss_idle": ("rss_idle_mb",),
    "lead_data": (
        "export_csv_100k_s",
        "export_xlsx_100k_s",
        "export_gui_block_max_ms",
        "bundle_export_100k_s",
        "import_100k_s",
        "reimport_100k_s",
        "remerge_100k_s",
    ),
    "center": (
        "center_stats_10m_ms",
        "center_team_stats_10m_ms",
        "center_first_page_10m_ms",
        "center_import_100k_s",
    ),
    "accuracy": (
        "suggest_top1_acc",
        "suggest_top2_acc",
        "suggest_heldout_top1_acc",
        "suggest_heldout_top2_acc",
    ),
    "phrases": ("phrase_precision", "phrase_recall"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer runs (< 2 min)")
    parser.add_argument(
        "--only",
        metavar="NAME[,NAME]",
        help=f"benchmarks to run ({', '.join(BENCHMARKS)}), or figure keys",
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the figures here")
    return parser


def select(only: str | None) -> list[str]:
    """Benchmark names for --only: a benchmark's name, or the key of a figure it produces."""
    if not only:
        return list(BENCHMARKS)
    chosen: list[str] = []
    for name in (n.strip() for n in only.split(",") if n.strip()):
        if name in BENCHMARKS:
            chosen.append(name)
            continue
        owner = next((b for b, keys in BENCHMARKS.items() if name in keys), None)
        if owner is None:
            raise SystemExit(
                f"unknown benchmark or figure {name!r}; known: {', '.join(BENCHMARKS)}"
            )
        chosen.append(owner)
    return list(dict.fromkeys(chosen))


def run_benchmark(name: str, quick: bool) -> Figures:
    """One benchmark's figures; even a module that fails to import yields missing figures."""
    keys = BENCHMARKS[name]
    try:
        module = importlib.import_module(f"bench.{name}")
        figures = module.run(quick)
    except Exception as exc:  # a benchmark catches its own failures; this is the backstop
        return Figures(keys).miss(f"{type(exc).__name__}: {exc}")
    return Figures(keys).merge(figures).miss("not measured")


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    mode = "quick" if options.quick else "full"
    figures = Figures()
    for name in select(options.only):
        print(f"running {name} …", file=sys.stderr, flush=True)
        start = time.perf_counter()
        figures.merge(run_benchmark(name, options.quick))
        print(f"  {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    print()
    print_table(figures, sys.stdout, mode)
    if options.json:
        write_json(figures, options.json, mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
