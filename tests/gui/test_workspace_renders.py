"""What a click, a keystroke or a softphone event redraws: only the panels it affects, once.

Counts renders and queries (never time): an intent click used to rebuild the script list
three times and query the caller's history; every ring of another call re-read and rebuilt
the whole open-calls list and, through the change hub, re-rendered the whole workspace."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from desktop.app import App
from desktop.core.call_events import CallEvent
from desktop.ui import softphone_bridge
from desktop.ui.workspace.script_list import BODY_ROLE, SIZE_ROLE
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


def test_back_to_a_call_type_shows_its_kept_list_fresh(app: App, qtbot, monkeypatch) -> None:
    """Switching back to a call type shown before in this call shows its list again (not
    rebuilt), at the top with nothing selected, with the same rows as a fresh build."""
    v = app.window.view
    app.workspace.start_manual("13800138000", "")

    def rows() -> list[tuple[str, str]]:
        lst = v.scripts.list_widget
        return [(lst.item(i).text(), lst.item(i).data(BODY_ROLE)) for i in range(lst.count())]

    qtbot.mouseClick(v.intent_bar.button("inquiry"), Qt.MouseButton.LeftButton)
    inquiry, inquiry_rows = v.scripts.list_widget, rows()
    inquiry.setCurrentRow(3)
    inquiry.scrollToBottom()
    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    complaint_rows = rows()
    assert v.scripts.list_widget is not inquiry and complaint_rows != inquiry_rows
    assert not inquiry.isVisible() and v.scripts.list_widget.isVisible()
    fills = count_calls(monkeypatch, v.scripts, "_fill")

    qtbot.mouseClick(v.intent_bar.button("inquiry"), Qt.MouseButton.LeftButton)
    assert fills == []  # shown again, not rebuilt
    assert v.scripts.list_widget is inquiry and inquiry.isVisible()
    assert rows() == inquiry_rows
    assert inquiry.currentRow() == -1 and inquiry.verticalScrollBar().value() == 0

    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    assert fills == [] and rows() == complaint_rows
    lst = v.scripts.list_widget
    lst.setFocus()
    lst.setCurrentItem(v.scripts.script_items()[0])
    qtbot.keyClick(lst, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(fills) == 1  # a favourite changes the groups: that list is built anew
    assert rows() != complaint_rows and any("收藏" in text for text, _ in rows())


def test_the_kept_lists_are_bounded(app: App, qtbot) -> None:
    from desktop.ui.workspace import script_panel
    from desktop.ui.workspace.script_list import ScriptList

    v = app.window.view
    keys = [t.key for t in app.content.pack.call_types]
    for n in range(script_panel.GROUPED_KEPT + 3):  # each call fills its own values in
        app.workspace.start_manual(f"1380013{n:04d}", "")
        qtbot.mouseClick(v.intent_bar.button(keys[n % len(keys)]), Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    lists = v.scripts.findChildren(ScriptList)
    assert len(lists) <= script_panel.GROUPED_KEPT + 1  # and the search results' list
    assert v.scripts.list_widget.isVisible() and v.scripts.script_items()


class _LayoutRequests(QObject):
    """Counts the layout requests a widget receives."""

    def __init__(self, widget: QObject) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        self.count += event.type() == QEvent.Type.LayoutRequest
        return False


def test_a_search_keystroke_lays_out_the_result_list_alone(app: App, qtbot) -> None:
    """Going from the grouped scripts to the results (the first keystroke of every search)
    used to invalidate every layout up to the window and lay the whole workspace out."""
    v = app.window.view
    assert app.wait_background()
    app.workspace.start_manual("13800138000", "")
    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    v.scripts.search.setText("退款")  # the results list has been shown once
    v.scripts.search.clear()
    qtbot.wait(300)  # the clear button has faded out, the window is laid out
    grouped = v.scripts.list_widget
    workspace, panel = _LayoutRequests(v), _LayoutRequests(v.scripts)

    v.scripts.search.setText("道")
    QApplication.processEvents()  # what the keystroke posted (not the clear button's fade)

    assert v.scripts.list_widget is not grouped and v.scripts.script_items()
    assert (workspace.count, panel.count) == (0, 0)


def test_script_rows_are_as_tall_as_their_text_at_the_list_width(app: App, qtbot) -> None:
    v = app.window.view
    app.workspace.start_manual("13800138000", "")
    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    lst = v.scripts.list_widget
    longest = max(v.scripts.script_items(), key=lambda i: len(i.data(BODY_ROLE)))
    wide = longest.data(SIZE_ROLE)
    assert wide.width() == lst.viewport().width() - 2
    assert wide.height() == lst.metrics.height(longest.data(BODY_ROLE), wide.width())

    v.main.setSizes([v.main.width() - 220, 220])  # the agent drags the script column narrow
    qtbot.waitUntil(lambda: lst.viewport().width() < wide.width())

    narrow = longest.data(SIZE_ROLE)
    assert narrow.width() == lst.viewport().width() - 2
    assert narrow.height() > wide.height()
    assert lst.visualItemRect(longest).height() == narrow.height()


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


def test_a_batch_of_rings_pops_one_notice_and_reads_one_history(
    app: App, qtbot, monkeypatch
) -> None:
    """A burst the bridge applies in one batch: the desk shows the batch's last ring, once
    (it used to read the caller's history, lay out and raise the notice for every ring)."""
    monkeypatch.setattr(softphone_bridge, "BATCH_BUDGET_S", 10.0)  # all five in one batch
    app.workspace.start_manual("13800138000", "")
    notices = count_calls(monkeypatch, app.desk.notice, "show_call")
    history = count_calls(monkeypatch, app.screen, "caller_history")
    banners = count_calls(monkeypatch, app.window.view.ring_banner, "ring")
    for n in range(5):  # as baresip's reader thread hands them over
        app.softphone._from_thread.emit(
            CallEvent(
                "incoming", f"137{n:08d}", call_id=f"q{n}", source="baresip", event_id=f"q{n}"
            )
        )
    qtbot.waitUntil(lambda: app.desk.notice.isVisible(), timeout=2000)
    qtbot.wait(20)

    assert app.db.execute("SELECT count(*) FROM calls").fetchone()[0] == 6
    assert [args[2] for args in notices] == ["137****0004"]  # the last ring's number
    assert [args[0] for args in history] == ["13700000004"]
    assert len(banners) == 1 and app.window.view.ring_banner.call_id == notices[0][0]


def test_a_ring_answered_in_the_same_batch_pops_nothing(app: App, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(softphone_bridge, "BATCH_BUDGET_S", 10.0)
    for kind in ("incoming", "answered"):
        app.softphone._from_thread.emit(
            CallEvent(kind, "13700000001", call_id="a1", source="baresip", event_id=f"a1-{kind}")
        )
    qtbot.waitUntil(lambda: app.workspace.current is not None, timeout=2000)
    qtbot.wait(20)
    assert app.workspace.current.status == "active"
    assert not app.desk.notice.isVisible()
