"""Script search: search-as-you-type over 10,000 talk tracks, per keystroke.

The child builds the real app on a data dir whose edited content pack holds 10,000 scripts
(the bundled pack plus generated ones), waits until jieba and the app's script index are
ready, starts a call with an intent, then types realistic queries into the script panel's
search box one character at a time (committed as an input method does). A keystroke is
timed from the commit until the result list is filled, laid out and painted. The figure is
the p99 over all keystrokes; ScriptSearch.search alone is reported beside it.

Before the app searches from its script panel, ScriptSearch (jieba loaded, 10,000 generated
scripts) is timed directly instead; the notes say which path was measured.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figures, benchmark, child_main, percentile, run_child

SCRIPTS = 10_000
ROUNDS_QUICK, ROUNDS_FULL = 2, 6


@benchmark("script_search_p99_ms")
def run(quick: bool) -> Figures:
    return run_child("script_search", str(ROUNDS_QUICK if quick else ROUNDS_FULL), timeout=600)


def _summary(samples: list[float]) -> str:
    return (
        f"median {percentile(samples, 50):.2f} ms, p99 {percentile(samples, 99):.2f} ms, "
        f"max {max(samples):.2f} ms"
    )


def _time_service(search, scripts, rounds: int) -> tuple[list[float], int]:
    """Per-keystroke ScriptSearch.search with a call type, step and usage counts."""
    from bench.corpus import SEARCH_QUERIES

    rng = random.Random(3)
    usage = {s.id: rng.randint(1, 40) for s in rng.sample(list(scripts), 300)}
    contexts = sorted({(s.call_type, s.step) for s in scripts if s.call_type != "any"})
    samples: list[float] = []
    found = 0
    for round_index in range(rounds):
        for query_index, query in enumerate(SEARCH_QUERIES):
            call_type, step = contexts[(round_index * 7 + query_index) % len(contexts)]
            results: list[str] = []
            for end in range(1, len(query) + 1):
                began = time.perf_counter()
                results = search.search(query[:end], call_type, step, usage)
                samples.append((time.perf_counter() - began) * 1000)
            found += bool(results)
    return samples, found


def child(args: list[str]) -> Figures:
    rounds = int(args[0])
    figures = _time_in_window(rounds)
    return figures if figures is not None else _service_only(rounds)


def _service_only(rounds: int) -> Figures:
    from bench.content import generated_scripts
    from bench.corpus import SEARCH_QUERIES
    from bench.text_setup import loaded_segmenter
    from desktop.services.script_search import ScriptSearch

    scripts = generated_scripts(SCRIPTS)
    search = ScriptSearch(loaded_segmenter())
    start = time.perf_counter()
    search.rebuild(scripts)
    rebuild_s = time.perf_counter() - start
    samples, found = _time_service(search, scripts, rounds)
    if not found:
        raise RuntimeError("no query found anything: the index is empty or broken")
    out = Figures(script_search_p99_ms=percentile(samples, 99))
    out.notes.append(
        f"script_search: {len(samples)} keystrokes, ScriptSearch.search only (the app does not "
        f"search from its script panel yet) over {SCRIPTS:,} scripts: {_summary(samples)}; "
        f"index build {rebuild_s:.2f} s; {found}/{rounds * len(SEARCH_QUERIES)} queries hit"
    )
    return out


def _time_in_window(rounds: int) -> Figures | None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from bench.appkit import find_child, settle, type_text, wait_background
    from bench.content import write_enlarged_pack
    from bench.corpus import SEARCH_QUERIES
    from desktop.app import build_app

    qt_app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        data_dir = Path(tmp) / "data"
        write_enlarged_pack(data_dir / "content" / "zh_CN", SCRIPTS)
        started = time.perf_counter()
        app = build_app(data_dir)
        build_s = time.perf_counter() - started
        try:
            controller = find_child(
                app.workspace, "desktop.ui.workspace.assist", "AssistController"
            )
            if controller is None:
                return None
            pack = app.content.pack
            if len(pack.scripts) != SCRIPTS:
                raise RuntimeError(f"the app loaded {len(pack.scripts)} scripts, not {SCRIPTS}")
            view = app.window.view
            app.window.show()
            QTest.qWaitForWindowExposed(app.window)
            waited = wait_background(app)
            app.workspace.start_manual("13800138000", "")
            box, results_list = view.scripts.search, view.scripts.list_widget
            keys = [t.key for t in pack.call_types]
            samples: list[float] = []
            found = 0
            for round_index in range(rounds):
                for query_index, query in enumerate(SEARCH_QUERIES):
                    app.workspace.choose_intent(keys[(round_index + query_index) % len(keys)])
                    box.clear()
                    box.setFocus()
                    settle((results_list,))
                    for char in query:
                        start = time.perf_counter()
                        type_text(box, char)
                        settle((results_list,))
                        samples.append((time.perf_counter() - start) * 1000)
                    if box.text() != query:
                        raise RuntimeError(f"the search box holds {box.text()!r}, not {query!r}")
                    found += bool(view.scripts.script_items())
            service, _ = _time_service(controller.assist.search, pack.scripts, rounds)
        finally:
            app.close()
            qt_app.processEvents()
    if not found:
        raise RuntimeError("no query found anything: the app's index is empty or broken")
    out = Figures(script_search_p99_ms=percentile(samples, 99))
    out.notes.append(
        f"script_search: {len(samples)} keystrokes in the real search box over {SCRIPTS:,} "
        f"scripts, search + result list painted: {_summary(samples)}; ScriptSearch.search "
        f"alone: {_summary(service)}; {found}/{rounds * len(SEARCH_QUERIES)} queries hit; "
        f"build_app {build_s:.1f} s, then {waited:.1f} s until jieba and the index were ready"
    )
    return out


if __name__ == "__main__":
    child_main(child)
