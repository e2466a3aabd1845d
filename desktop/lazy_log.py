"""A logger that imports `logging` when it first says something.

For the modules the softphone hook imports (`callassist event …` returns within the
softphone's patience, issue 16): `logging` costs the hook more than its own work, and it
logs only when something goes wrong."""

from __future__ import annotations

from typing import Any


class LazyLogger:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        import logging

        return getattr(logging.getLogger(self._name), attr)
