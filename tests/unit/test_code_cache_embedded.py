"""desktop.code_cache's lookup of shiboken's embedded sources and of start-up's regular
expressions (issue 16): while PySide6 is imported, `compile` gives shiboken's files the code
it compiled for them on an earlier start, and compiles everything else exactly as the
builtin does; `re` compiles a pattern from what it made of it on an earlier start."""

from __future__ import annotations

import builtins
import marshal
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import code_cache
from desktop.code_cache import re_compiler
from tests.helpers.child import python_json


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Path]:
    saved = dict(code_cache._state)
    code_cache._state.update(file=None, codes={}, new=0, original=None)
    file = tmp_path / "code.marshal"
    assert code_cache.install(file)
    try:
        yield file
    finally:
        code_cache.uninstall()
        code_cache._state.clear()
        code_cache._state.update(saved)


def test_a_shiboken_file_is_compiled_once_then_looked_up(cache: Path) -> None:
    source = b"from typing import Any\ndef f(x: Any) -> int:\n    return 1\n"
    with code_cache.embedded_sources():
        assert builtins.compile is not code_cache._builtin_compile
        first = compile(source, "shibokensupport/fake.py", "exec")
        again = compile(source, "shibokensupport/fake.py", "exec")
    assert builtins.compile is code_cache._builtin_compile
    assert again is first
    assert code_cache._state["new"] == 1
    # what the builtin makes of it, called from this module (its future flags inherited)
    expected = compile(source, "shibokensupport/fake.py", "exec")
    assert marshal.dumps(first) == marshal.dumps(expected)
    namespace: dict = {}
    exec(first, namespace)
    assert namespace["f"].__annotations__ == {"x": "Any", "return": "int"}  # PEP 563 kept
    assert code_cache.save()
    code_cache.uninstall()
    code_cache._state.update(file=None, codes={}, new=0, original=None)
    assert code_cache.install(cache)
    with code_cache.embedded_sources():
        loaded = compile(source, "shibokensupport/fake.py", "exec")
    assert code_cache._state["new"] == 0
    assert marshal.dumps(loaded) == marshal.dumps(expected)


def test_other_compilations_are_the_builtin_s(cache: Path) -> None:
    with code_cache.embedded_sources():
        inherited = compile("def g(y: z): pass", "<test>", "exec")
        plain = compile("def g(y: z): pass", "<test>", "exec", dont_inherit=True)
        expression = compile("1 + 2", "<test>", "eval")
        text = compile("x = 1", "shibokensupport/text.py", "exec")  # str: not looked up
    assert code_cache._state["new"] == 0
    assert marshal.dumps(inherited) == marshal.dumps(compile("def g(y: z): pass", "<test>", "exec"))
    ns: dict = {}
    exec(inherited, ns)
    assert ns["g"].__annotations__ == {"y": "z"}  # this module's `annotations` future
    ns = {"z": int}
    exec(plain, ns)
    assert ns["g"].__annotations__ == {"y": int}
    assert eval(expression) == 3
    assert marshal.dumps(text) == marshal.dumps(compile("x = 1", "shibokensupport/text.py", "exec"))


def test_nothing_changes_when_the_cache_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(code_cache._state, "original", None)  # whatever ran desktop.run before
    monkeypatch.setitem(code_cache._state, "re_original", None)
    with code_cache.embedded_sources():
        assert builtins.compile is code_cache._builtin_compile
    assert not code_cache.start_regexes()


def test_a_damaged_or_foreign_file_only_means_compiling(tmp_path: Path) -> None:
    file = tmp_path / "code.marshal"
    file.write_bytes(marshal.dumps({("x", "not flags", b""): 1, 5: "no", "src": b"no code"}))
    assert code_cache._load(file) == {}
    file.write_bytes(b"\x00garbage")
    assert code_cache._load(file) == {}


CHILD = r"""
import json, sys
from pathlib import Path
from desktop import code_cache
assert code_cache.install(Path(sys.argv[1]))
with code_cache.embedded_sources():
    from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QObject
try:
    QObject().setObjectName(1)
except TypeError as exc:
    message = str(exc)
import shibokensupport.signature.mapping as mapping
print(json.dumps({"new": code_cache._state["new"], "saved": code_cache.save(),
                  "message": message, "mapping": mapping.__file__}))
"""


