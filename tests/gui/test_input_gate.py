"""The input gate holds the background breather while the agent types, and lets go after."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from desktop.core.breather import Breather
from desktop.ui.input_gate import RESUME_MS, InputGate


def test_typing_holds_the_breather_and_a_pause_releases_it(qtbot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    breather = Breather()
    done = [False]
    gate = InputGate(lambda: done[0], edit, breather=breather)
    gate.install()
    qtbot.keyClick(edit, Qt.Key.Key_A)
    assert breather.held
    qtbot.waitUntil(lambda: not breather.held, timeout=RESUME_MS * 20)
    done[0] = True  # the start-up work is over: the gate removes itself
    qtbot.waitUntil(lambda: not gate._installed, timeout=5000)
    qtbot.keyClick(edit, Qt.Key.Key_B)
    assert not breather.held
    assert edit.text() == "ab"


def test_removing_the_gate_releases_a_held_breather(qtbot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    breather = Breather()
    gate = InputGate(lambda: False, edit, breather=breather)
    gate.install()
    breather.hold()
    gate.remove()
    assert not breather.held


def test_clicks_and_input_method_text_hold_it_too(qtbot) -> None:
    """What the first-minute benchmark does while start-up work runs: button clicks and
    Chinese text committed by an input method (no key events at all)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

    window = QWidget()
    qtbot.addWidget(window)
    edit, button = QLineEdit(), QPushButton("咨询")
    layout = QVBoxLayout(window)
    layout.addWidget(edit)
    layout.addWidget(button)
    window.show()
    breather = Breather()
    gate = InputGate(lambda: False, window, breather=breather)
    gate.install()
    try:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert breather.held
        qtbot.waitUntil(lambda: not breather.held, timeout=RESUME_MS * 20)
        commit = QInputMethodEvent()
        commit.setCommitString("退款")
        QApplication.sendEvent(edit, commit)
        assert breather.held and edit.text() == "退款"
    finally:
        gate.remove()
