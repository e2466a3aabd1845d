"""PySide6's Python enums made in bulk instead of through the stdlib's class machinery
(issue 16).

Shiboken makes each Qt enum with the functional API, `IntFlag("AlignmentFlag", [("AlignLeft",
1), ...], boundary=KEEP)`, when the Qt class is first used (the `Qt` namespace alone is 95
enums / 1,205 names; the first frame makes ~270 enums / ~3,200 names). The stdlib makes each
name go through `_EnumDict.__setitem__`, a `_proto_member` and its `__set_name__` (with an
MRO walk per name and two trips through `EnumType.__setattr__`): ~20 µs a name, about a
third of what the app adds to a bare window's start-up.

`install()` replaces `EnumType.__call__` with one that makes the classes of that one shape
-- a list of (str, int) pairs, one of `Enum`/`IntEnum`/`Flag`/`IntFlag` as the base, no
mixin `type` -- directly, with the result the stdlib's would have:

- the class part (`_new_member_`, `_value_repr_`, `__format__`/`__or__`/..., `__new__`, the
  flag fields, which names are deleted for a non-flag) is copied from a class without
  members that the stdlib made once per base and boundary (the "template");
- every name then gets what `_proto_member.__set_name__` gives it: a member made by the
  base's `_new_member_`, with `_value_`, `_name_`, `__objclass__` and `_sort_order_`, an
  alias for a value seen before (a flag's multi-bit value is a member but not one of
  `_member_names_`), in the class dict, `_member_map_` and `_value2member_map_`, and the
  flag masks; a flag whose values are out of order iterates by definition;
- the class dict's keys are in the stdlib's order, too.

Anything else -- another base or metaclass, a mixin type, a names string or mapping, a
name that starts with "_" or shadows an attribute of the bases (`name`, `value`, `real`...),
a value that is not an `int`, a repeated name, no caller module to record -- goes to the
stdlib's `_create_` as before, and so does a value lookup (`Qt.AlignmentFlag(0x21)`),
which is the stdlib's own code. `tests/unit/test_fast_enum.py` compares both makers on
every shape.

Only installed on Python 3.11, the `enum` this mirrors; elsewhere `install` does nothing.
"""

from __future__ import annotations

import contextlib
import enum
import sys
from collections.abc import Callable
from typing import Any

_EnumType = enum.EnumType
_type_new = type.__new__
_type_setattr = type.__setattr__
_is_single_bit = enum._is_single_bit  # type: ignore[attr-defined]

# The containers each class gets its own of (empty in the template).
_FRESH = ("_member_names_", "_member_map_", "_value2member_map_", "_unhashable_values_")
_FLAG_FIELDS = ("_flag_mask_", "_singles_mask_", "_all_bits_")
_WRAPPED = ("__new__", "__init_subclass__", "__class_getitem__")

_state: dict[str, Any] = {"original": None, "fast": 0, "stdlib": 0}


class _Template:
    """What the stdlib gives every member-less class of one base and boundary."""

    __slots__ = (
        "after",
        "flag",
        "head",
        "new_member",
        "plain_init",
        "reserved",
        "tail",
        "use_args",
    )

    def __init__(self, probe: Any) -> None:
        items = dict(vars(probe))
        keys = list(items)
        at = keys.index("__doc__") + 1  # the stdlib's members come right after it
        self.head = {key: items[key] for key in keys[:at]}
        self.tail = {key: items[key] for key in keys[at:]}
        # what type.__new__ would wrap (staticmethod/classmethod) is set again as it is
        self.after = {key: self.tail[key] for key in _WRAPPED if key in self.tail}
        # a member name found in a base's dict takes the stdlib's descriptor checks
        self.reserved = frozenset({"", "mro"}.union(*(vars(base) for base in probe.__mro__[1:])))
        self.flag = issubclass(probe, enum.Flag)
        self.new_member = probe._new_member_
        self.use_args = probe._use_args_
        self.plain_init = probe.__init__ is enum.Enum.__init__

    @classmethod
    def of(cls, base: type, boundary: Any) -> _Template | None:
        probe = base._create_("FastEnumTemplate", [], module=__name__, boundary=boundary)  # type: ignore[attr-defined]
        items = vars(probe)
        known = all(
            type(items.get(name)) is type(getattr(base, name, None)) and not items[name]
            for name in _FRESH
        )
        mutable = [
            key
            for key, value in items.items()
            if isinstance(value, (list, dict, set)) and key not in _FRESH
        ]
        plain = all(key.startswith("_") for key in items) and "__doc__" in items
        made_by = probe._new_member_
        member_type = probe._member_type_
        simple_new = (made_by is object.__new__ and member_type is object) or (
            made_by is int.__new__ and member_type is int
        )
        if not (known and plain and simple_new) or mutable or "__dict__" in items:
            return None
        if issubclass(probe, enum.Flag) and not all(name in items for name in _FLAG_FIELDS):
            return None
        return cls(probe)

    def make(
        self, base: type, class_name: str, names: list[Any], module: str, qualname: str | None
    ) -> type | None:
        """The class, or None when `names` is not a shape this mirrors."""
        reserved = self.reserved
        body = self.head.copy()
        body["__module__"] = module
        for name in _FRESH:
            body[name] = [] if name in ("_member_names_", "_unhashable_values_") else {}
        flag_mask = singles_mask = 0
        for item in names:
            if type(item) is not tuple or len(item) != 2:
                return None
            name, value = item
            if (
                type(name) is not str
                or type(value) is not int
                or name in body
                or name in reserved
                or name[0] == "_"
            ):
                return None
            body[name] = None  # holds the stdlib's place for the member, set below
            flag_mask |= value
            if _is_single_bit(value):
                singles_mask |= value
        body.update(self.tail)
        if self.flag:
            body["_flag_mask_"] = flag_mask
            body["_singles_mask_"] = singles_mask
            body["_all_bits_"] = 2 ** flag_mask.bit_length() - 1
        if qualname is not None:
            body["__qualname__"] = qualname
        enum_class = _type_new(_EnumType, class_name, (base,), body)
        for key, value in self.after.items():
            _type_setattr(enum_class, key, value)
        member_names: list[str] = body["_member_names_"]
        member_map: dict[str, Any] = body["_member_map_"]
        value_map: dict[Any, Any] = body["_value2member_map_"]
        new_member, use_args, plain_init, flag = (
            self.new_member,
            self.use_args,
            self.plain_init,
            self.flag,
        )
        for name, value in names:
            member = value_map.get(value)
            if member is None:
                member = new_member(enum_class, value) if use_args else new_member(enum_class)
                member._value_ = value
                member._name_ = name
                member.__objclass__ = enum_class
                if not plain_init:
                    member.__init__(value)
                member._sort_order_ = len(member_names)
                if not flag or _is_single_bit(value):
                    member_names.append(name)
                value_map[value] = member
            member_map[name] = member
        # after the members are made: each class change empties the type's lookup cache,
        # which every attribute set on a member uses
        for name, member in member_map.items():
            _type_setattr(enum_class, name, member)
        if flag:
            values = [member_map[name]._value_ for name in member_names]
            if values != sorted(values):
                _type_setattr(enum_class, "_iter_member_", enum_class._iter_member_by_def_)  # type: ignore[attr-defined]
        return enum_class


