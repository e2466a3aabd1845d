"""Phone numbers are masked everywhere by default (PIPL: show the minimum).

The one rule: `138****8000` — the first three and the last four characters stay, everything
between becomes `*`; a number too short for that (7 characters or fewer) keeps only its last
four. Unmasking is a lead action with an audit row (desktop.services.lead).
"""

from __future__ import annotations


def mask_number(number: str | None) -> str:
    """`13800138000` → `138****8000`; `1234567` → `***4567`; 4 or fewer characters stay."""
    text = (number or "").strip()
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if len(text) > 4:
        return "*" * (len(text) - 4) + text[-4:]
    return text
