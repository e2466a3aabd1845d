"""baresip ctrl_tcp messages → CallEvents.

Missed versus ended depends on whether the call was ever established, so the mapping needs a
little memory per call id: ``BaresipCallTracker``. Outgoing calls (direction "outgoing",
e.g. the agent's callback dialled with `dial`) become outgoing → answered → ended events
with ``direction="outgoing"``.

Sequences a consumer sees for one call id, always in this order:
- manual answer:   incoming → answered → ended
- caller gave up:  incoming → missed
- auto answer (baresip sends no CALL_INCOMING then): a synthesised incoming, immediately
  followed by answered, then ended; both carry the same ``at``.
- a call that was already up when we connected: only ended (no incoming was ever seen, so the
  consumer may not know the call; it should ignore an ``ended`` for an unknown call id).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from desktop.core.call_events import CallEvent, EventKind, clean_event
from desktop.core.clock import Clock, SystemClock, to_iso
from desktop.core.softphone.netstring import MAX_PAYLOAD, NetstringDecoder
from desktop.core.softphone.numbers import national

log = logging.getLogger(__name__)

SOURCE = "baresip"
MAX_URI = 512  # a peer URI longer than this is cut before the number is read from it
# Calls whose CALL_CLOSED never arrives (we were disconnected) must not grow memory forever.
MAX_TRACKED_CALLS = 256


# baresip's messages are flat objects; anything nested deeper is not one of them, and
# json.loads on 60 kB of brackets would raise RecursionError.
MAX_DEPTH = 16
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests more than ``limit`` levels (strings are skipped)."""
    if text.count("{") + text.count("[") <= limit:
        return False
    depth = 0
    for token in _STRUCTURE.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > limit:
                return True
        elif mark in "]}":
            depth -= 1
    return False


def parse_message(payload: bytes | str) -> dict[str, Any] | None:
    """A ctrl_tcp payload as a dict, or None (logged) when it is not a JSON object."""
    try:
        text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
        if len(text) > MAX_PAYLOAD or too_deep(text):
            log.warning("ignoring a ctrl_tcp payload that is too large or too deeply nested")
            return None
        message = json.loads(text)
    except (ValueError, RecursionError):
        log.warning("ignoring a ctrl_tcp payload that is not JSON: %.80r", payload)
        return None
    if not isinstance(message, dict):
        log.warning("ignoring a ctrl_tcp payload that is not an object: %.80r", payload)
        return None
    return message