_BASES = (enum.Enum, enum.IntEnum, enum.Flag, enum.IntFlag)
_templates: dict[tuple[type, Any], _Template | None] = {}


def _call(
    cls: Any,
    value: Any,
    names: Any = None,
    *,
    module: str | None = None,
    qualname: str | None = None,
    type: Any = None,  # the stdlib's keyword
    start: int = 1,
    boundary: Any = None,
) -> Any:
    if names is None:  # simple value lookup
        return cls.__new__(cls, value)
    if type is None and names.__class__ is list and cls in _BASES:
        if module is None:  # the stdlib's guess (from its _create_, one frame deeper)
            with contextlib.suppress(AttributeError, ValueError, KeyError):
                module = sys._getframe(1).f_globals["__name__"]
        made = _fast(cls, value, names, module, qualname, boundary)
        if made is not None:
            _state["fast"] += 1
            return made
    _state["stdlib"] += 1
    return cls._create_(
        value,
        names,
        module=module,
        qualname=qualname,
        type=type,
        start=start,
        boundary=boundary,
    )


def _fast(
    cls: type, class_name: Any, names: list[Any], module: Any, qualname: Any, boundary: Any
) -> type | None:
    if module is None or not isinstance(class_name, str) or not class_name:
        return None
    key = (cls, boundary)
    try:
        template = _templates[key]
    except KeyError:
        try:
            template = _Template.of(cls, boundary)
        except Exception:  # the stdlib's own error for this base and boundary, below
            template = None
        _templates[key] = template
    except TypeError:  # an unhashable boundary: the stdlib says what it thinks of it
        return None
    if template is None:
        return None
    return template.make(cls, class_name, names, module, qualname)


def supported() -> bool:
    call = _state["original"] or _EnumType.__dict__.get("__call__")
    code = getattr(call, "__code__", None)
    return (
        sys.version_info[:2] == (3, 11)
        and code is not None
        and getattr(call, "__module__", None) == "enum"
        and code.co_varnames[:3] == ("cls", "value", "names")
        and code.co_kwonlyargcount == 5
    )


def install() -> bool:
    """Make the functional API's enums of the shape above in bulk from now on (call it before
    PySide6 is imported: its enums are made at import and when each class is first used).
    False when this Python's `enum` is not the one this mirrors. Calling it again is harmless."""
    if _state["original"] is not None:
        return True
    if not supported():
        return False
    original: Callable[..., Any] = _EnumType.__dict__["__call__"]
    _call.__doc__ = original.__doc__
    _state["original"] = original
    _type_setattr(_EnumType, "__call__", _call)
    return True


def uninstall() -> None:
    """The stdlib's `EnumType.__call__` again (tests)."""
    original = _state["original"]
    if original is not None:
        _type_setattr(_EnumType, "__call__", original)
        _state["original"] = None


def installed() -> bool:
    return _state["original"] is not None


def stats() -> dict[str, int]:
    """How many functional-API classes were made here and how many by the stdlib."""
    return {"fast": _state["fast"], "stdlib": _state["stdlib"]}
