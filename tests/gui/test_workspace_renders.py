"""What a click, a keystroke or a softphone event redraws: only the panels it affects, once.

Counts renders and queries (never time): an intent click used to rebuild the script list
three times and query the caller's history; every ring of another call re-read and rebuilt
the whole open-calls list and, through the change hub, re-rendered the whole workspace."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.app import App
from desktop.core.call_events import CallEvent
from tests.helpers.counting import count_calls


def _ring(app: App, n: int) -> None:
    app.softphone.apply(
        CallEvent("incoming", f"137{n:08d}", call_id=f"r{n}", source="baresip", event_id=f"r{n}")
    )


def _open_call_rows(app: App) -> list[tuple[str, str]]:
    box = app.window.view.call_bar.open_calls
    return [(box.itemData(i), box.itemText(i)) for i in range(box.count())]


def test_an_intent_click_lists_the_scripts_once_and_reads_no_history(
    app: App, qtbot, monkeypatch
) -> None:
    v = app.window.view
    app.workspace.start_manual("13800138000", "")
    fills = count_calls(monkeypatch, v.scripts, "_fill")
    steps = count_calls(monkeypatch, v.checklist, "show_steps")
    history = count_calls(monkeypatch, app.screen, "caller_history")

    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    qtbot.wait(20)  # whatever the click queued (the hub's news of it) has run

    assert app.workspace.current.intent == "complaint"
    assert (len(fills), len(steps), len(history)) == (1, 1, 0)
    assert v.scripts.script_items()  # the complaint's scripts are listed

    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    qtbot.wait(20)
    assert len(fills) == 1  # the same type again: the same list, not built again


def test_focusing_another_step_lists_its_scripts(app: App, qtbot, monkeypatch) -> None:
    """The checklist's own redraw is not a focus change; the agent's move still is."""
    v = app.window.view
    app.workspace.start_manual("13800138000", "")
    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    fills = count_calls(monkeypatch, v.scripts, "_fill")
    steps = app.content.pack.steps("complaint")
    calm = next(i for i, s in enumerate(steps) if s.key == "calm")
    v.checklist.list_widget.setCurrentRow(calm)
    assert len(fills) == 1
    first = v.scripts.list_widget.item(0).text()
    assert first == f"当前步骤：{steps[calm].label}"


def test_back_from_a_search_keeps_the_built_list(app: App, qtbot, monkeypatch) -> None:
    v = app.window.view
    app.workspace.start_manual("13800138000", "")
    qtbot.mouseClick(v.intent_bar.button("inquiry"), Qt.MouseButton.LeftButton)
    grouped = [i.data(Qt.ItemDataRole.UserRole) for i in v.scripts.script_items()]
    fills = count_calls(monkeypatch, v.scripts, "_fill")
    app.workspace.show_search_results([grouped[0]])
    assert [i.data(Qt.ItemDataRole.UserRole) for i in v.scripts.script_items()] == grouped[:1]
    app.workspace.show_search_results(None)
    assert len(fills) == 1  # only the result list was built
    assert [i.data(Qt.ItemDataRole.UserRole) for i in v.scripts.script_items()] == grouped


def test_the_default_promise_time_does_not_refill_the_scripts(
    app: App, qtbot, monkeypatch, clock
) -> None:
    v = app.window.view
    app.workspace.start_manual("13800138000", "")
    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    fills = count_calls(monkeypatch, v.scripts, "_fill")
    clock.advance(minutes=5)
    qtbot.mouseClick(v.intent_bar.button("inquiry"), Qt.MouseButton.LeftButton)
    assert len(fills) == 1  # offering now + 2 h again is not a promise the agent made
    v.wrap_up.promise.setChecked(True)
    assert len(fills) == 2  # a promise the agent set fills {promised_time} in


def test_rings_of_other_calls_redraw_only_the_open_calls_list_once(
    app: App, qtbot, monkeypatch
) -> None:
    v = app.window.view
    app.workspace.start_manual("13800138000", "")
    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    current = app.workspace.current
    fills = count_calls(monkeypatch, v.scripts, "_fill")
    steps = count_calls(monkeypatch, v.checklist, "show_steps")
    listed = count_calls(monkeypatch, app.calls, "open_call_list")
    for n in range(5):  # one batch of events, as the bridge applies a burst
        _ring(app, n)
    qtbot.waitUntil(lambda: v.call_bar.open_calls.count() == 6, timeout=2000)
    qtbot.wait(20)

    assert app.workspace.current.id == current.id
    assert (len(fills), len(steps), len(listed)) == (0, 0, 1)
    ids = [call_id for call_id, _label in _open_call_rows(app)]
    assert ids == [c.id for c in app.calls.open_calls()]
    assert _open_call_rows(app)[-1][1] == "振铃中 137****0004"


def test_the_open_calls_list_follows_answers_and_hang_ups(app: App, qtbot) -> None:
    v = app.window.view
    app.workspace.start_manual("13800138000", "")
    for n in range(3):
        _ring(app, n)
    qtbot.waitUntil(lambda: v.call_bar.open_calls.count() == 4, timeout=2000)
    app.softphone.apply(
        CallEvent("answered", "13700000001", call_id="r1", source="baresip", event_id="a1")
    )
    app.softphone.apply(
        CallEvent("ended", "13700000000", call_id="r0", source="baresip", event_id="e0")
    )
    qtbot.waitUntil(lambda: v.call_bar.open_calls.count() == 3, timeout=2000)
    labels = [label for _id, label in _open_call_rows(app)]
    assert labels[1:] == ["通话中 137****0001", "振铃中 137****0002"]
    assert [i for i, _l in _open_call_rows(app)] == [c.id for c in app.calls.open_calls()]
