"""Record ids: random (version 4) UUIDs as text, exactly as `str(uuid.uuid4())` makes them.

Made here from `os.urandom` because importing `uuid` imports `platform` too, a few ms of
every start (issue 16) for one function.
"""

from __future__ import annotations

import os


def new_id() -> str:
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
