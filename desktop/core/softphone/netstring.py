"""Netstring framing (``<len>:<payload>,``) as spoken by baresip's ctrl_tcp module.

The decoder is incremental because TCP hands us arbitrary slices, and it resyncs instead of
raising because one corrupt frame must not cost us the call events behind it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

log = logging.getLogger(__name__)

MAX_PAYLOAD = 64 * 1024
_DIGITS = b"0123456789"


def encode_netstring(payload: bytes) -> bytes:
    return b"%d:%s," % (len(payload), payload)


def encode_command(command: str, params: str = "", token: str = "") -> bytes:
    """One ctrl_tcp command frame; baresip echoes ``token`` in its response."""
    body = {"command": command, "params": params, "token": token}
    return encode_netstring(json.dumps(body, ensure_ascii=False).encode("utf-8"))


class NetstringDecoder:
    """Feed it bytes as they arrive; it yields each complete payload once.

    Malformed input (bad or over-long length prefix, missing comma, junk between frames, a
    payload not starting with ``payload_start``) is dropped up to the next plausible frame
    start. A length over ``max_payload`` is never trusted: skipping that many bytes after a
    corrupt prefix would swallow the frames behind it, so the decoder resyncs instead and
    finds the next good frame (an honest oversized frame is dropped the same way). When the
    sender goes quiet in the middle of a "frame", ``flush_stale()`` gives up on it: the
    length was corrupt, and the frames it seemed to contain are recovered.
    """

    def __init__(self, max_payload: int = MAX_PAYLOAD, payload_start: bytes = b"") -> None:
        self._max_payload = max_payload
        self._payload_start = payload_start[:1]
        # A prefix longer than this cannot be a length within max_payload.
        self._max_prefix_digits = len(str(max_payload)) + 1
        self._buffer = bytearray()
        self._in_resync = False
        self.dropped_bytes = 0  # lifetime count, for diagnostics

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._buffer += data
        while True:
            payload = self._next_frame()
            if payload is None:
                return
            yield payload

    def _next_frame(self) -> bytes | None:
        """One payload, or None when more bytes are needed (after any resyncing)."""
        buf = self._buffer
        while buf:
            colon = buf.find(b":", 0, self._max_prefix_digits + 1)
            if colon == -1:
                if len(buf) > self._max_prefix_digits or not _all_digits(buf):
                    # A digit run too long to be a length: none of its suffixes is one either.
                    self._resync("no length prefix", whole_digit_run=True)
                    continue
                return None
            prefix = bytes(buf[:colon])
            if not prefix or not _all_digits(prefix):
                self._resync("bad length prefix")
                continue
            length = int(prefix)
            if length > self._max_payload:
                if not self._in_resync:
                    log.warning("dropping an oversized netstring of %d bytes", length)
                self._resync("oversized length prefix")
                continue
            if (
                self._payload_start
                and length
                and len(buf) > colon + 1
                and buf[colon + 1] != self._payload_start[0]
            ):
                self._resync("payload does not start a message")
                continue
            end = colon + 1 + length
            if len(buf) <= end:
                return None
            if buf[end] != ord(","):
                self._resync("missing ',' after payload")
                continue
            payload = bytes(buf[colon + 1 : end])
            del buf[: end + 1]
            self._in_resync = False
            return payload
        return None

    def reject(self, payload: bytes) -> None:
        """The consumer could not read the payload just yielded: its length prefix was
        probably corrupt and the "frame" swallowed real ones. Rescan it (all but its first
        byte, and the comma that ended it) for the frames inside."""
        self._buffer[:0] = payload[1:] + b","
        if not self._in_resync:
            log.warning("netstring payload rejected; rescanning it for frames")
            self._in_resync = True
        i = 0
        while i < len(self._buffer) and self._buffer[i] not in _DIGITS:
            i += 1
        del self._buffer[:i]
        self.dropped_bytes += i

    @property
    def pending(self) -> int:
        """Bytes held for a frame not complete yet."""
        return len(self._buffer)

    def flush_stale(self) -> Iterator[bytes]:
        """The sender paused mid-frame, which a well-behaved one never does: treat what is
        held as out of sync and yield the complete frames found in it."""
        while self._buffer:
            self._resync("the sender paused inside a frame")
            yield from self.feed(b"")

    def _resync(self, reason: str, whole_digit_run: bool = False) -> None:
        """Drop the byte that broke framing and any junk up to the next digit."""
        if not self._in_resync:
            log.warning("netstring stream out of sync (%s); resyncing", reason)
            self._in_resync = True
        buf = self._buffer
        i = 1
        if whole_digit_run:
            while i < len(buf) and buf[i] in _DIGITS:
                i += 1
        while i < len(buf) and buf[i] not in _DIGITS:
            i += 1
        del buf[:i]
        self.dropped_bytes += i


def _all_digits(data: bytes | bytearray) -> bool:
    return all(b in _DIGITS for b in data)
