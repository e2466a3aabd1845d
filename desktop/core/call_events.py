"""One call-event model for every softphone source (baresip, command-line hook, manual key).

The workspace reacts to these the same way whatever produced them.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

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


class CallEvent(NamedTuple):
    """One event (immutable; `event._replace(...)` makes a changed copy). A NamedTuple, not
    a dataclass: the hook imports it, and `dataclasses` (which imports `inspect`) was a
    sixth of the hook's start (issue 16)."""

    kind: EventKind
    number: str = ""  # normalised digits (and a leading + when international); "" if unknown
    name: str = ""  # caller display name, if the softphone knows it
    call_id: str = ""  # the softphone's id tying one call's events together; "" if none
    reason: str = ""  # hang-up reason on "ended"
    source: str = ""  # "baresip", "hook", "manual"
    at: str = ""  # ISO-8601 UTC when the source saw it; "" = when received
    event_id: str = ""  # unique id for de-duplication of spooled events
    direction: str = "incoming"  # "outgoing" for every event of a call the agent dialled


# Sane lengths: E.164 numbers have at most 15 digits; names are shown on one line.
MAX_NUMBER = 32
MAX_NAME = 100
MAX_ID = 128
MAX_REASON = 200


def repair_text(text: str) -> str:
    """Text a softphone handed over, made storable whatever its encoding was.

    Linux gives undecodable argv bytes to Python as lone surrogates (surrogateescape), and
    a JSON ``\\udcxx`` escape makes one too. Those bytes are decoded as UTF-8, else as
    GB18030 (what a Chinese Windows or Linux softphone may pass), and whatever is left is
    replaced with U+FFFD, so the call is always recorded.
    """
    if text.isascii() or not any("\ud800" <= c <= "\udfff" for c in text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # surrogates that are not escaped bytes
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "replace")


def clean_event(event: CallEvent) -> CallEvent:
    """The event with every text field decodable and capped to a sane length."""

    def fit(value: str, limit: int) -> str:
        return repair_text(value)[:limit]

    cleaned = event._replace(
        number=fit(event.number, MAX_NUMBER),
        name=fit(event.name, MAX_NAME),
        call_id=fit(event.call_id, MAX_ID),
        reason=fit(event.reason, MAX_REASON),
        source=fit(event.source, MAX_ID),
        at=fit(event.at, MAX_ID),
        event_id=fit(event.event_id, MAX_ID),
    )
    return event if cleaned == event else cleaned
