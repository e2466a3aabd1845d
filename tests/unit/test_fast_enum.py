"""desktop.fast_enum makes the classes the stdlib's functional API makes (issue 16): every
shape is made by both, and the two compared, down to the class dict's order."""

from __future__ import annotations

import copy
import enum
import pickle
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from desktop import fast_enum

KEEP = enum.FlagBoundary.KEEP
BASES = (enum.Enum, enum.IntEnum, enum.Flag, enum.IntFlag)

SHAPES: dict[str, list[tuple[str, int]]] = {
    "plain": [("Red", 0), ("Green", 1), ("Blue", 2)],
    "aliases": [("First", 1), ("Second", 2), ("AlsoFirst", 1), ("Third", 4), ("Last", 4)],
    "bits": [("NoFlag", 0), ("A", 1), ("B", 2), ("AB", 3), ("C", 8), ("Mask", 15), ("B2", 2)],
    "out of order": [("High", 64), ("Low", 1), ("Mid", 8), ("Both", 65)],
    "negative": [("Minus", -1), ("Zero", 0), ("One", 1), ("Big", 1 << 40)],
    "empty": [],
    "one": [("Only", 5)],
    "qt-like": [
        ("AlignLeft", 0x1),
        ("AlignLeading", 0x1),
        ("AlignRight", 0x2),
        ("AlignTrailing", 0x2),
        ("AlignHCenter", 0x4),
        ("AlignJustify", 0x8),
        ("AlignAbsolute", 0x10),
        ("AlignHorizontal_Mask", 0x1F),
        ("AlignTop", 0x20),
        ("AlignBottom", 0x40),
        ("AlignVCenter", 0x80),
        ("AlignBaseline", 0x100),
        ("AlignVertical_Mask", 0x1E0),
        ("AlignCenter", 0x84),
    ],
}


@contextmanager
def stdlib() -> Iterator[None]:
    """The stdlib's maker for the block, whatever the test session installed."""
    was = fast_enum.installed()
    fast_enum.uninstall()
    try:
        yield
    finally:
        if was:
            fast_enum.install()


@contextmanager
def fast() -> Iterator[None]:
    was = fast_enum.installed()
    assert fast_enum.install()
    try:
        yield
    finally:
        if not was:
            fast_enum.uninstall()


def make_both(base: Any, names: Any, **kwargs: Any) -> tuple[Any, Any, dict[str, int]]:
    kwargs.setdefault("module", __name__)
    with stdlib():
        std = base("Made", copy.deepcopy(names), qualname="StdMade", **kwargs)
    with fast():
        before = fast_enum.stats()
        made = base("Made", copy.deepcopy(names), qualname="FastMade", **kwargs)
        after = fast_enum.stats()
    return std, made, {key: after[key] - before[key] for key in after}


def _plain(value: Any, cls: type) -> Any:
    """A class attribute with the class's own members named instead of compared by identity."""
    if isinstance(value, cls):
        return ("member", value._name_)  # type: ignore[attr-defined]
    if isinstance(value, dict):
        return {key: _plain(item, cls) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, cls) for item in value]
    if hasattr(value, "__self__") and value.__self__ is cls:  # a bound classmethod
        return ("bound", value.__func__)
    return value


def outcome(do: Callable[..., Any], *args: Any) -> Any:
    """What `do(*args)` returns, or the error it raises (the stdlib has its own quirks: a
    flag's inverted pseudo-member with aliases iterates None, for one; both must agree)."""
    try:
        return do(*args)
    except Exception as exc:
        message = str(exc).replace("StdMade", "Made").replace("FastMade", "Made")
        return ("raised", type(exc), message)


def _apply(op: str, first: Any, second: Any) -> Any:
    if op == "|":
        return first | second
    if op == "&":
        return first & second
    if op == "^":
        return first ^ second
    return ~first


def _flag_result(result: Any, first: Any, cls: type) -> tuple[Any, ...]:
    return (
        type(result) is cls,
        outcome(getattr, result, "value"),
        outcome(getattr, result, "name"),
        outcome(repr, result),
        outcome(str, result),
        outcome(lambda r: [m.name for m in r], result),
        outcome(len, result),
        outcome(lambda r: first in r, result),
    )


def _pseudo(cls: Any, value: int) -> tuple[Any, ...]:
    made = cls(value)
    return (repr(made), made.value, made.name, made is cls(value))


