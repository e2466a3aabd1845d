"""`callassist content check [DIR]`: lets a team lead verify a hand-edited pack before use."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.core.content.model import ContentPack
from desktop.core.content.problems import PackError


def load_or_report(directory: Path, out: TextIO) -> ContentPack | None:
    """The pack, or None after printing every problem (one per line) and a summary."""
    try:
        return load_pack(directory)
    except PackError as e:
        for problem in e.problems:
            print(problem, file=out)
        print(f"内容包检查: {len(e.problems)} 个问题 ({directory})", file=out)
        return None


def run_check(directory: Path | None, out: TextIO) -> int:
    """Print every problem (one per line) and a summary; 0 when the pack is usable, else 1."""
    directory = directory or bundled_pack_dir()
    pack = load_or_report(directory, out)
    if pack is None:
        return 1
    steps = sum(len(steps) for steps in pack.checklists.values())
    print(
        f"内容包检查通过: {len(pack.call_types)} 类来电, {steps} 个清单步骤, "
        f"{len(pack.scripts)} 条话术, {len(pack.reminder_rules)} 条提醒规则, "
        f"{len(pack.phrases)} 条用语提示, {len(pack.intent_keywords)} 个意图关键词, "
        f"{len(pack.variables)} 个话术变量 ({directory})",
        file=out,
    )
    return 0
