"""Intent switch: a click on an intent button until the checklist and the script list are
filled, laid out and painted, on a content pack of 500 scripts.

The child builds the real app (build_app) on a data dir whose edited pack
(`data_dir/content/zh_CN`, which ContentService prefers to the bundled one) is the bundled
pack plus generated scripts; starts a call; then clicks the intent buttons in turn with
QTest. A switch is timed from the press until the event queue has been drained after the
item views ran their delayed layout (visualItemRect of the last row forces it if it is still
pending) and the resulting paints were handled. One untimed round over every intent first:
the figure is the steady state an agent sees all day, the first round is reported apart.
"""

from __future__ import annotations

import time

from bench.common import Figures, benchmark, child_main, percentile, run_child

SCRIPTS = 500
SWITCHES_QUICK, SWITCHES_FULL = 100, 300


@benchmark("intent_switch_p99_ms")
def run(quick: bool) -> Figures:
    switches = SWITCHES_QUICK if quick else SWITCHES_FULL
    return run_child("intent_switch", str(switches), timeout=300)


def child(args: list[str]) -> Figures:
    switches = int(args[0])
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from bench.appkit import running_app, settle

    with running_app("bench-intent-", scripts=SCRIPTS) as running:
        app = running.app
        view = app.window.view
        lists = (view.checklist.list_widget, view.scripts.list_widget)
        settle(lists)
        keys = [t.key for t in app.content.pack.call_types]
        samples: list[float] = []
        first_round: list[float] = []
        shown: list[int] = []
        for index in range(len(keys) + switches):
            key = keys[index % len(keys)]
            button = view.intent_bar.button(key)
            start = time.perf_counter()
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            settle(lists)
            elapsed = (time.perf_counter() - start) * 1000
            if app.workspace.current.intent != key or not all(v.count() for v in lists):
                raise RuntimeError(f"clicking {key} did not show its checklist and scripts")
            (first_round if index < len(keys) else samples).append(elapsed)
            shown.append(len(view.scripts.script_items()))
    out = Figures(intent_switch_p99_ms=percentile(samples, 99))
    out.notes.append(
        f"intent_switch: {len(samples)} clicks, median {percentile(samples, 50):.1f} ms, "
        f"max {max(samples):.1f} ms; first round over {len(keys)} intents max "
        f"{max(first_round):.1f} ms; {min(shown)}–{max(shown)} scripts listed per intent; "
        f"measured after the app's background start-up work ({running.waited_s:.1f} s)"
    )
    return out


if __name__ == "__main__":
    child_main(child)