class BaresipCallTracker:
    """Turns baresip call events into CallEvents, remembering which calls were answered."""

    def __init__(
        self,
        clock: Clock | None = None,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._clock = clock or SystemClock()
        self._new_id = new_id
        self._established: OrderedDict[str, bool] = OrderedDict()  # call id → answered yet?

    def handle(self, message: dict[str, Any]) -> list[CallEvent]:
        """CallEvents for one ctrl_tcp message (usually zero or one)."""
        if message.get("event") is not True or message.get("class") != "call":
            return []
        kind = message.get("type")
        direction = message.get("direction", "incoming")
        if direction == "outgoing":
            return self._outgoing(message, kind)
        if kind not in ("CALL_INCOMING", "CALL_ESTABLISHED", "CALL_CLOSED"):
            return []
        if direction != "incoming":
            return []
        call_id = message.get("id")
        if not isinstance(call_id, str) or not call_id:
            log.warning("ignoring a baresip %s without a call id", kind)
            return []
        at = to_iso(self._clock.now())
        if kind == "CALL_INCOMING":
            if call_id in self._established:
                return []  # a repeat; the call is already known
            self._remember(call_id, answered=False)
            return [self._event("incoming", message, call_id, at)]
        if kind == "CALL_ESTABLISHED":
            answered = self._established.get(call_id)
            if answered:
                return []
            self._remember(call_id, answered=True)
            first = [] if answered is not None else [self._event("incoming", message, call_id, at)]
            return [*first, self._event("answered", message, call_id, at)]
        answered = self._established.pop(call_id, None)
        closed: EventKind = "missed" if answered is False else "ended"
        return [self._event(closed, message, call_id, at, reason=_text(message, "param"))]

    def _outgoing(self, message: dict[str, Any], kind: object) -> list[CallEvent]:
        """A call the agent dialled: first sight (CALL_OUTGOING, RINGING or PROGRESS) is an
        "outgoing" event, then answered when established, ended when closed."""
        call_id = message.get("id")
        if not isinstance(call_id, str) or not call_id:
            return []
        at = to_iso(self._clock.now())
        seen = self._established.get(call_id)
        out: list[CallEvent] = []
        if kind in ("CALL_OUTGOING", "CALL_RINGING", "CALL_PROGRESS", "CALL_ESTABLISHED"):
            if seen is None:
                self._remember(call_id, answered=False)
                out.append(self._event("outgoing", message, call_id, at, direction="outgoing"))
            if kind == "CALL_ESTABLISHED" and not self._established.get(call_id):
                self._remember(call_id, answered=True)
                out.append(self._event("answered", message, call_id, at, direction="outgoing"))
            return out
        if kind == "CALL_CLOSED" and seen is not None:
            self._established.pop(call_id, None)
            reason = _text(message, "param")
            return [self._event("ended", message, call_id, at, reason, direction="outgoing")]
        return []

    def open_calls(self) -> list[str]:
        """Call ids seen but not yet closed, oldest first."""
        return list(self._established)

    def _remember(self, call_id: str, answered: bool) -> None:
        self._established[call_id] = answered
        self._established.move_to_end(call_id)
        while len(self._established) > MAX_TRACKED_CALLS:
            self._established.popitem(last=False)

    def _event(
        self,
        kind: EventKind,
        message: dict[str, Any],
        call_id: str,
        at: str,
        reason: str = "",
        *,
        direction: str = "incoming",
    ) -> CallEvent:
        return clean_event(
            CallEvent(
                kind=kind,
                number=national(_text(message, "peeruri")[:MAX_URI]),
                name=_text(message, "peerdisplayname").strip(),
                call_id=call_id,
                reason=reason,
                source=SOURCE,
                at=at,
                event_id=self._new_id(),
                direction=direction,
            )
        )


def _text(message: dict[str, Any], key: str) -> str:
    value = message.get(key)
    return value if isinstance(value, str) else ""


class CtrlTcpReader:
    """The whole inbound side of a ctrl_tcp link: bytes in, CallEvents out.

    Never raises on what baresip (or anything on that port) sends: bad frames, bad JSON,
    deep nesting and undecodable names are logged and dropped, and the reader resyncs on the
    next good frame. ``on_response`` gets baresip's answers to our commands.
    """

    def __init__(
        self,
        tracker: BaresipCallTracker | None = None,
        on_response: Callable[[dict[str, Any]], None] = lambda message: None,
    ) -> None:
        self._decoder = NetstringDecoder(payload_start=b"{")
        self._tracker = tracker or BaresipCallTracker()
        self._on_response = on_response

    @property
    def tracker(self) -> BaresipCallTracker:
        return self._tracker

    def feed(self, data: bytes) -> list[CallEvent]:
        return self._events(self._decoder.feed(data))

    def idle(self) -> list[CallEvent]:
        """The link has been quiet: a frame still "arriving" had a corrupt length."""
        return self._events(self._decoder.flush_stale()) if self._decoder.pending else []

    def _events(self, payloads: Iterator[bytes]) -> list[CallEvent]:
        events: list[CallEvent] = []
        for payload in payloads:
            message = parse_message(payload)
            if message is None:
                self._decoder.reject(payload)
                continue
            if message.get("response") is True:
                self._on_response(message)
                continue
            try:
                events.extend(self._tracker.handle(message))
            except Exception:  # a message shape nobody foresaw must not end the link
                log.exception("ignoring a ctrl_tcp message that could not be read")
        return events
