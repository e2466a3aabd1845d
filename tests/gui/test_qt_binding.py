"""The Qt binding keeps Python's reference counts right: PySide6 6.12.0 dropped a reference
to None on every Qt call returning None, and the app aborted after a few hundred clicks."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt

from desktop.app import App


def test_a_long_shift_of_clicks_does_not_drain_none(app: App, qtbot) -> None:
    before = sys.getrefcount(None)
    keys = [t.key for t in app.content.pack.call_types]
    for n in range(300):
        qtbot.mouseClick(
            app.window.view.intent_bar.button(keys[n % len(keys)]), Qt.MouseButton.LeftButton
        )
    lost = before - sys.getrefcount(None)
    assert lost < 1000, f"300 intent clicks dropped {lost} references to None"
