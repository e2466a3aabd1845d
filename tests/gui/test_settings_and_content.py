"""Settings fill the scripts; a team lead's edited pack reloads, and a broken one never
replaces the last good pack; a step removed while a call uses it loses nothing."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop import paths
from desktop.app import App
from desktop.ui.settings_dialog import SettingsDialog
from tests.helpers.typing import ime_type


def _script_texts(app: App) -> list[str]:
    return [i.data(Qt.ItemDataRole.UserRole + 1) for i in app.window.view.scripts.script_items()]


def test_settings_dialog_saves_and_scripts_use_the_new_values(app: App, qtbot) -> None:
    dialog = SettingsDialog(app.settings, app.window)
    qtbot.addWidget(dialog)
    dialog.agent_name.clear()
    ime_type(dialog.agent_name, "李娜")
    dialog.company.clear()
    ime_type(dialog.company, "星河电器")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert app.settings.current.agent_name == "李娜"
    app.workspace.choose_intent("inquiry")
    texts = _script_texts(app)
    assert any("李娜" in t for t in texts) and any("星河电器" in t for t in texts)


def test_settings_dialog_refuses_bad_values(app: App, qtbot) -> None:
    dialog = SettingsDialog(app.settings, app.window)
    qtbot.addWidget(dialog)
    dialog.baresip.setText("host:notaport")
    dialog.save()
    assert "baresip" in dialog.error.text() and app.settings.current.baresip == ""
    dialog.baresip.clear()
    dialog.agent_name.clear()
    dialog.save()
    assert "坐席姓名" in dialog.error.text()


def test_the_agent_picks_a_zone_and_every_time_follows_it(app: App, qtbot) -> None:
    """The clock says 01:00 UTC: 09:00 in Shanghai, 10:00 in Tokyo; the computer's own
    zone (New York in the tests) never shows."""
    app.workspace.start_manual("13800138000", "")
    app.workspace.choose_intent("inquiry")
    first = app.content.pack.steps("inquiry")[0]
    app.workspace.tick(first.key, True)
    checklist = app.window.view.checklist.list_widget
    assert "✓ 09:00:00" in checklist.item(0).text()
    dialog = SettingsDialog(app.settings, app.window)
    qtbot.addWidget(dialog)
    assert dialog.timezone.currentText() == "Asia/Shanghai"
    dialog.timezone.setCurrentText("Mars/Olympus")
    dialog.save()
    assert "时区" in dialog.error.text() and app.settings.current.timezone == "Asia/Shanghai"
    dialog.timezone.setCurrentText("Asia/Tokyo")
    dialog.save()
    assert app.settings.current.timezone == "Asia/Tokyo"
    assert app.calendar().zone_name == "Asia/Tokyo"
    qtbot.waitUntil(lambda: "✓ 10:00:00" in checklist.item(0).text(), timeout=2000)


def _override_pack(app: App) -> Path:
    target = app.data_dir / "content" / "zh_CN"
    shutil.copytree(paths.content_pack_dir(), target)
    return target


@pytest.mark.expect_log(logging.WARNING, r"content pack .* not reloaded: 1 problem")
def test_edited_pack_reloads_and_a_broken_one_is_refused(app: App, qtbot) -> None:
    app.lead_gate.session.set_first_pin("135790")  # the reload is a lead action
    pack_dir = _override_pack(app)
    types = pack_dir / "call_types.toml"
    types.write_text(
        types.read_text(encoding="utf-8").replace('"咨询"', '"业务咨询"'), encoding="utf-8"
    )
    qtbot.keyClick(
        app.window,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert app.window.view.intent_bar.button("inquiry").accessibleName() == "业务咨询"
    types.write_text("[[call_type]]\nkey = ", encoding="utf-8")  # a syntax error
    qtbot.keyClick(
        app.window,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert app.window.view.intent_bar.button("inquiry").accessibleName() == "业务咨询"
    assert "问题" in app.window.status_content.text()
    assert "call_types.toml" in app.window.status_content.toolTip()


def test_step_removed_from_the_pack_while_a_call_uses_it(app: App, qtbot) -> None:
    app.workspace.start_manual("13800138000", "")
    call = app.workspace.current
    app.workspace.choose_intent("complaint")
    app.workspace.tick("calm", True)
    pack_dir = _override_pack(app)  # the lead renames the step: "calm" is gone
    for path in [pack_dir / "checklists.toml", *(pack_dir / "scripts").glob("*.toml")]:
        text = path.read_text(encoding="utf-8")
        text = text.replace('key = "calm"', 'key = "soothe"').replace(
            'step = "calm"', 'step = "soothe"'
        )
        path.write_text(text, encoding="utf-8")
    problems = app.content.reload()
    assert problems == [], problems
    keys = [
        app.window.view.checklist.list_widget.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(app.window.view.checklist.list_widget.count())
    ]
    assert "calm" not in keys
    assert "calm" in app.calls.ticked_steps(call.id)  # the stored tick is kept
    app.workspace.end()
    assert app.calls.get(call.id).status == "wrap_up"


@pytest.mark.expect_log(logging.WARNING, r"content pack .* not reloaded: 3 problem")
def test_pack_problems_panel_names_file_key_and_a_chinese_reason(app: App, qtbot) -> None:
    from desktop.ui.content_problems import ContentProblemsDialog

    app.lead_gate.session.set_first_pin("135790")
    pack_dir = _override_pack(app)
    types = pack_dir / "call_types.toml"
    types.write_text(
        types.read_text(encoding="utf-8").replace('color = "#', 'color = "blue', 1),
        encoding="utf-8",
    )
    (pack_dir / "phrases.toml").unlink()
    (pack_dir / "intent_keywords.toml").write_text("[keywords\n", encoding="utf-8")
    qtbot.keyClick(
        app.window,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    button = app.window.status_problems
    assert button.isVisible()
    assert "内容包有 3 个问题" in app.window.view.inline_note.text()  # where the agent looks
    assert "颜色" in app.window.status_content.toolTip()  # the tooltip reads Chinese too
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = next(d for d in app.window.findChildren(ContentProblemsDialog) if d.isVisible())
    table = dialog.table
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    assert [row[0] for row in rows] == ["call_types.toml", "phrases.toml", "intent_keywords.toml"]
    assert rows[0][1].endswith(".color") and "颜色「blue" in rows[0][2]
    assert rows[1][1] == "—" and rows[1][2] == "找不到这个文件"
    assert rows[2][1] == "第 1 行" and rows[2][2].startswith("第 1 行第 10 列 TOML 格式错误")
    for _file, _key, reason in rows:  # a reason the lead can read, not the English message
        assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", reason.split("（")[0]), reason
    dialog.close()
