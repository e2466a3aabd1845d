"""The window on a real desk: compact and always-on-top remembered, geometry restored, and a
clipboard that refuses the text is reported instead of pretending the copy worked."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.app import App, build_app
from desktop.ui.workspace import controller


def test_compact_and_on_top_toggle_from_the_keyboard(app: App, qtbot) -> None:
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(app.window, Qt.Key.Key_C, keys)
    assert app.window.view.compact and not app.window.view.side.isVisible()
    qtbot.keyClick(app.window, Qt.Key.Key_C, keys)
    assert not app.window.view.compact and app.window.view.side.isVisible()
    app.window.on_top_action.trigger()
    assert app.window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint


def test_compact_mode_and_geometry_are_remembered(qtbot, data_dir: Path, clock) -> None:
    first = build_app(data_dir, clock)
    qtbot.addWidget(first.window)
    first.window.show()
    first.window.resize(1100, 700)
    first.window.set_compact(True)  # compact narrows the window; the saved geometry is that
    qtbot.waitUntil(lambda: first.window.width() < 600)
    width = first.window.width()
    first.close()
    second = build_app(data_dir, clock)
    qtbot.addWidget(second.window)
    second.window.show()
    try:
        assert second.window.view.compact and second.window.compact_action.isChecked()
        assert second.window.width() == width
    finally:
        second.close()


class _BrokenClipboard:
    def setText(self, text: str) -> None:
        pass

    def text(self) -> str:
        return ""


def test_clipboard_that_cannot_be_written_is_reported(
    app: App, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.workspace.start_manual("", "")
    call = app.workspace.current
    monkeypatch.setattr(
        controller.QGuiApplication, "clipboard", staticmethod(lambda: _BrokenClipboard())
    )
    items = app.window.view.scripts.script_items()
    app.window.view.scripts.list_widget.setCurrentItem(items[0])
    app.window.view.scripts.list_widget.setFocus()
    qtbot.keyClick(app.window.view.scripts.list_widget, Qt.Key.Key_Return)
    assert "无法写入剪贴板" in app.window.statusBar().currentMessage()
    assert app.scripts.used_scripts(call.id) == []
