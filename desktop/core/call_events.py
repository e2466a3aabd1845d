"""One call-event model for every softphone source (baresip, command-line hook, manual key).

The workspace reacts to these the same way whatever produced them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EventKind = Literal["incoming", "outgoing", "answered", "ended", "missed"]
EVENT_KINDS: tuple[str, ...] = ("incoming", "outgoing", "answered", "ended", "missed")
# For `callassist --help` and the hook's usage text: what each kind means.
EVENT_KIND_HELP: dict[str, str] = {
    "incoming": "a call rings (来电振铃)",
    "outgoing": "the agent dials out, e.g. a callback (外呼开始)",
    "answered": "the call was answered / the callee picked up (接通)",
    "ended": "the call was hung up after talking; wrap-up begins (挂断)",
    "missed": "the caller gave up before it was answered (未接)",
}


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
    direction: str = "incoming"  # "outgoing" for every event of a call the agent dialled
