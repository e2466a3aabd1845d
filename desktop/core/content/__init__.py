"""The content pack: call types, checklists, scripts, reminder rules, phrases, intent words."""

from desktop.core.content.fill import VARIABLE_LABELS, fill_script
from desktop.core.content.loader import bundled_pack_dir, check_pack, load_pack
from desktop.core.content.problems import PackError, Problem

__all__ = [
    "VARIABLE_LABELS",
    "PackError",
    "Problem",
    "bundled_pack_dir",
    "check_pack",
    "fill_script",
    "load_pack",
]
