"""The platform code that is left after the file locks (`lock.py`) and
`multiprocessing.connection`: which IPC family to use, how to start the app detached,
whether POSIX file modes apply.

One small value object, so tests on Linux can select the Windows branch (``Platform("win32")``).
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

# subprocess's Windows-only constants, spelled out so the Windows branch is testable here.
DETACHED_PROCESS = 0x00000008
CREATE_NEW_PROCESS_GROUP = 0x00000200


class Platform(NamedTuple):  # not a dataclass: the hook imports it (see desktop.paths)
    name: str  # sys.platform: "win32", "linux", "darwin"

    @property
    def windows(self) -> bool:
        return self.name == "win32"

    @property
    def ipc_family(self) -> str:
        """A named pipe on Windows, a Unix socket elsewhere (never a network port)."""
        return "AF_PIPE" if self.windows else "AF_UNIX"

    @property
    def posix_modes(self) -> bool:
        """Whether 0700/0600 modes protect files (on Windows the profile's ACL does)."""
        return not self.windows

    def detached_popen_kwargs(self) -> dict[str, Any]:
        """subprocess.Popen options that let a started app outlive its parent (the hook)."""
        if self.windows:
            return {"creationflags": DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP}
        return {"start_new_session": True}


CURRENT = Platform(sys.platform)
