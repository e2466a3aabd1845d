"""Run the real window on a screen of a given size and scale (in its own process, since the
screen is fixed when Qt starts) and report what an agent could see; optionally save
screenshots. Used by tests/gui/test_desk_sizes.py and for the issue-13 screenshots.

    python -m tests.helpers.desk_probe WIDTH HEIGHT [SHOT_PREFIX]
(QT_SCALE_FACTOR in the environment sets the scaling.)
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def _rect(widget, root) -> list[int]:
    from PySide6.QtCore import QPoint

    top_left = widget.mapTo(root, QPoint(0, 0))
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def probe(shot_prefix: str = "") -> dict:
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_app
    from desktop.core.call_events import CallEvent
    from desktop.core.clock import FakeClock
    from desktop.ui.qt_translation import install_qt_translation

    qt_app = QApplication.instance() or QApplication([])
    install_qt_translation(qt_app)
    data = Path(tempfile.mkdtemp(prefix="desk-probe-"))
    from datetime import UTC, datetime

    app = build_app(data, FakeClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)), baresip="")
    app.settings.update(agent_name="李娜", agent_id="2046", company="远航物流")
    window = app.window
    window.show()
    qt_app.processEvents()
    out: dict = {"available": window.available().getRect()}

    def settle() -> None:
        for _ in range(5):
            qt_app.processEvents()

    def measure(name: str) -> None:
        settle()
        v = window.view
        parts = {
            "call_bar": v.call_bar,
            "intent_bar": v.intent_bar,
            "checklist": v.checklist,
            "scripts": v.scripts,
            "notes": v.notes,
            "wrap_up": v.wrap_up,
            "complete": v.wrap_up.complete,
            "end_button": v.call_bar.end_button,
        }
        out[name] = {
            "frame": window.frameGeometry().getRect(),
            "size": [window.width(), window.height()],
            "view": [v.width(), v.height()],
            "viewport": window.workspace_scroll.viewport().size().toTuple(),
            "draft_shown": v.scripts.draft.isVisible(),
            "warning_shown": v.wrap_up.warning.isVisible(),
            "status_bar": window.statusBar().isVisible(),
            "parts": {k: _rect(w, v) for k, w in parts.items() if w.isVisible()},
            "hints": {k: w.minimumSizeHint().height() for k, w in parts.items()},
            "script_rows": len(v.scripts.script_items()),
        }
        if shot_prefix:
            window.grab().save(f"{shot_prefix}-{name}.png")

    app.softphone.apply(CallEvent("incoming", "13800138000", "张三", "p1", source="hook"))
    settle()
    if shot_prefix:
        app.desk.notice.grab().save(f"{shot_prefix}-notice.png")
    out["notice"] = app.desk.notice.frameGeometry().getRect()
    window.answer_key()
    app.workspace.choose_intent("complaint")
    window.view.notes.editor.setPlainText("客户反映快递三天未送达，要求尽快处理。")
    measure("call")
    window.compact_action.setChecked(True)
    measure("compact_call")
    window.view.call_bar.end_button.click()
    measure("compact")
    window.compact_action.setChecked(False)
    measure("wrapup")
    if shot_prefix:
        _more_shots(app, shot_prefix, settle)
    app.close()
    qt_app.processEvents()
    return out


def _more_shots(app, prefix: str, settle) -> None:
    """For the issue-13 screenshots only: a second ring over the wrap-up, a reminder alert in
    compact mode, the first-run set-up."""
    from datetime import timedelta

    from desktop.core.call_events import CallEvent
    from desktop.ui.first_run import FirstRunDialog

    window = app.window
    app.softphone.apply(CallEvent("incoming", "13912345678", "李四", "p2", source="hook"))
    settle()
    window.grab().save(f"{prefix}-second_ring.png")
    app.reminders.create_manual(
        None,
        "callback",
        app.clock.now() + timedelta(minutes=1),
        phone="13700001111",
        customer_name="王五",
    )
    app.clock.advance(minutes=2)
    app.scheduler.sync()
    window.compact_action.setChecked(True)
    settle()
    window.grab().save(f"{prefix}-compact_alert.png")
    dialog = FirstRunDialog(app.settings, window)
    dialog.show()
    settle()
    dialog.grab().save(f"{prefix}-first_run.png")
    dialog.close()


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[3] if len(sys.argv) > 3 else "")))
