"""The change bus: every service operation that writes says what it changed (Anki's OpChanges).

Services publish after their transaction commits; the GUI's hub relays the changes on the GUI
thread and each panel decides what to redraw. Nothing else notifies anyone of a write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OpChanges:
    """What one operation changed. `call_ids` narrows `calls` when known (empty = any call)."""

    calls: bool = False
    reminders: bool = False
    settings: bool = False
    content: bool = False
    qa: bool = False
    audit: bool = False
    call_ids: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_calls(cls, *call_ids: str, reminders: bool = False) -> OpChanges:
        return cls(calls=True, reminders=reminders, call_ids=frozenset(i for i in call_ids if i))

    def touches_call(self, call_id: str | None) -> bool:
        """True when this change may concern `call_id` (any call when no ids are given)."""
        return self.calls and (not self.call_ids or call_id in self.call_ids)

    def __or__(self, other: OpChanges) -> OpChanges:
        return OpChanges(
            calls=self.calls or other.calls,
            reminders=self.reminders or other.reminders,
            settings=self.settings or other.settings,
            content=self.content or other.content,
            qa=self.qa or other.qa,
            audit=self.audit or other.audit,
            call_ids=(
                frozenset()
                if (self.calls and not self.call_ids) or (other.calls and not other.call_ids)
                else self.call_ids | other.call_ids
            ),
        )

    @property
    def empty(self) -> bool:
        return not (
            self.calls or self.reminders or self.settings or self.content or self.qa or self.audit
        )


Subscriber = Callable[[OpChanges, object], None]


class ChangeBus:
    """Publish/subscribe for OpChanges. Subscribers run on the publisher's thread; the Qt hub
    is the one subscriber in the GUI, and it re-emits on the GUI thread."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._local = threading.local()  # this thread's open batches

    @contextmanager
    def batch(self, origin: object = None) -> Iterator[None]:
        """Hold this thread's publishes until the block ends, then publish them merged once;
        nothing is published if the block raises (its transaction rolled back). A use case
        wraps its transaction in a batch, so panels hear of a change only after it commits."""
        stack: list[list[OpChanges]] = self._local.__dict__.setdefault("stack", [])
        stack.append([])
        try:
            yield
        except BaseException:
            stack.pop()
            raise
        held = stack.pop()
        if held:
            self.publish(merge(held), origin)

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, changes: OpChanges, origin: object = None) -> None:
        if changes.empty:
            return
        stack = self._local.__dict__.get("stack")
        if stack:
            stack[-1].append(changes)
            return
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(changes, origin)
            except Exception:  # the write is committed; one bad subscriber must not hide it
                log.exception("change subscriber failed")


def merge(changes: Iterable[OpChanges]) -> OpChanges:
    out = OpChanges()
    for change in changes:
        out = out | change
    return out