def describe(cls: Any) -> dict[str, Any]:
    """All a class shows: its dict (keys in order), members, iteration, lookups, operators."""
    out: dict[str, Any] = {
        "keys": list(vars(cls)),
        "dict": {key: _plain(value, cls) for key, value in vars(cls).items()},
        "type": type(cls),
        "bases": cls.__bases__,
        "mro": [base for base in cls.__mro__[1:]],
        "name": cls.__name__,
        "module": cls.__module__,
        "repr": repr(cls).replace("Std", "").replace("Fast", ""),
        "len": len(cls),
        "list": [(m.name, m.value) for m in cls],
        "reversed": [m.name for m in reversed(cls)],
        "members": {name: (m.name, m.value) for name, m in cls.__members__.items()},
        "dir": dir(cls),
        "bool": bool(cls),
    }
    for name, member in cls.__members__.items():
        attrs = dict(vars(member))
        assert attrs.pop("__objclass__") is cls
        out[f"member {name}"] = (
            attrs,
            type(member) is cls,
            member is getattr(cls, name),
            member is cls[name],
            member is cls(member.value),
            repr(member),
            str(member),
            format(member),
            f"{member:>20}" if isinstance(member, int) else None,
            hash(member) == hash(member.name),
            dir(member),
            member in cls,
            bool(member),
        )
        if isinstance(member, int):
            out[f"int {name}"] = (int(member), member + 1, member == member.value)
    if issubclass(cls, enum.Flag):
        members = list(cls.__members__.values())
        for index, first in enumerate(members):
            for second in members[index : index + 3]:
                for op in ("|", "&", "^", "~"):
                    result = outcome(_apply, op, first, second)
                    out[f"op {first.name} {op} {second.name}"] = _flag_result(result, first, cls)
        for value in (0, 1, 3, 7, 0x21, 1 << 20, (1 << 20) | 1, cls._all_bits_):
            out[f"pseudo {value}"] = outcome(_pseudo, cls, value)
        out["pseudo members"] = sorted(cls._value2member_map_)  # the lookups above added them
    else:
        out["unknown value"] = outcome(cls, 123456789)
    return out


