"""`callassist content try`: what the app makes of a line, with the pack under edit."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from desktop.__main__ import main
from desktop.core.content.check import run_check

if TYPE_CHECKING:
    from conftest import PackCopy

REPO = Path(__file__).resolve().parents[4]


def test_json_gives_intents_signals_and_phrase_hits_per_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = ["我要投诉你们，骗子！", "这个不归我管，你找快递公司去", "不是投诉，就问问宽带多少钱"]
    code = main(["--data-dir", str(tmp_path), "content", "try", "--json", *texts])
    assert code == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in records] == texts
    complaint, brush_off, question = records
    assert complaint["intents"][0]["type"] == "complaint"
    assert all(set(i) >= {"type", "score"} for r in records for i in r["intents"])
    assert any("骗子" in s for s in complaint["signals"])
    assert complaint["phrases"] == []
    hits = brush_off["phrases"]
    assert [(h["phrase"], h["start"], h["end"]) for h in hits] == [
        ("这不归我管", 2, 6),
        ("你找别人去", 7, 14),
    ]
    assert all(h["alternative"] for h in hits)
    assert question["intents"][0]["type"] == "inquiry"  # 不是投诉 is negated
    assert question["signals"] == []


def test_plain_output_is_readable_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path), "content", "try", "您听我说"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("「您听我说」\n")
    assert "用语提醒：「您听我说」(0-4) 属于「你听我说」 → 可以说「" in out
    assert "投诉信号：无" in out


def test_an_edited_pack_is_what_gets_tried(
    pack: PackCopy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack.edit(
        "phrases.toml",
        lambda d: d["phrase"].append(
            {"phrase": "稍安勿躁", "pattern": "稍安(勿|毋)躁", "alternative": "我理解您着急"}
        ),
    )
    argv = ["--data-dir", str(tmp_path), "content", "try", "--pack", str(pack.root), "--json"]
    assert main([*argv, "您稍安毋躁"]) == 0
    [record] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [h["phrase"] for h in record["phrases"]] == ["稍安勿躁"]


def test_a_pack_with_problems_is_refused_like_content_check(pack: PackCopy, tmp_path: Path) -> None:
    pack.edit("phrases.toml", lambda d: d["phrase"][0].update(pattern="(不行"))
    expected = io.StringIO()
    assert run_check(pack.root, expected) == 1
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop",
            "--data-dir",
            str(tmp_path),
            "content",
            "try",
            "--pack",
            str(pack.root),
            "不行",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == expected.getvalue()
    assert "phrases.toml:phrase[0].pattern: invalid pattern: '(' is never closed" in result.stdout
