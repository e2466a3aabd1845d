"""`callassist content try [--pack DIR] [--json] TEXT…`: what the app would make of a line.

For a team lead editing the pack: each text goes through the same TextAssist the workspace
runs (intent suggestions with their reasons, complaint signals, phrase hits with the better
line), with the pack under edit. A pack with problems is refused with the messages
`content check` prints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from desktop.core.content.check import load_or_report
from desktop.core.content.loader import bundled_pack_dir
from desktop.core.content.model import ContentPack
from desktop.services.text_assist import Assist, TextAssist


def assist_record(text: str, assist: Assist) -> dict[str, Any]:
    """One text's analysis as the JSON object `--json` prints."""
    return {
        "text": text,
        "intents": [
            {"type": s.call_type, "score": s.score, "reason": s.reason} for s in assist.suggestions
        ],
        "signals": list(assist.signal.reasons),
        "urgent": assist.signal.urgent,
        "phrases": [
            {
                "phrase": h.phrase,
                "start": h.start,
                "end": h.end,
                "text": text[h.start : h.end],
                "alternative": h.alternative,
            }
            for h in assist.phrase_hits
        ],
    }


def describe(text: str, assist: Assist, pack: ContentPack) -> list[str]:
    """The same analysis as lines of Chinese for a person."""
    labels = {t.key: t.label for t in pack.call_types}
    lines = [f"「{text}」"]
    if assist.suggestions:
        shown = "；".join(
            f"{labels.get(s.call_type, s.call_type)} {s.score:.2f}（{s.reason}）"
            for s in assist.suggestions
        )
        lines.append(f"  意图建议：{shown}")
    else:
        lines.append("  意图建议：无")
    if assist.signal.is_complaint:
        level = "紧急" if assist.signal.urgent else "注意"
        lines.append(f"  投诉信号（{level}）：" + "；".join(assist.signal.reasons))
    else:
        lines.append("  投诉信号：无")
    if assist.phrase_hits:
        for h in assist.phrase_hits:
            lines.append(
                f"  用语提醒：「{text[h.start : h.end]}」({h.start}-{h.end}) 属于「{h.phrase}」"
                f" → 可以说「{h.alternative}」"
            )
    else:
        lines.append("  用语提醒：无")
    return lines


def run_try(
    texts: Sequence[str],
    pack_dir: Path | None,
    as_json: bool,
    cache_dir: Path,
    out: TextIO,
    err: TextIO,
) -> int:
    """0 after printing every text's analysis; 1 when the pack has problems (printed to
    `err`, as `content check` does); 2 when there is no text."""
    directory = pack_dir or bundled_pack_dir()
    pack = load_or_report(directory, err)
    if pack is None:
        return 1
    if not texts:
        print('请给出要试的话，例如：callassist content try "这个不归我管"', file=err)
        return 2
    assist = TextAssist(cache_dir, pack)
    assist.segmenter.start_background()
    assist.segmenter.wait()
    for text in texts:
        result = assist.analyse(text)
        if as_json:
            print(json.dumps(assist_record(text, result), ensure_ascii=False), file=out)
        else:
            print("\n".join(describe(text, result, pack)), file=out)
    return 0
