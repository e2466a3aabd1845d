"""Script text templates: `{customer_name}` style placeholders, checked at load, filled at use.

Filling must never fail in front of a caller, so a missing value shows as a visible Chinese
placeholder (【客户姓名】) the agent can read aloud-around, instead of raising.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping

from desktop.core.content.model import SCRIPT_VARIABLES
from desktop.core.content.reasons import Said, say

# What the agent sees where a value is missing.
VARIABLE_LABELS: dict[str, str] = {
    "agent_name": "坐席姓名",
    "agent_id": "工号",
    "company": "公司",
    "customer_name": "客户姓名",
    "promised_time": "承诺时间",
    "hotline": "热线",
}

_TEXT, _FIELD, _STRAY = "text", "field", "stray"


def _pieces(text: str) -> Iterator[tuple[str, str]]:
    """Split like str.format does: literal text, `{name}` fields, and stray braces."""
    i, n, literal = 0, len(text), []
    while i < n:
        ch = text[i]
        if ch in "{}" and text.startswith(ch * 2, i):  # "{{" / "}}" stand for one brace
            literal.append(ch)
            i += 2
            continue
        if ch == "{":
            end = text.find("}", i + 1)
            nested = text.find("{", i + 1)
            if end != -1 and (nested == -1 or nested > end):
                if literal:
                    yield _TEXT, "".join(literal)
                    literal = []
                yield _FIELD, text[i + 1 : end]
                i = end + 1
                continue
        if ch in "{}":
            if literal:
                yield _TEXT, "".join(literal)
                literal = []
            yield _STRAY, ch
        else:
            literal.append(ch)
        i += 1
    if literal:
        yield _TEXT, "".join(literal)


def template_problems(text: str, pack_variables: Container[str] = ()) -> list[Said]:
    """Why `text` would not fill cleanly; empty when every placeholder is a known variable
    (one the app fills, or one of `pack_variables`, which the pack defines)."""
    problems: list[Said] = []
    for kind, value in _pieces(text):
        if kind == _STRAY:
            if not any(p.code == "unbalanced_braces" for p in problems):
                problems.append(say("unbalanced_braces"))
        elif kind == _FIELD:
            if value == "":
                problems.append(say("empty_placeholder"))
            elif "!" in value or ":" in value:
                problems.append(say("format_spec", name=value))
            elif value not in SCRIPT_VARIABLES and value not in pack_variables:
                problems.append(say("unknown_variable", name=value))
    return problems


def fill_pack_variables(text: str, values: Mapping[str, str]) -> str:
    """Fill the pack's own variables (policy a lead sets once: {refund_days} …) and keep the
    rest of the template as it is, app variables and {{ }} escapes included, for fill_script."""
    out: list[str] = []
    for kind, value in _pieces(text):
        if kind == _FIELD:
            filled = values.get(value)
            out.append(
                filled.replace("{", "{{").replace("}", "}}")
                if filled is not None
                else f"{{{value}}}"
            )
        elif kind == _TEXT:
            out.append(value.replace("{", "{{").replace("}", "}}"))
        else:
            out.append(value)
    return "".join(out)


def fill_script(text: str, values: Mapping[str, str]) -> str:
    """Fill known variables from `values`; a missing or blank one becomes 【label】.

    Anything malformed is left as written, so a bad edit is visible rather than fatal.
    """
    out: list[str] = []
    for kind, value in _pieces(text):
        if kind == _FIELD:
            if value in SCRIPT_VARIABLES:
                given = values.get(value)
                filled = given if isinstance(given, str) and given.strip() else None
                out.append(filled or f"【{VARIABLE_LABELS[value]}】")
            else:
                out.append(f"{{{value}}}")
        else:
            out.append(value)
    return "".join(out)
