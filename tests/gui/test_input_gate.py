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
