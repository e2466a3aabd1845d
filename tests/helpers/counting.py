"""Count how often a method runs (render counts, query counts), calling through to it."""

from __future__ import annotations

from typing import Any

import pytest


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple]:
    """Wrap `owner.name` (an instance or a class); the returned list gets one entry of
    positional arguments per call."""
    original = getattr(owner, name)
    calls: list[tuple] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls
