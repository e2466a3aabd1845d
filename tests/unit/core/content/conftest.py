"""Fixtures for content-pack tests: a writable copy of the bundled pack and a TOML writer."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.core.content.loader import bundled_pack_dir, check_pack


def _string(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_string(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"not a TOML value: {v!r}")


def dump_toml(doc: dict[str, Any]) -> str:
    """Any parsed TOML document back to TOML (inline tables), so tests can edit structurally."""
    return "".join(f"{_string(k)} = {_value(v)}\n" for k, v in doc.items())


class PackCopy:
    """A pack directory a test may break, with helpers to edit its files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def load(self, rel: str) -> dict[str, Any]:
        return tomllib.loads((self.root / rel).read_text("utf-8"))

    def edit(self, rel: str, change: Callable[[dict[str, Any]], object]) -> None:
        doc = self.load(rel)
        change(doc)
        (self.root / rel).write_text(dump_toml(doc), "utf-8")

    def replace_text(self, rel: str, old: str, new: str) -> None:
        text = (self.root / rel).read_text("utf-8")
        assert text.count(old) == 1, f"{old!r} should occur once in {rel}"
        (self.root / rel).write_text(text.replace(old, new), "utf-8")

    @staticmethod
    def item(items: list[dict[str, Any]], field: str, value: str) -> dict[str, Any]:
        """The table in an array of tables whose `field` is `value`."""
        return next(t for t in items if t.get(field) == value)

    def problems(self) -> list[str]:
        return [str(p) for p in check_pack(self.root)]


@pytest.fixture
def pack(tmp_path: Path) -> PackCopy:
    root = tmp_path / "zh_CN"
    shutil.copytree(bundled_pack_dir(), root)
    return PackCopy(root)


@pytest.fixture(scope="session")
def toml_writer() -> Callable[[dict[str, Any]], str]:
    return dump_toml
