"""A cache of the code `dataclasses` compiles at every start (issue 16).

Each `@dataclass` writes the source of its `__init__`, `__repr__`, `__eq__`, `__setattr__`,
`__hash__`… and compiles it with `exec`: the 30 dataclasses the first frame imports made
~170 such compilations, 30-60 ms of every start, for code that is the same every day.
`install(file)` makes `dataclasses` look each source text up in `file` (a marshal of
{source: code object}, written by `save()` for the texts it had to compile), so a start
after the first compiles nothing it compiled before. What runs is exactly what `exec`
would have compiled from the same text (the text is the key); a missing, damaged or
foreign file only means compiling as usual.

It is only installed on the Python version whose `dataclasses._create_fn` it mirrors
(3.11); elsewhere `install` does nothing. The file lives in the agent's private data dir
(0700), like the bytecode and the content-pack snapshot the app already loads.

The same file holds the code of shiboken's embedded Python sources (`shibokensupport`:
its signature and feature modules, 13 files): PySide6's import compiles them from their
text at every start (~130 M instructions, a quarter of the import). While `desktop.run`
imports PySide6 (`embedded_sources()`), `compile` looks a `shibokensupport/` file up by its
name, its text and the future flags it would inherit; anything else compiles as always.

And the regular expressions compiled during start-up (`start_regexes()` until
`stop_regexes()`: from PySide6's import to the start-up work): `re` parses and compiles
each pattern in Python at every start (shiboken's signature parser alone: three verbose
patterns, ~17 ms). What `re` hands to `_sre.compile` for a pattern (its flags, code, group
names) is kept by the pattern's text and flags, and given to `_sre.compile` again.
"""

from __future__ import annotations
import __future__

import builtins
import contextlib
import dataclasses
import logging
import marshal
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from re import _compiler as re_compiler  # type: ignore[attr-defined]
from re import _parser as re_parser  # type: ignore[attr-defined]
from typing import Any

log = logging.getLogger(__name__)

# The marshal format and the compiler's output belong to one interpreter build.
TAG = f"{sys.implementation.cache_tag}-{sys.hexversion:x}"
_state: dict[str, Any] = {
    "file": None,
    "codes": {},
    "new": 0,
    "original": None,
    "re_original": None,
    "regexes": 0,
}
REGEX_KEY = "re"
MAX_REGEXES = 400  # a start compiles ~100; never a store of whatever patterns a day makes


def cache_file(cache_dir: Path) -> Path:
    return cache_dir / f"dataclass-code.{TAG}.marshal"


def supported() -> bool:
    create = getattr(dataclasses, "_create_fn", None)
    code = getattr(create, "__code__", None)
    return (
        sys.version_info[:2] == (3, 11)
        and code is not None
        and code.co_varnames[:3] == ("name", "args", "body")
        and code.co_kwonlyargcount == 3
    )


def install(file: Path) -> bool:
    """Use (and later `save`) the cache in `file`; False when this Python is not the one
    it mirrors. Call it before the dataclasses are defined; calling it again is harmless."""
    if _state["original"] is not None:
        return True
    if not supported():
        return False
    _state["file"] = file
    _state["codes"] = _load(file)
    _state["original"] = dataclasses._create_fn  # type: ignore[attr-defined]
    dataclasses._create_fn = _create_fn  # type: ignore[attr-defined]
    return True


def uninstall() -> None:
    stop_regexes()
    if _state["original"] is not None:
        dataclasses._create_fn = _state["original"]  # type: ignore[attr-defined]
        _state["original"] = None


def save() -> bool:
    """Write the cache if this run compiled anything new (atomically); True if written."""
    file = _state["file"]
    if file is None or not _state["new"]:
        return False
    tmp = file.with_name(f".{file.name}.{os.getpid()}")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(marshal.dumps(_state["codes"]))
        os.replace(tmp, file)
    except (OSError, ValueError) as exc:
        log.info("dataclass code cache not written: %s", exc)
        tmp.unlink(missing_ok=True)
        return False
    _state["new"] = 0
    return True


