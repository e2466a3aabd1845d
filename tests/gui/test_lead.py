"""Lead mode in the real window: the PIN dialog guards the reload and every lead action;
exports, bundle import, the audit view and retention run through the task runner."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop.app import App
from desktop.services.lead.bundle import export_bundle
from desktop.services.lead.reports import CallQuery
from desktop.services.lead.retention import load_policy
from desktop.ui.lead.flows import RetentionDialog
from desktop.ui.lead.pin_dialog import PinDialog, require_lead
from tests.helpers.lead_env import CALENDAR, agent_db

PIN = "864209"
RELOAD = (Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def _when_dialog(qtbot, act) -> None:
    """Run `act(dialog)` on the PIN dialog once it is shown (it is modal: exec() blocks)."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, PinDialog):
            act(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def _calls(app: App, n: int = 3) -> None:
    for i in range(n):
        app.calls.start_call(f"1380013{i:04d}")
        app.clock.advance(60)


def test_first_reload_asks_to_set_the_pin_then_reloads(app: App, qtbot) -> None:
    seen: list[str] = []

    def set_pin(dialog: PinDialog) -> None:
        seen.append(dialog.windowTitle())
        dialog.pin.setText(PIN)
        dialog.confirm.setText("000000")
        dialog.ok_button.click()
        seen.append(dialog.message.text())
        dialog.confirm.setText(PIN)
        dialog.ok_button.click()

    _when_dialog(qtbot, set_pin)
    qtbot.keyClick(app.window, *RELOAD)
    assert seen == ["设置组长 PIN", "两次输入的 PIN 不一致"]
    assert app.lead_gate.session.unlocked
    assert "内容包已重新加载" in app.window.statusBar().currentMessage()


def test_cancelled_pin_keeps_the_action_from_running(app: App, qtbot) -> None:
    app.lead_gate.session.set_first_pin(PIN)
    app.lead_gate.lock()
    _when_dialog(qtbot, lambda d: d.reject())
    assert require_lead(app.window, "重新加载内容包") is False
    assert not app.lead_gate.session.unlocked


def test_wrong_pins_lock_out_with_the_wait_shown(app: App, qtbot, clock) -> None:
    app.lead_gate.session.set_first_pin(PIN)
    app.lead_gate.lock()
    messages: list[str] = []

    def wrong_five_times(dialog: PinDialog) -> None:
        def attempt(left: int) -> None:
            if left == 0:
                messages.append(dialog.message.text())
                messages.append(str(dialog.ok_button.isEnabled()))
                dialog.reject()
                return
            dialog.pin.setText("111111")
            dialog.ok_button.click()
            # the hash is checked on a worker; wait for the answer before the next try
            qtbot.waitUntil(lambda: dialog.pin.text() == "" and dialog.message.text() != "")
            messages.append(dialog.message.text())
            attempt(left - 1)

        attempt(5)

    _when_dialog(qtbot, wrong_five_times)
    assert require_lead(app.window, "导出通话记录") is False
    assert messages[0] == "PIN 错误，还可尝试 4 次"
    assert "请在 30 秒 后重试" in messages[-2] and messages[-1] == "False"
    actions = [r[0] for r in app.db.execute("SELECT action FROM audit_log WHERE entity = 'lead'")]
    assert actions.count("lead.pin_failed") == 5 and "lead.lockout" in actions


def test_idle_lead_mode_locks_and_asks_again(app: App, qtbot, clock) -> None:
    app.lead_gate.session.set_first_pin(PIN)
    assert require_lead(app.window, "导出统计")
    clock.advance(minutes=11)
    asked: list[bool] = []

    def enter(dialog: PinDialog) -> None:
        asked.append(True)
        dialog.pin.setText(PIN)
        dialog.ok_button.click()

    _when_dialog(qtbot, enter)
    assert require_lead(app.window, "导出统计") is True and asked == [True]


def test_export_runs_in_the_background_masked_and_audited(app: App, qtbot, tmp_path) -> None:
    app.lead_gate.session.set_first_pin(PIN)
    _calls(app)
    out = tmp_path / "calls.xlsx"
    handle = app.lead.export_calls(app.window, CallQuery(), "xlsx", out)
    qtbot.waitUntil(lambda: handle.done and app.tasks.idle, timeout=10_000)
    qtbot.waitUntil(lambda: "已导出 calls.xlsx" in app.window.statusBar().currentMessage())
    sheet = openpyxl.load_workbook(out)["通话"]
    header = [c.value for c in sheet[1]]
    phones = [r[header.index("号码")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert phones == ["138****0000", "138****0001", "138****0002"]
    row = app.db.execute(
        "SELECT json_extract(detail, '$.unmasked') FROM audit_log WHERE action = 'export.calls'"
    ).fetchone()
    assert row == (0,)


def test_a_cancelled_export_leaves_no_file(app: App, qtbot, tmp_path) -> None:
    app.lead_gate.session.set_first_pin(PIN)
    app.db.execute(  # enough rows that the export is still running when 取消 is pressed
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) "
        "INSERT INTO calls (id, phone, started_at, status) "
        "SELECT 'c' || i, '13800138000', '2026-03-01T01:00:00.000Z', 'missed' FROM n"
    )
    out = tmp_path / "calls.csv"
    handle = app.lead.export_calls(app.window, CallQuery(), "csv", out)
    handle.cancel()
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=10_000)
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    assert not app.db.execute("SELECT 1 FROM audit_log WHERE action = 'export.calls'").fetchone()


def test_import_bundles_reports_each_and_refuses_bad_ones(app: App, qtbot, tmp_path) -> None:
    app.lead_gate.session.set_first_pin(PIN)
    agent = agent_db(tmp_path / "a", "1001")
    agent.call(notes="快递丢件")
    bundle = tmp_path / "1001.cabundle"
    export_bundle(agent.path, bundle, agent.clock, CALENDAR)
    agent.close()
    bad = tmp_path / "bad.cabundle"
    bad.write_bytes(b"not a bundle at all" * 100)
    app.lead.import_bundles(app.window, [bundle, bad])
    qtbot.waitUntil(
        lambda: app.tasks.idle and hasattr(app.lead, "last_import_summary"), timeout=10_000
    )
    summary = app.lead.last_import_summary
    assert "calls: 新增 1" in summary and "未导入 bad.cabundle：不是有效的数据包" in summary
    assert app.db.execute("SELECT agent FROM calls").fetchall() == [("1001",)]
    app.lead.last_box.close()


def test_audit_view_filters_by_action(app: App, qtbot) -> None:
    app.lead_gate.session.set_first_pin(PIN)
    _calls(app, 2)
    dialog = app.lead.audit_log(app.window)
    from desktop.ui.lead.audit_view import AuditLogView

    view = dialog.findChild(AuditLogView)
    qtbot.waitUntil(lambda: view.model.rowCount() >= 3)
    view.action.setCurrentIndex(view.action.findData("lead."))
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.index(0, 2).data() == "lead.pin_set"
    assert view.model.index(0, 0).data().startswith("2026-03-02 09:00")  # Shanghai time
    dialog.close()


def test_retention_dialog_previews_then_purges(app: App, qtbot, clock) -> None:
    app.lead_gate.session.set_first_pin(PIN)
    call = app.calls.start_call("13800138000", ringing=True)
    app.calls.save_notes(call.id, "旧备注")
    app.calls.mark_missed(call.id)
    clock.advance(days=40)
    dialog = RetentionDialog(app.lead, load_policy(app.db), app.window)
    qtbot.addWidget(dialog)
    dialog.notes_days.setValue(30)
    heard: list[object] = []
    app.hub.changed.connect(lambda changes, _origin: heard.append(changes))
    dialog.dry_button.click()
    # the count runs on the task runner: the click returns at once, the buttons wait
    assert dialog.result_label.text() == "正在统计…"
    assert not dialog.dry_button.isEnabled() and not dialog.purge_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.result_label.text() == "将删除 0 条通话记录，将清除 1 条备注")
    qtbot.waitUntil(lambda: dialog.purge_button.isEnabled())
    assert app.calls.get(call.id).notes == "旧备注"
    dialog.purge_button.click()
    assert dialog.result_label.text() == "正在清理…" and not dialog.dry_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.result_label.text() == "已删除 0 条通话记录，已清除 1 条备注")
    qtbot.waitUntil(lambda: dialog.dry_button.isEnabled())
    assert app.calls.get(call.id).notes == ""
    assert load_policy(app.db).notes_days == 30  # saved by the purge
    qtbot.waitUntil(lambda: any(c.calls for c in heard))  # the panels hear of it
    purges = app.db.execute(
        "SELECT json_extract(detail, '$.via') FROM audit_log WHERE action = 'retention.purge'"
    ).fetchall()
    assert purges == [("menu",)]


