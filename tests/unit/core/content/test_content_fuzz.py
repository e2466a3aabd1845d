"""Whatever a pack file contains, the loader reports problems and never crashes."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from desktop.core.content.loader import bundled_pack_dir, check_pack, load_pack
from desktop.core.content.model import ContentPack
from desktop.core.content.problems import PackError, Problem
from desktop.core.content.reasons import REASONS

BUNDLED = bundled_pack_dir()
FILES = sorted(str(p.relative_to(BUNDLED)) for p in BUNDLED.rglob("*.toml"))
PRISTINE = {rel: (BUNDLED / rel).read_bytes() for rel in FILES}

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SCALARS = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)

# Fields that every item (a table inside an array of tables) must have.
REQUIRED_ITEM_FIELDS = frozenset(
    [
        "key",
        "label",
        "shortcut",
        "color",
        "description",
        "required",
        "hint",
        "id",
        "call_type",
        "purpose",
        "title",
        "text",
        "kind",
        "call_types",
        "outcomes",
        "offset_minutes",
        "phrase",
        "alternative",
    ]
)

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dt.date | dt.time):
        return "date"
    return type(value).__name__


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    """Every place in a parsed document that holds a value."""
    children = node.items() if isinstance(node, dict) else enumerate(node)
    found = []
    for key, child in children:
        found.append((*path, key))
        if isinstance(child, dict | list):
            found.extend(_paths(child, (*path, key)))
    return found


def _parent(doc: dict, path: tuple) -> Any:
    node = doc
    for key in path[:-1]:
        node = node[key]
    return node


def _check(files: dict[str, bytes]) -> list[Problem]:
    """Write a pack and check it both ways; the two must agree."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        problems = check_pack(root)
        assert all(isinstance(p, Problem) and str(p) for p in problems)
        # every problem, whatever the file holds, has its reason in Chinese for the lead
        assert all(p.code in REASONS and _CJK.search(p.reason) for p in problems), problems
        try:
            pack = load_pack(root)
        except PackError as e:
            assert e.problems == problems
            return problems
        assert isinstance(pack, ContentPack)
        assert problems == []
        return problems


def _mutated(rel: str, change: Callable[[dict], None], writer: Callable[[dict], str]) -> bytes:
    doc = tomllib.loads(PRISTINE[rel].decode("utf-8"))
    change(doc)
    text = writer(doc)
    tomllib.loads(text)  # the test's own writer must produce valid TOML
    return text.encode("utf-8")


@FUZZ
@given(rel=st.sampled_from(FILES), garbage=st.binary(max_size=300))
def test_random_bytes_in_any_file(rel: str, garbage: bytes) -> None:
    assert _check({**PRISTINE, rel: garbage})


@FUZZ
@given(rel=st.sampled_from(FILES), data=st.data())
def test_random_text_inserted_anywhere(rel: str, data: st.DataObject) -> None:
    text = PRISTINE[rel].decode("utf-8")
    at = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.text(min_size=1, max_size=20))
    _check({**PRISTINE, rel: (text[:at] + junk + text[at:]).encode("utf-8", "surrogatepass")})


@FUZZ
@given(rel=st.sampled_from(FILES), data=st.data())
def test_deleting_or_replacing_any_value_never_crashes(
    toml_writer: Callable[[dict], str], rel: str, data: st.DataObject
) -> None:
    doc = tomllib.loads(PRISTINE[rel].decode("utf-8"))
    path = data.draw(st.sampled_from(_paths(doc)))
    replacement = data.draw(st.one_of(st.none(), VALUES))

    def change(d: dict) -> None:
        parent = _parent(d, path)
        if replacement is None:
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement

    _check({**PRISTINE, rel: _mutated(rel, change, toml_writer)})


@FUZZ
@given(rel=st.sampled_from(FILES), data=st.data())
def test_a_value_of_the_wrong_type_is_always_reported(
    toml_writer: Callable[[dict], str], rel: str, data: st.DataObject
) -> None:
    doc = tomllib.loads(PRISTINE[rel].decode("utf-8"))
    path = data.draw(st.sampled_from(_paths(doc)))
    old = _parent(doc, path)[path[-1]]
    new = data.draw(VALUES)
    assume(_kind(new) != _kind(old))
    problems = _check(
        {
            **PRISTINE,
            rel: _mutated(rel, lambda d: _parent(d, path).__setitem__(path[-1], new), toml_writer),
        }
    )
    assert problems


@FUZZ
@given(rel=st.sampled_from(FILES), data=st.data())
def test_a_missing_required_field_is_always_reported(
    toml_writer: Callable[[dict], str], rel: str, data: st.DataObject
) -> None:
    doc = tomllib.loads(PRISTINE[rel].decode("utf-8"))
    # top-level keys, and required fields of items in arrays of tables
    paths = [p for p in _paths(doc) if len(p) == 1]
    paths += [
        p
        for p in _paths(doc)
        if len(p) >= 3 and isinstance(p[-2], int) and p[-1] in REQUIRED_ITEM_FIELDS
    ]
    path = data.draw(st.sampled_from(paths))
    problems = _check(
        {**PRISTINE, rel: _mutated(rel, lambda d: _parent(d, path).pop(path[-1]), toml_writer)}
    )
    assert problems


@pytest.mark.parametrize("rel", FILES)
def test_an_empty_file_is_reported(rel: str) -> None:
    assert _check({**PRISTINE, rel: b""})
