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

    Malformed input (bad or over-long length prefix, missing comma, junk between frames)
    is dropped up to the next plausible frame start. A well-formed frame larger than
    ``max_payload`` is skipped as it streams past, without being buffered.
    """

    def __init__(self, max_payload: int = MAX_PAYLOAD) -> None:
        self._max_payload = max_payload
        # A prefix longer than this is never taken as a length: skipping that many bytes
        # after a corrupt prefix would swallow the good frames behind it.
        self._max_prefix_digits = len(str(max_payload)) + 1
        self._buffer = bytearray()
        self._skip = 0  # bytes of an oversized payload still to discard
        self._skip_then_comma = False
        self._in_resync = False
        self.dropped_bytes = 0  # lifetime count, for diagnostics

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._buffer += data
        while True:
            if self._skip_then_comma:
                if not self._skip_oversized():
                    return
                continue
            payload = self._next_frame()
            if payload is not None:
                yield payload
            elif not self._skip_then_comma:
                return

    def _skip_oversized(self) -> bool:
        """Discard the rest of an oversized frame; False while more bytes are needed."""
        n = min(self._skip, len(self._buffer))
        del self._buffer[:n]
        self._skip -= n
        self.dropped_bytes += n
        if self._skip or not self._buffer:
            return False
        self._skip_then_comma = False
        if self._buffer[0] == ord(","):
            del self._buffer[:1]
            self.dropped_bytes += 1
        else:
            self._resync("oversized frame not followed by ','")
        return True

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
                log.warning("skipping an oversized netstring of %d bytes", length)
                del buf[: colon + 1]
                self.dropped_bytes += colon + 1
                self._skip = length
                self._skip_then_comma = True
                return None
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
