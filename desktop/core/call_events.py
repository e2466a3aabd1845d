"""One call-event model for every softphone source (baresip, command-line hook, manual key).

The workspace reacts to these the same way whatever produced them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EventKind = Literal["incoming", "answered", "ended", "missed"]
EVENT_KINDS: tuple[str, ...] = ("incoming", "answered", "ended", "missed")


@dataclass(frozen=True, slots=True)
class CallEvent:
    kind: EventKind
    number: str = ""  # normalised digits (and a leading + when international); "" if unknown
    name: str = ""  # caller display name, if the softphone knows it
    call_id: str = ""  # the softphone's id tying one call's events together; "" if none
    reason: str = ""  # hang-up reason on "ended"
    source: str = ""  # "baresip", "hook", "manual"
    at: str = ""  # ISO-8601 UTC when the source saw it; "" = when received
    event_id: str = ""  # unique id for de-duplication of spooled events
