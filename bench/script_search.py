"""Script search: search-as-you-type over 10,000 talk tracks, per keystroke.

The child builds the real app on a data dir whose edited content pack holds 10,000 scripts
(the bundled pack plus generated ones), waits until jieba and the app's script index are
ready, starts a call with an intent, then types realistic queries into the script panel's
search box one character at a time (committed as an input method does). A keystroke is
timed from the commit until the result list is filled, laid out and painted. The figure is
the p99 over all keystrokes; the app's ScriptSearch.search alone is reported beside it.
"""

from __future__ import annotations

import random
import time

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


def _time_service(search, scripts, rounds: int) -> list[float]:
    """Per-keystroke ScriptSearch.search with a call type, step and usage counts."""
    from bench.corpus import SEARCH_QUERIES

    rng = random.Random(3)
    usage = {s.id: rng.randint(1, 40) for s in rng.sample(list(scripts), 300)}
    contexts = sorted({(s.call_type, s.step) for s in scripts if s.call_type != "any"})
    samples: list[float] = []
    for round_index in range(rounds):
        for query_index, query in enumerate(SEARCH_QUERIES):
            call_type, step = contexts[(round_index * 7 + query_index) % len(contexts)]
            for end in range(1, len(query) + 1):
                began = time.perf_counter()
                search.search(query[:end], call_type, step, usage)
                samples.append((time.perf_counter() - began) * 1000)
    return samples


def child(args: list[str]) -> Figures:
    rounds = int(args[0])
    from bench.appkit import running_app, settle, type_text
    from bench.corpus import SEARCH_QUERIES

    with running_app("bench-search-", scripts=SCRIPTS) as running:
        app = running.app
        pack = app.content.pack
        view = app.window.view
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
        service = _time_service(app.text.search, pack.scripts, rounds)
    if not found:
        raise RuntimeError("no query found anything: the app's index is empty or broken")
    out = Figures(script_search_p99_ms=percentile(samples, 99))
    out.notes.append(
        f"script_search: {len(samples)} keystrokes in the real search box over {SCRIPTS:,} "
        f"scripts, search + result list painted: {_summary(samples)}; ScriptSearch.search "
        f"alone: {_summary(service)}; {found}/{rounds * len(SEARCH_QUERIES)} queries hit; "
        f"build_app {running.build_s:.1f} s, then {running.waited_s:.1f} s until jieba and "
        f"the index were ready"
    )
    return out


if __name__ == "__main__":
    child_main(child)
