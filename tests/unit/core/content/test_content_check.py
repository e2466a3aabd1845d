"""`callassist content check`: every problem on its own line, then a one-line summary."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from desktop.core.content.check import run_check

if TYPE_CHECKING:
    from conftest import PackCopy


def test_bundled_pack_passes_by_default() -> None:
    out = io.StringIO()
    assert run_check(None, out) == 0
    [line] = out.getvalue().splitlines()
    assert line.startswith("内容包检查通过: 8 类来电, ")
    assert "条话术" in line


def test_broken_pack_lists_problems_then_summary(pack: PackCopy) -> None:
    (pack.root / "phrases.toml").unlink()
    pack.edit("call_types.toml", lambda d: d["call_type"][0].update(color="blue"))
    out = io.StringIO()
    assert run_check(pack.root, out) == 1
    assert out.getvalue().splitlines() == [
        "call_types.toml:call_type.inquiry.color: invalid colour 'blue' (use #RRGGBB)",
        "phrases.toml: file not found",
        f"内容包检查: 2 个问题 ({pack.root})",
    ]