def _load(file: Path) -> dict[str, Any]:
    try:
        codes = marshal.loads(file.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(codes, dict):
        return {}
    return {k: v for k, v in codes.items() if _is_entry(k, v)}


def _is_entry(key: object, value: object) -> bool:
    """A dataclass function's source, (file name, future flags, source) of shiboken's, each
    with its code; or ("re", pattern, flags) with what `_sre.compile` takes for it."""
    if isinstance(key, str):
        return hasattr(value, "co_code")
    if not isinstance(key, tuple) or len(key) != 3:
        return False
    if key[0] == REGEX_KEY:
        return (
            isinstance(key[1], (str, bytes))
            and isinstance(key[2], int)
            and isinstance(value, tuple)
            and len(value) == 5
            and isinstance(value[0], int)
            and isinstance(value[1], list)
            and isinstance(value[2], int)
            and isinstance(value[3], dict)
            and isinstance(value[4], tuple)
        )
    return (
        isinstance(key[0], str)
        and isinstance(key[1], int)
        and isinstance(key[2], bytes)
        and hasattr(value, "co_code")
    )


_re_compile = re_compiler.compile


def regexes_supported() -> bool:
    code = getattr(getattr(re_compiler, "compile", None), "__code__", None)
    return (
        sys.version_info[:2] == (3, 11)
        and code is not None
        and code.co_varnames[:2] == ("p", "flags")
        and callable(getattr(re_compiler, "_code", None))
        and callable(getattr(re_parser, "parse", None))
    )


def start_regexes() -> bool:
    """From now on until stop_regexes(), `re` compiles a pattern seen on an earlier start
    from what it made of it then (only with the cache installed); False when not."""
    if _state["original"] is None or _state["re_original"] is not None:
        return _state["re_original"] is not None
    if not regexes_supported():
        return False
    _state["regexes"] = sum(1 for key in _state["codes"] if key[0] == REGEX_KEY)
    _state["re_original"] = re_compiler.compile
    re_compiler.compile = _compile_regex
    return True


def stop_regexes() -> None:
    original = _state["re_original"]
    if original is not None:
        re_compiler.compile = original
        _state["re_original"] = None


def _compile_regex(p: Any, flags: int = 0) -> Any:
    """`re._compiler.compile` of Python 3.11 (what `re.compile` calls for a pattern its own
    cache does not hold), with what it hands to `_sre.compile` looked up first."""
    if type(p) not in (str, bytes) or flags & re_compiler.SRE_FLAG_DEBUG:
        return _re_compile(p, flags)
    flags = int(flags)  # a RegexFlag is an int to marshal (re passes ints already)
    key = (REGEX_KEY, p, flags)
    codes = _state["codes"]
    made = codes.get(key)
    if made is None:
        parsed = re_parser.parse(p, flags)
        code = re_compiler._code(parsed, flags)
        groupindex = parsed.state.groupdict
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        made = (  # plain ints (the code's opcodes are re's named int constants), to marshal
            int(flags | parsed.state.flags),
            [int(word) for word in code],
            parsed.state.groups - 1,
            dict(groupindex),
            tuple(indexgroup),
        )
        if _state["regexes"] < MAX_REGEXES:
            codes[key] = made
            _state["regexes"] += 1
            _state["new"] += 1
    return re_compiler._sre.compile(p, *made)


EMBEDDED_PREFIX = "shibokensupport/"
_builtin_compile = builtins.compile
# what compile() takes over from the code that calls it, unless told not to (PyCF_MASK:
# the features' flags but the obsolete nested_scopes' CO_NESTED, and generators' 0)
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    if _feature not in ("nested_scopes", "generators"):
        _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag


@contextlib.contextmanager
def embedded_sources() -> Iterator[None]:
    """While the block runs (PySide6's first import), shiboken's embedded sources are
    looked up in the cache (see the module's doc); nothing changes when it is not
    installed."""
    if _state["original"] is None or builtins.compile is not _builtin_compile:
        yield
        return
    builtins.compile = _compile
    try:
        yield
    finally:
        builtins.compile = _builtin_compile


def _compile(
    source: Any,
    filename: Any,
    mode: str,
    flags: int = 0,
    dont_inherit: bool = False,
    optimize: int = -1,
    *,
    _feature_version: int = -1,
) -> Any:
    """`compile`, inheriting the future flags of its caller as the builtin does (the builtin
    called from here would inherit this module's), with shiboken's files looked up first."""
    if not dont_inherit:
        with contextlib.suppress(ValueError):  # no caller frame: nothing to inherit
            flags |= sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
        dont_inherit = True
    if (
        type(source) is bytes
        and type(filename) is str
        and filename.startswith(EMBEDDED_PREFIX)
        and mode == "exec"
        and optimize == -1
        and _feature_version == -1
        and not flags & ~_FUTURE_FLAGS
    ):
        key = (filename, flags, source)
        code = _state["codes"].get(key)
        if code is None:
            code = _builtin_compile(source, filename, mode, flags, True, optimize)
            _state["codes"][key] = code
            _state["new"] += 1
        return code
    return _builtin_compile(
        source, filename, mode, flags, dont_inherit, optimize, _feature_version=_feature_version
    )


def _create_fn(name, args, body, *, globals=None, locals=None, return_type=dataclasses.MISSING):
    """`dataclasses._create_fn` of Python 3.11, with the compilation looked up first."""
    if locals is None:
        locals = {}
    return_annotation = ""
    if return_type is not dataclasses.MISSING:
        locals["_return_type"] = return_type
        return_annotation = "->_return_type"
    args = ",".join(args)
    body = "\n".join(f"  {b}" for b in body)
    txt = f" def {name}({args}){return_annotation}:\n{body}"
    local_vars = ", ".join(locals.keys())
    txt = f"def __create_fn__({local_vars}):\n{txt}\n return {name}"
    code = _state["codes"].get(txt)
    if code is None:
        # as exec(txt) compiles it: no __future__ flags of this module leak in
        code = compile(txt, "<string>", "exec", dont_inherit=True)
        _state["codes"][txt] = code
        _state["new"] += 1
    ns: dict[str, Any] = {}
    exec(code, globals, ns)
    return ns["__create_fn__"](**locals)