def review_source(app: App, review):
    """The ReviewSource the window reads through (its browser opens its own connection)."""
    return review.source


def test_review_window_needs_lead_mode_and_exports_its_filter(app: App, qtbot, tmp_path) -> None:
    _when_dialog(qtbot, lambda d: d.reject())
    app.window.open_review()
    assert not [
        w
        for w in QApplication.topLevelWidgets()
        if w.windowTitle().startswith("组长复盘") and w.isVisible()
    ]
    app.lead_gate.session.set_first_pin(PIN)
    _calls(app)
    app.window.open_review()
    review = next(
        w for w in QApplication.topLevelWidgets() if hasattr(w, "current_filter") and w.isVisible()
    )
    qtbot.addWidget(review)
    tabs = [review.tabs.tabText(i) for i in range(review.tabs.count())]
    assert "审计日志" in tabs
    assert "导出(&E)" in [a.text() for a in review.menuBar().actions()]
    out = tmp_path / "filtered.csv"
    from desktop.services.review.browser import CallFilter

    handle = app.lead.export_filtered(review, review_source(app, review), CallFilter(), "csv", out)
    qtbot.waitUntil(lambda: handle.done and app.tasks.idle, timeout=10_000)
    qtbot.waitUntil(lambda: out.exists())
    text = out.read_text(encoding="utf-8-sig")
    assert "138****0001" in text and "13800130001" not in text
    app.lead.lock()
    assert not review.isVisible()  # locking lead mode closes the lead's window
