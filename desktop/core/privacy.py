"""Phone numbers are masked in the UI by default (customer privacy rules)."""

from __future__ import annotations


def mask_number(number: str) -> str:
    """138****8000 style: keep the first three and last four digits when there are enough."""
    digits = number.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 7:
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return digits
