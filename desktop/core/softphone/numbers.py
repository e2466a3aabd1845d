"""Phone numbers from softphones, as one comparable string.

Softphones hand us ``sip:+8613800138000@10.0.0.1:5060``, ``"王五" <tel:+86-138-0013-8000>``,
``0086 138 0013 8000`` or ``13800138000`` for the same caller; history lookups need them equal.

Canonical stored form (what ``national`` returns, and what CallEvent.number carries):
- Chinese numbers (+86, 0086, or a bare 86 in front of an 11-digit mobile) in national form:
  mobiles ``13800138000``, landlines with the trunk 0 ``01012345678``, 400/800 and 95xxx
  service numbers as dialled;
- other international numbers as ``+`` and digits (``+15550000001``);
- anything else as its digits; "" when there are none.
"""

from __future__ import annotations

import re

_SCHEME = re.compile(r"(?i)(?:sips?|tel):")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Chinese input methods type full-width digits and signs; other look-alikes (¹, ①) are junk.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋（）－＠：；＜＞", "0123456789+()-@:;<>")


def normalize_number(raw: str) -> str:
    """Digits with a leading ``+`` when international (``00`` becomes ``+``); "" if none."""
    text = raw.translate(_FULL_WIDTH)
    start, end = text.find("<"), text.rfind(">")
    if start != -1 and end > start:
        text = text[start + 1 : end]  # drop the display name around <uri>
    scheme = _SCHEME.search(text)
    if scheme:
        text = _PERCENT.sub(lambda m: chr(int(m[1], 16)), text[scheme.end() :])
    user = re.split(r"[@;?]", text, maxsplit=1)[0]
    digits = "".join(c for c in user if "0" <= c <= "9")
    if not digits:
        return ""
    first = next(c for c in user if c == "+" or "0" <= c <= "9")
    if first == "+":
        return "+" + digits
    if digits.startswith("00") and len(digits) > 2 and digits[2] != "0":
        return "+" + digits[2:]
    return digits


def national(raw: str) -> str:
    """The canonical stored form (see the module docstring)."""
    number = normalize_number(raw)
    if number.startswith("+86"):
        rest = number[3:]
    elif len(number) == 13 and number.startswith("86") and _CN_MOBILE.fullmatch(number[2:]):
        rest = number[2:]
    else:
        return number
    if not rest:
        return number
    if (
        rest[0] == "0"
        or _CN_MOBILE.fullmatch(rest)
        or (rest.startswith(("400", "800")) and len(rest) == 10)
        or (rest.startswith(("95", "96")) and len(rest) <= 8)
    ):
        return rest
    return "0" + rest  # area code without its trunk prefix: 10 12345678 → 010 12345678
