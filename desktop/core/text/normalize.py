"""Text normalisation before matching: traditional → simplified, full-width → half-width.

Every step maps one code point to exactly one code point, so an index into the normalised
text is also an index into the original: the phrase checker relies on this to underline the
agent's own characters. Emoji, control and private-use characters become a space rather than
vanishing for the same reason.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from desktop.paths import resources_dir

# Characters that carry no meaning for matching, and that SQLite or jieba may choke on (lone
# surrogates): C0/C1 controls except \t \n \r, zero-width and bidi marks, variation
# selectors, private use, the emoji and pictograph blocks, and tag characters.
_JUNK = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufe00-\ufe0f"
    "\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
    "\ud800-\udfff\ue000-\uf8ff"
    "\U0001f000-\U0001faff\U000e0000-\U000e0fff\U000f0000-\U0010ffff]"
)


def t2s_table_path() -> Path:
    return resources_dir() / "text" / "t2s.txt"


@lru_cache(maxsize=1)
def _table() -> dict[int, int]:
    """Traditional → simplified pairs plus full-width ASCII → ASCII and ASCII lower-casing."""
    table: dict[int, int] = {}
    for line in t2s_table_path().read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            trad, simp = line.split("\t")
            table[ord(trad)] = ord(simp)
    for code in range(0xFF01, 0xFF5F):  # ！ … ～ → ! … ~
        table[code] = code - 0xFEE0
    table[0x3000] = 0x20  # ideographic space
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = code + 32
    for code in range(0xFF21, 0xFF3B):  # full-width capitals go straight to lower case
        table[code] = code - 0xFEE0 + 32
    table[ord("\t")] = 0x20
    return table


def normalize(text: str) -> str:
    """Simplified, half-width, lower-case ASCII, junk as spaces; same length as `text`."""
    return _JUNK.sub(" ", text).translate(_table())


def is_cjk(char: str) -> bool:
    """A CJK unified ideograph (the range jieba segments as Chinese)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"