def _normalised(std: Any, made: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    one, two = describe(std), describe(made)
    return one, two


@pytest.mark.parametrize("base", BASES, ids=lambda b: b.__name__)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_same_class_as_the_stdlib(base: Any, shape: str) -> None:
    std, made, counted = make_both(base, SHAPES[shape], boundary=KEEP)
    assert counted == {"fast": 1, "stdlib": 0}
    one, two = _normalised(std, made)
    assert one.keys() == two.keys()
    for key in one:
        assert one[key] == two[key], key


@pytest.mark.parametrize("base", BASES, ids=lambda b: b.__name__)
def test_boundaries_and_no_boundary(base: Any) -> None:
    for boundary in (None, enum.STRICT, enum.CONFORM, enum.EJECT, KEEP):
        names = [("A", 1), ("B", 2), ("C", 4)]
        if boundary is enum.EJECT and issubclass(base, enum.Flag):
            names.append(("AB", 3))
        std, made, counted = make_both(base, names, boundary=boundary)
        assert counted == {"fast": 1, "stdlib": 0}
        assert list(vars(std)) == list(vars(made))
        for name in vars(std):
            assert _plain(vars(std)[name], std) == _plain(vars(made)[name], made), name
        if issubclass(base, enum.Flag):
            for value in (3, 7, 9, 64):
                try:
                    expected: Any = repr(std(value))
                except ValueError as exc:
                    expected = str(exc).replace("StdMade", "?")
                try:
                    got: Any = repr(made(value))
                except ValueError as exc:
                    got = str(exc).replace("FastMade", "?")
                assert got.replace("FastMade", "?").replace("Made", "?") == expected.replace(
                    "StdMade", "?"
                ).replace("Made", "?")


# the globals pickle finds the classes by (their qualname is given to the maker)
StdPickled: Any = None
FastPickled: Any = None


@pytest.mark.parametrize("base", BASES, ids=lambda b: b.__name__)
def test_pickling_round_trip(base: Any) -> None:
    global StdPickled, FastPickled
    names = SHAPES["bits"]
    with stdlib():
        StdPickled = base("StdPickled", names, module=__name__, boundary=KEEP)
    with fast():
        FastPickled = base("FastPickled", names, module=__name__, boundary=KEEP)
    for cls in (StdPickled, FastPickled):
        for member in cls.__members__.values():
            for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
                assert pickle.loads(pickle.dumps(member, protocol)) is member
        if issubclass(cls, enum.Flag):
            pseudo = cls.A | cls.C
            assert pickle.loads(pickle.dumps(pseudo)) is pseudo
    assert copy.deepcopy(FastPickled.A) is FastPickled.A
    assert copy.copy(FastPickled.A) is FastPickled.A


def test_the_caller_module_is_recorded_as_the_stdlib_does() -> None:
    with stdlib():
        std = enum.IntEnum("Guessed", [("A", 1)])
    with fast():
        made = enum.IntEnum("Guessed", [("A", 1)])
    assert std.__module__ == made.__module__ == __name__
    assert std.__qualname__ == made.__qualname__ == "Guessed"


@pytest.mark.parametrize(
    ("base", "names", "kwargs"),
    [
        (enum.Enum, "A B C", {}),  # a names string
        (enum.Enum, ["A", "B"], {}),  # names only: values generated
        (enum.IntEnum, (("A", 1), ("B", 2)), {}),  # a tuple, not a list
        (enum.Enum, {"A": 1, "B": 2}, {}),  # a mapping
        (enum.Enum, [("A", "x"), ("B", "y")], {}),  # values not int
        (enum.Enum, [("A", (1, 2))], {}),
        (enum.Flag, [("A", True)], {}),  # a bool is not an int here
        (enum.Enum, [("name", 1), ("value", 2)], {}),  # the bases' descriptors
        (enum.IntEnum, [("real", 1), ("bit_length", 2)], {}),
        (enum.Enum, [("__dunder__", 1), ("A", 2)], {}),
        (enum.Enum, [("A", 1)], {"type": int}),  # a mixin type
        (enum.Enum, [("A", 1)], {"start": 5}),
    ],
)
def test_other_shapes_go_to_the_stdlib(base: Any, names: Any, kwargs: dict[str, Any]) -> None:
    std, made, counted = make_both(base, names, **kwargs)
    if isinstance(names, list) and "type" not in kwargs and "start" not in kwargs:
        assert counted == {"fast": 0, "stdlib": 1}
    assert [(m.name, m.value) for m in std] == [(m.name, m.value) for m in made]
    assert list(vars(std)) == list(vars(made))
    assert {k: (v.name, v.value) for k, v in std.__members__.items()} == {
        k: (v.name, v.value) for k, v in made.__members__.items()
    }


def test_a_subclassed_base_goes_to_the_stdlib() -> None:
    class Described(enum.IntEnum):
        def describe(self) -> str:
            return f"{self.name}={self.value}"

    std, made, counted = make_both(Described, [("A", 1), ("B", 2)])
    assert counted == {"fast": 0, "stdlib": 1}
    assert made.A.describe() == std.A.describe() == "A=1"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("names", "error"),
    [
        ([("A", 1), ("A", 2)], TypeError),  # a name twice
        ([("mro", 1)], ValueError),
        ([("", 1)], ValueError),
        ([("_sunder_", 1)], ValueError),
    ],
)
def test_the_stdlib_errors_stay(names: list[Any], error: type[Exception]) -> None:
    with stdlib(), pytest.raises(error) as std:
        enum.Enum("Bad", names)
    with fast(), pytest.raises(error) as made:
        enum.Enum("Bad", names)
    assert str(made.value) == str(std.value)


def test_value_lookups_are_the_stdlib_s() -> None:
    with fast():
        Color = enum.Enum("Color", [("Red", 1), ("Crimson", 1), ("Blue", 2)])
        Bits = enum.IntFlag("Bits", [("A", 1), ("B", 2)], boundary=KEEP)
        assert Color(1) is Color.Red is Color.Crimson
        assert Color(Color.Blue) is Color.Blue
        with pytest.raises(ValueError, match="3 is not a valid Color"):
            Color(3)
        assert Bits(3) == Bits.A | Bits.B
        assert Bits(3) is Bits(3)
        assert Bits(1 << 9).value == 1 << 9  # KEEP: an unknown bit is kept (Qt's flags)
        assert int(Bits.A | Bits(1 << 9)) == 513


def test_install_is_idempotent_and_reversible() -> None:
    stdlib_call = fast_enum._state["original"] or enum.EnumType.__dict__["__call__"]
    with stdlib():
        assert enum.EnumType.__dict__["__call__"] is stdlib_call
        assert fast_enum.install()
        assert fast_enum.install()
        assert enum.EnumType.__dict__["__call__"] is fast_enum._call
        fast_enum.uninstall()
        assert enum.EnumType.__dict__["__call__"] is stdlib_call
        assert not fast_enum.installed()


def test_only_on_the_python_it_mirrors() -> None:
    assert fast_enum.supported() == (sys.version_info[:2] == (3, 11))
