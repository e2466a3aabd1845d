"""The content pack: call types, checklists, scripts, reminder rules, phrases, intent words.

The names below are loaded on first use (PEP 562): the app's start-up needs only the
model (`desktop.core.content.model`) when the pack comes from its validated snapshot, not
the loader and its TOML parser and validation rules (issue 16).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.core.content.fill import VARIABLE_LABELS, fill_script
    from desktop.core.content.loader import bundled_pack_dir, check_pack, load_pack
    from desktop.core.content.problems import PackError, Problem

_WHERE = {
    "VARIABLE_LABELS": "desktop.core.content.fill",
    "fill_script": "desktop.core.content.fill",
    "bundled_pack_dir": "desktop.core.content.loader",
    "check_pack": "desktop.core.content.loader",
    "load_pack": "desktop.core.content.loader",
    "PackError": "desktop.core.content.problems",
    "Problem": "desktop.core.content.problems",
}

__all__ = [
    "VARIABLE_LABELS",
    "PackError",
    "Problem",
    "bundled_pack_dir",
    "check_pack",
    "fill_script",
    "load_pack",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
