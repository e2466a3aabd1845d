"""Text assist in the workspace: suggestions, the complaint path, phrase warnings, search."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop.app import App
from tests.helpers.typing import ime_type


def _assist_bar(app: App):
    return app.window.view.notes.assist.itemAt(0).widget()


def test_suggestion_is_offered_never_applied_and_accepted_with_a_click(app: App, qtbot) -> None:
    assert app.text.segmenter.wait(30)
    app.workspace.start_manual("13800138000", "")
    call = app.workspace.current
    ime_type(app.window.view.notes.editor, "客户想查询一下退款进度，钱什么时候到账", chunk=4)
    bar = _assist_bar(app)
    qtbot.waitUntil(lambda: bar.suggest_buttons[0].isVisible(), timeout=2000)
    assert app.calls.get(call.id).intent is None  # never changes the intent by itself
    assert bar.suggest_buttons[0].property("intent") == "status"
    qtbot.mouseClick(bar.suggest_buttons[0], Qt.MouseButton.LeftButton)
    assert app.calls.get(call.id).intent == "status"


def test_complaint_signal_offers_priority_path_and_calming_scripts(app: App, qtbot) -> None:
    assert app.text.segmenter.wait(30)
    app.workspace.start_manual("13800138000", "")
    call = app.workspace.current
    ime_type(
        app.window.view.notes.editor,
        "你们就是骗子！我要投诉，找你们领导来，不然我就去曝光",
        chunk=3,
    )
    bar = _assist_bar(app)
    qtbot.waitUntil(lambda: bar.signal_row.isVisible(), timeout=2000)
    assert "投诉信号" in bar.signal_label.text()
    qtbot.keyClick(app.window, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    saved = app.calls.get(call.id)
    assert (saved.intent, saved.priority) == ("complaint", "urgent")
    methods = {
        app.content.pack.script(item.data(Qt.ItemDataRole.UserRole)).method
        for item in app.window.view.scripts.script_items()
    }
    assert methods & {"3F", "CLEAR"}


def test_negative_phrases_are_underlined_with_an_alternative(app: App, qtbot) -> None:
    app.workspace.start_manual("", "")
    editor = app.window.view.notes.editor
    ime_type(editor, "这个没办法，公司规定就是这样", chunk=5)
    bar = _assist_bar(app)
    qtbot.waitUntil(lambda: bar.phrase_label.isVisible(), timeout=2000)
    assert "没办法" in bar.phrase_label.text() and "可以说" in bar.phrase_label.text()
    selections = editor.extraSelections()
    assert selections
    first = selections[0].cursor
    assert editor.toPlainText()[first.selectionStart() : first.selectionEnd()] == "没办法"


def test_script_search_finds_two_character_words_and_enter_copies_the_top_hit(
    app: App, qtbot
) -> None:
    qtbot.waitUntil(app.text.search_ready.is_set, timeout=30_000)
    app.workspace.start_manual("", "")
    scripts = app.window.view.scripts
    qtbot.keyClick(app.window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    ime_type(scripts.search, "物流", chunk=2)
    items = scripts.script_items()
    assert items, "物流 finds scripts"
    top_text = items[0].data(Qt.ItemDataRole.UserRole + 1)
    qtbot.keyClick(scripts.search, Qt.Key.Key_Return)
    assert QGuiApplication.clipboard().text() == top_text
    scripts.search.clear()
    assert scripts.list_widget.item(0).data(Qt.ItemDataRole.UserRole + 3)  # grouped view again


def test_a_draft_reply_is_checked_and_copied(app: App, qtbot) -> None:
    app.workspace.start_manual("13800138000", "")
    call = app.workspace.current
    app.workspace.choose_intent("complaint")
    scripts = app.window.view.scripts
    first = scripts.script_items()[0]
    scripts.list_widget.setCurrentItem(first)
    qtbot.keyClick(app.window, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    assert scripts.draft.toPlainText() == first.data(Qt.ItemDataRole.UserRole + 1)
    ime_type(scripts.draft, "不过这个我们没办法。", chunk=4)
    qtbot.waitUntil(lambda: scripts.draft_warning.isVisible(), timeout=2000)
    assert "没办法" in scripts.draft_warning.text()
    assert scripts.draft.extraSelections()
    qtbot.keyClick(
        app.window,
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert QGuiApplication.clipboard().text().endswith("不过这个我们没办法。")
    assert app.scripts.used_scripts(call.id) == [first.data(Qt.ItemDataRole.UserRole)]


def test_suggester_learns_the_agents_own_classified_calls(
    qtbot, data_dir, clock, segmenter
) -> None:
    from desktop.app import build_app

    first = build_app(data_dir, clock)
    qtbot.addWidget(first.window)
    first.start_background()
    assert first.wait_background(30)
    before = [s.call_type for s in first.text.analyse("小蓝鲸还有吗").suggestions]
    for n in range(6):
        call = first.calls.start_call(f"1380013800{n}")
        first.calls.set_intent(call.id, "order")
        first.calls.save_notes(call.id, f"客户说小蓝鲸，第{n}次")
        first.calls.wrap_up(call.id, "resolved", skip_reason="测试")
    first.close()
    second = build_app(data_dir, clock)
    qtbot.addWidget(second.window)
    try:
        second.start_background()
        assert second.wait_background(30)
        assert second.text.learned_calls == 6
        after = [s.call_type for s in second.text.analyse("小蓝鲸还有吗").suggestions]
        assert after[:1] == ["order"] and before[:1] != ["order"]
    finally:
        second.close()


def test_the_same_text_is_analysed_once_until_the_suggester_changes(app: App, qtbot) -> None:
    """An intent click or a call switch asks again for the same note: the analysis is kept
    (a long note costs ~1 ms); a new text, a new suggester (learning) or jieba's load make a
    new one."""
    assert app.wait_background(30)
    text = app.text
    first = text.analyse("小蓝鲸还有吗，我要买两个")
    assert text.analyse("小蓝鲸还有吗，我要买两个") is first
    other = text.analyse("小蓝鲸还有吗，我要买三个")
    assert other is not first
    assert [s.call_type for s in first.suggestions][:1] != ["booking"]
    text.learn_from([(f"小蓝鲸还有吗，我要买两个 第{n}次", "booking") for n in range(30)])
    qtbot.waitUntil(text.history_learned.is_set, timeout=10_000)
    again = text.analyse("小蓝鲸还有吗，我要买两个")
    assert again is not first
    assert [s.call_type for s in again.suggestions][:1] == ["booking"]
