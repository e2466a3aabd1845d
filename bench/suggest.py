"""Suggest: intent suggestion plus phrase check after every keystroke of a 500-character note.

The note is typed into the real window's notes editor one character at a time (as an input
method commits Chinese text), in a call, with jieba loaded. After each keystroke the
workspace's text assist runs on the whole note as it does once typing pauses
(AssistController.analyse_now: intent suggestions, complaint cues, phrase check, then the
assist bar and phrase underlines are updated and painted); that is timed, the typing itself
is not. The figure is the p99 over keystrokes; the app's TextAssist.analyse alone is
reported beside it.
"""

from __future__ import annotations

import time

from bench.common import Figures, benchmark, child_main, percentile, run_child

NOTE_CHARS = 500


@benchmark("suggest_p99_ms")
def run(quick: bool) -> Figures:
    return run_child("suggest", timeout=300)


def _summary(samples: list[float]) -> str:
    return (
        f"median {percentile(samples, 50):.2f} ms, p99 {percentile(samples, 99):.2f} ms, "
        f"last keystroke {samples[-1]:.2f} ms"
    )


def _time_service(assist, note: str) -> list[float]:
    samples = []
    for end in range(1, len(note) + 1):
        start = time.perf_counter()
        assist.analyse(note[:end])
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def child(args: list[str]) -> Figures:
    from bench.appkit import assist_controller, running_app, settle, type_text
    from bench.corpus import long_note

    note = long_note(NOTE_CHARS)
    other_note = long_note(NOTE_CHARS, seed=501)  # a different text: jieba's cut cache is cold
    with running_app("bench-suggest-") as running:
        controller = assist_controller(running.app)
        editor = running.app.window.view.notes.editor
        editor.setFocus()
        settle()
        samples: list[float] = []
        for char in note:
            type_text(editor, char)
            start = time.perf_counter()
            controller.analyse_now()
            settle()
            samples.append((time.perf_counter() - start) * 1000)
        if editor.toPlainText() != note:
            raise RuntimeError("the notes editor does not hold the typed note")
        service = _time_service(running.app.text, other_note)
    out = Figures(suggest_p99_ms=percentile(samples, 99))
    out.notes.append(
        f"suggest: {len(samples)} keystrokes in the real notes editor, "
        f"AssistController.analyse_now + paint: {_summary(samples)}; TextAssist.analyse "
        f"alone: {_summary(service)}; measured after the app's background start-up work "
        f"({running.waited_s:.1f} s)"
    )
    return out


if __name__ == "__main__":
    child_main(child)
