"""Issue 13, keys and focus: call keys from every one-line field, outcome keys, F8, Space on
the checklist, script search Esc/Down/cleared on a new call."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from desktop.app import App
from desktop.ui.workspace.wrap_up_bar import OUTCOME_KEYS


def _one_line_fields(app: App) -> list[QLineEdit]:
    fields = [f for f in app.window.findChildren(QLineEdit) if f.isVisible() and f.isEnabled()]
    return [f for f in fields if not f.isReadOnly()]


def test_hang_up_key_works_from_every_one_line_field(app: App, qtbot) -> None:
    fields = _one_line_fields(app)
    names = {f.accessibleName() for f in fields}
    assert "搜索话术" in names and len(fields) >= 2, names
    for field in fields:
        app.workspace.start_manual("13800138000", "keep")
        call = app.workspace.current
        field.setFocus()
        qtbot.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        assert app.calls.get(call.id).status == "wrap_up", field.accessibleName()


def test_new_call_and_intent_keys_from_the_search_box(app: App, qtbot) -> None:
    search = app.window.view.scripts.search
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert app.window.view.new_call.isVisible()
    qtbot.keyClick(app.window.view.new_call.number, Qt.Key.Key_Escape)
    search.setFocus()
    qtbot.keyClick(search, Qt.Key.Key_F2)
    assert app.workspace.current is not None and app.workspace.current.intent == "complaint"


def test_outcome_keys_shown_on_buttons_and_choose_from_the_notes(app: App, qtbot) -> None:
    qtbot.keyClick(app.window, Qt.Key.Key_F1)
    bar = app.window.view.wrap_up
    notes = app.window.view.notes.editor
    for outcome, keys in OUTCOME_KEYS.items():
        assert keys in bar.outcome_button(outcome).text()
    notes.setFocus()
    qtbot.keyClick(notes, Qt.Key.Key_F2, Qt.KeyboardModifier.ShiftModifier)
    assert bar.selected_outcome() == "follow_up"
    assert QApplication.focusWidget() is notes  # the caret stays in the notes


def test_f8_preselects_unrelated_outcome(app: App, qtbot) -> None:
    qtbot.keyClick(app.window, Qt.Key.Key_F8)
    assert app.workspace.current.intent == "unrelated"
    assert app.window.view.wrap_up.selected_outcome() == "unrelated"


def test_wrap_up_tab_order_runs_outcomes_then_complete(app: App, qtbot) -> None:
    qtbot.keyClick(app.window, Qt.Key.Key_F1)
    bar = app.window.view.wrap_up
    first = bar.outcome_button("resolved")
    order = [first]
    widget = first
    for _ in range(12):
        widget = widget.nextInFocusChain()
        while not (widget.isVisible() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            widget = widget.nextInFocusChain()
        order.append(widget)
        if widget is bar.complete:
            break
    assert order[:5] == [bar.outcome_button(k) for k in OUTCOME_KEYS]
    assert bar.complete in order


def test_space_ticks_the_current_step_through_a_long_checklist(app: App, qtbot) -> None:
    qtbot.keyClick(app.window, Qt.Key.Key_F2)  # complaint: the longest checklist
    lw = app.window.view.checklist.list_widget
    steps = lw.count()
    lw.setFocus()
    for _ in range(steps + 3):  # more presses than steps: nothing is ever unticked
        qtbot.keyClick(lw, Qt.Key.Key_Space)
    assert len(app.calls.ticked_steps(app.workspace.current.id)) == steps


def test_ctrl_t_ticks_more_than_nine_steps_from_the_notes(app: App, qtbot) -> None:
    qtbot.keyClick(app.window, Qt.Key.Key_F2)
    notes = app.window.view.notes.editor
    notes.setFocus()
    steps = app.window.view.checklist.list_widget.count()
    for _ in range(steps):
        qtbot.keyClick(notes, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert len(app.calls.ticked_steps(app.workspace.current.id)) == steps


def test_script_search_esc_down_and_new_call(app: App, qtbot) -> None:
    app.wait_background()
    qtbot.keyClick(app.window, Qt.Key.Key_F1)
    scripts = app.window.view.scripts
    scripts.search.setText("退款")
    qtbot.waitUntil(lambda: bool(scripts.script_items()), timeout=5000)
    qtbot.keyClick(scripts.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is scripts.list_widget
    assert scripts.list_widget.currentItem() is scripts.script_items()[0]
    scripts.search.setFocus()
    qtbot.keyClick(scripts.search, Qt.Key.Key_Escape)
    assert scripts.search.text() == ""
    scripts.search.setText("退款")
    app.workspace.start_manual("", "keep")
    assert scripts.search.text() == ""  # a new call starts with its own scripts


class _GreedyEdit(QLineEdit):
    """A field whose key bindings claim Ctrl+E and Ctrl+N (as a desktop's emacs-style
    bindings make QLineEdit do): it accepts their ShortcutOverride."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
        ):
            event.accept()
            return True
        return super().event(event)


def test_call_keys_beat_a_field_that_claims_them(app: App, qtbot) -> None:
    """The call keys' filter sits on the fields themselves (no app-wide filter): a field
    added to the window after start-up is watched once it takes the focus."""
    greedy = _GreedyEdit()
    greedy.setAccessibleName("贪心的输入框")
    app.window.view.side_layout.addWidget(greedy)
    greedy.show()
    app.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window, timeout=5000)
    app.workspace.start_manual("13800138000", "keep")
    call = app.workspace.current
    greedy.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is greedy, timeout=5000)
    qtbot.keyClick(greedy, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert app.calls.get(call.id).status == "wrap_up"
    # a key that is no call key stays the field's own
    qtbot.keyClick(greedy, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert app.calls.get(call.id).status == "wrap_up"


def test_clicking_an_intent_or_priority_leaves_the_caret_in_the_notes(app: App, qtbot) -> None:
    """Mid-sentence in the notes, the agent clicks 投诉 and 紧急: the notes keep the focus
    and the caret, and typing goes on; Tab still reaches the buttons."""
    v = app.window.view
    app.workspace.start_manual("13800138000", "")
    app.window.activateWindow()
    editor = v.notes.editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, "caller says")
    qtbot.mouseClick(v.intent_bar.button("complaint"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(v.intent_bar.priority_button("urgent"), Qt.MouseButton.LeftButton)
    assert app.workspace.current.intent == "complaint"
    assert app.workspace.current.priority == "urgent"
    assert editor.hasFocus(), QApplication.focusWidget()
    qtbot.keyClicks(editor, " complaint")
    assert editor.toPlainText() == "caller says complaint"
    for button in (v.intent_bar.button("complaint"), v.intent_bar.priority_button("urgent")):
        assert button.focusPolicy() == Qt.FocusPolicy.TabFocus  # Tab reaches it, a click not