def _child(file: Path) -> dict:
    return python_json(CHILD, str(file))


def test_pyside6_starts_from_the_cached_code(tmp_path: Path) -> None:
    file = tmp_path / "code.marshal"
    first = _child(file)
    assert first["new"] >= 10  # shiboken's signature and feature modules
    assert first["saved"]
    second = _child(file)
    assert second["new"] == 0
    assert not second["saved"]
    assert second["message"] == first["message"]
    assert "Supported signatures:" in second["message"]  # shiboken's error handler ran
    assert second["mapping"] == "shibokensupport/signature/mapping.py"


PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<area>0\d{2,3})-(?P<number>\d{7,8})", 0),
    (r"[\u4e00-\u9fff]+|[a-z]+", re.IGNORECASE),
    (r"(?i)投诉|complain(?:t|ed)?", 0),
    (
        r"""
        \b          # a word's edge
        (?P<word>\w+)
        (?:\s+(?P=word))+  # the same word again
        """,
        re.VERBOSE,
    ),
    (rb"\x00[\x01-\x7f]{2}(?P<tail>.*)$", re.DOTALL | re.MULTILINE),
    (r"^$", 0),
    (r"(a)(b)?(?:c)(?P<d>d)", re.ASCII),
]
TEXTS = ["010-12345678", "投诉 Complained", "the the cat", "ABC abc", "", "abd", "acd"]


def _outcome(pattern: re.Pattern) -> list:
    texts: list = [t.encode() for t in TEXTS] if isinstance(pattern.pattern, bytes) else TEXTS
    if isinstance(pattern.pattern, bytes):
        texts = [*texts, b"\x00ab\nrest"]
    found = [(m.span(), m.groups(), m.groupdict()) for t in texts for m in pattern.finditer(t)]
    return [pattern.pattern, pattern.flags, pattern.groups, dict(pattern.groupindex), found]


def test_regexes_compile_from_what_re_made_of_them(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[tuple] = []
    real = re_compiler._sre.compile

    def recording(*args: object) -> object:
        handed.append(args)
        return real(*args)

    monkeypatch.setattr(re_compiler._sre, "compile", recording)
    expected = [re_compiler.compile(p, f) for p, f in PATTERNS]  # re's own
    by_re = list(handed)
    assert code_cache.start_regexes()
    try:
        handed.clear()
        made = [re_compiler.compile(p, f) for p, f in PATTERNS]  # compiled, then stored
        assert handed == by_re
        assert code_cache._state["new"] == len(PATTERNS)
        handed.clear()
        again = [re_compiler.compile(p, f) for p, f in PATTERNS]  # from the store
        assert handed == by_re
        assert code_cache._state["new"] == len(PATTERNS)
    finally:
        code_cache.stop_regexes()
    assert re_compiler.compile is code_cache._re_compile
    for one, two, three in zip(expected, made, again, strict=True):
        assert _outcome(one) == _outcome(two) == _outcome(three)
    assert code_cache.save()
    assert code_cache._load(cache) == code_cache._state["codes"]


def test_regexes_re_cannot_store_compile_as_always(cache: Path) -> None:
    assert code_cache.start_regexes()
    try:
        scanner = re.Scanner([(r"\d+", lambda s, t: int(t)), (r"\s+", None)])  # parsed lists
        assert scanner.scan("1 22 333") == ([1, 22, 333], "")
        assert code_cache._state["new"] == 0  # the Scanner hands re its parsed patterns
        assert re.compile("a+(?#only-here-9f3)").match("aa")  # not in re's own cache yet
        assert code_cache._state["new"] == 1
    finally:
        code_cache.stop_regexes()


def test_the_store_of_regexes_is_bounded(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_cache, "MAX_REGEXES", 3)
    assert code_cache.start_regexes()
    try:
        for number in range(6):
            assert re_compiler.compile(f"x{number}y", 0).match(f"x{number}y")
    finally:
        code_cache.stop_regexes()
    assert code_cache._state["new"] == 3
