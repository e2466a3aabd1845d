"""Every content-pack problem carries a Chinese reason written at the source (reasons.py),
beside the English message `content check` prints; none is guessed back from English."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from desktop.core.content.loader import check_pack
from desktop.core.content.reasons import REASONS, say

if TYPE_CHECKING:
    from conftest import PackCopy

CJK = re.compile(r"[\u4e00-\u9fff]")
SOURCES = [
    Path(__file__).resolve().parents[4] / "desktop" / "core" / rel
    for rel in ("content/loader.py", "content/fill.py", "text/phrases.py")
]


def _fields(template: str) -> set[str]:
    return {name.split(".")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_reason_fills_in_both_languages(code: str) -> None:
    en, zh = REASONS[code]
    names = _fields(en) | _fields(zh)
    said = say(code, **{name: f"<{name}>" for name in names})
    assert not CJK.search(said.en), code  # content check and the log stay English
    assert CJK.search(said.zh), code
    for name in _fields(en) & _fields(zh):  # the lead sees the same value the log names
        assert f"<{name}>" in said.zh, (code, name)


def test_every_reason_is_used_by_the_loader() -> None:
    source = "".join(path.read_text("utf-8") for path in SOURCES)
    unused = [code for code in REASONS if f'"{code}"' not in source]
    assert unused == []


def _reasons(pack: PackCopy) -> dict[str, tuple[str, str]]:
    """file:key → (code, Chinese reason) for the problems of the pack (one per key)."""
    return {f"{p.file}:{p.key}": (p.code, p.reason) for p in check_pack(pack.root)}


def test_broken_values_are_explained_in_chinese(pack: PackCopy) -> None:
    pack.edit("call_types.toml", lambda d: d["call_type"][0].update(color="blue", shortcut="F2"))
    pack.edit(
        "reminder_rules.toml",
        lambda d: d["rule"][0].update(kind="sms", outcomes=["fixed"], offset_minutes=-5),
    )
    pack.edit("phrases.toml", lambda d: d["phrase"][0].update(pattern="不归(我|我们管"))
    pack.edit("checklists.toml", lambda d: d["checklist"]["inquiry"][1].update(required="yes"))
    found = _reasons(pack)
    expected = {
        "call_types.toml:call_type.inquiry.color": ("invalid_colour", "颜色「blue」无效"),
        "call_types.toml:call_type.complaint.shortcut": (
            "shortcut_taken",
            "快捷键「F2」已被「inquiry」使用",
        ),
        "checklists.toml:checklist.inquiry[1].required": ("expected_boolean", "true 或 false"),
        "phrases.toml:phrase[0].pattern": ("invalid_pattern", "“(”没有配对的“)”"),
    }
    for key, (code, words) in expected.items():
        assert key in found, (key, found)
        assert found[key][0] == code and words in found[key][1], found[key]
    rule = [v for k, v in found.items() if k.startswith("reminder_rules.toml:rule.")]
    codes = {code for code, _ in rule}
    assert {"unknown_choice", "unknown_outcome", "must_not_be_negative"} <= codes, rule
    assert any("未知的提醒类型「sms」" in zh for _, zh in rule)
    assert all(CJK.search(zh) for _, zh in found.values())


def test_unreadable_files_are_explained_in_chinese(pack: PackCopy) -> None:
    (pack.root / "phrases.toml").unlink()
    (pack.root / "pack.toml").write_bytes(b"\xff\xfe[pack]")
    (pack.root / "call_types.toml").write_text("[[call_type]]\nkey = \n", "utf-8")
    (pack.root / "checklists.toml").write_text("[checklist", "utf-8")
    found = _reasons(pack)
    assert found["phrases.toml:"] == ("file_not_found", "找不到这个文件")
    assert found["pack.toml:"][0] == "not_utf8" and "UTF-8" in found["pack.toml:"][1]
    code, zh = found["call_types.toml:line 2"]
    assert code == "toml_syntax_at" and zh.startswith("第 2 行第 7 列 TOML 格式错误"), zh
    code, zh = found["checklists.toml:"]  # tomllib gives no position here
    assert code == "toml_syntax" and zh.startswith("TOML 格式错误"), zh


def test_script_template_mistakes_are_explained_in_chinese(pack: PackCopy) -> None:
    pack.edit(
        "scripts/common.toml", lambda d: d["script"][0].update(text="您好，{agent_nam}，{} {x:>3")
    )
    found = [p.reason for p in check_pack(pack.root) if p.key.endswith(".text")]
    assert any("未知的变量 {agent_nam}" in zh for zh in found), found
    assert any("空的占位符" in zh for zh in found), found
