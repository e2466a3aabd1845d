"""PySide6's enums made by desktop.fast_enum (as the real entry and this test session make
them) work with Qt, and are the classes the stdlib would have made (issue 16)."""

from __future__ import annotations

import pickle

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStyle

from desktop import fast_enum
from tests.helpers.child import python_json

# Every enum of QtCore/QtGui/QtWidgets (the modules' classes and their nested classes),
# described member by member, from a fresh interpreter.
DUMP = r"""
import enum, json, pickle, re, sys
if sys.argv[1] == "fast":
    from desktop import fast_enum
    assert fast_enum.install()
import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets

found = {}
def walk(owner, depth):
    for name in dir(owner):
        try:
            value = getattr(owner, name)
        except Exception:
            continue
        if isinstance(value, enum.EnumType):
            found.setdefault(id(value), value)
        elif isinstance(value, type) and depth < 2 and value.__module__.startswith("PySide6"):
            walk(value, depth + 1)
for module in (PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets):
    walk(module, 0)

def plain(value, cls):
    if isinstance(value, cls):
        return ["member", value._name_]
    if isinstance(value, dict):
        return {str(k): plain(v, cls) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, cls) for v in value]
    # shiboken's _missing_ (a partial) shows the address of its function: not compared
    return getattr(value, "__qualname__", re.sub(" at 0x[0-9a-f]+", "", repr(value)))

out = {}
for cls in found.values():
    members = {}
    for name, member in cls.__members__.items():
        members[name] = [member._name_, member._value_, member._sort_order_, repr(member),
                         str(member), format(member), sorted(vars(member)),
                         pickle.loads(pickle.dumps(member)) is member]
    flags = []
    if issubclass(cls, enum.Flag) and len(cls) > 1:
        first, last = list(cls)[0], list(cls)[-1]
        both = first | last
        flags = [repr(both), str(both), [repr(m) for m in both], repr(first & last),
                 repr(~first), repr(cls(cls._all_bits_)), repr(cls(1 << 40))]
    out[cls.__module__ + ":" + cls.__qualname__] = {
        "mro": [base.__qualname__ for base in cls.__mro__],
        "keys": list(vars(cls)),
        "dict": {k: plain(v, cls) for k, v in vars(cls).items() if k not in cls.__members__},
        "members": members, "flags": flags, "dir": dir(cls), "repr": repr(cls),
    }
stats = fast_enum.stats() if sys.argv[1] == "fast" else None
print(json.dumps({"enums": out, "stats": stats}, sort_keys=True))
"""


def _dump(maker: str) -> dict:
    return python_json(DUMP, maker, timeout=300)


def test_every_qt_enum_is_the_class_the_stdlib_makes() -> None:
    stdlib, fast = _dump("stdlib"), _dump("fast")
    assert len(stdlib["enums"]) > 500
    assert fast["stats"] == {"fast": len(fast["enums"]), "stdlib": 0}
    assert fast["enums"].keys() == stdlib["enums"].keys()
    for name, described in stdlib["enums"].items():
        assert fast["enums"][name] == described, name


def test_this_session_makes_qt_enums_in_bulk() -> None:
    assert fast_enum.installed()
    assert type(Qt.AlignmentFlag).__call__ is fast_enum._call
    assert fast_enum.stats()["fast"] > 100  # PySide6's import alone makes ~140


def test_combined_flags_go_to_qt_and_come_back(qtbot) -> None:
    label = QLabel("坐席")
    qtbot.addWidget(label)
    wanted = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
    label.setAlignment(wanted)
    got = label.alignment()
    assert got == wanted
    assert type(got) is Qt.AlignmentFlag
    assert Qt.AlignmentFlag.AlignTop in got
    assert int(got) == 0x21
    assert Qt.AlignmentFlag(0x21) is got
    assert repr(got) == "<AlignmentFlag.AlignLeft|AlignTop: 33>"
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    assert label.alignment() is Qt.AlignmentFlag.AlignCenter
    assert (
        Qt.AlignmentFlag.AlignCenter
        == Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
    )
    assert Qt.AlignmentFlag.AlignLeading is Qt.AlignmentFlag.AlignLeft  # an alias
    # a value with a bit Qt has no name for (what Qt hands back for private states)
    odd = Qt.AlignmentFlag(0x21 | 0x10000)
    assert int(odd) == 0x10021
    label.setAlignment(odd)
    assert int(label.alignment()) & 0x21 == 0x21


def test_qt_enums_in_events_and_values() -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F5, modifiers, "")
    assert event.type() is QEvent.Type.KeyPress
    assert event.modifiers() == modifiers
    assert event.key() == Qt.Key.Key_F5
    click = QMouseEvent(
        QEvent.Type.MouseButtonPress,
        QPointF(1, 1),
        QPointF(1, 1),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    assert click.button() is Qt.MouseButton.LeftButton
    assert click.buttons() == Qt.MouseButton.LeftButton
    assert QPoint(2, 3).x() == 2
    state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Selected
    assert QStyle.StateFlag.State_Selected in state
    assert ~QStyle.StateFlag.State_Enabled & state == QStyle.StateFlag.State_Selected
    policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    assert policy.horizontalPolicy() is QSizePolicy.Policy.Expanding
    expanding = QSizePolicy.Policy.Expanding  # a plain Enum: no int() (as with the stdlib)
    assert QSizePolicy.Policy(expanding.value) is expanding


@pytest.mark.parametrize(
    "member",
    [
        Qt.AlignmentFlag.AlignLeft,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
        Qt.Key.Key_Return,
        QEvent.Type.Paint,
        QSizePolicy.Policy.Preferred,
    ],
    ids=repr,
)
def test_qt_enum_members_pickle(member) -> None:
    assert pickle.loads(pickle.dumps(member)) is member
    assert type(member).__module__.startswith("PySide6.")
